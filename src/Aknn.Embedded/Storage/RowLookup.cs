namespace Aknn.Embedded.Storage;

/// <summary>Finds ids in a snapshot.</summary>
internal static class RowLookup
{
    /// <summary>Finds the row that holds <paramref name="id"/> live in <paramref name="s"/>.</summary>
    public static bool TryLocate(Snapshot s, string id, ReadOnlySpan<byte> idUtf8, out RowLocation location) =>
        TryLocate(s.Segments.Items, s.Frozen, s.Tail, s.TailCount, s.Sequence, id, idUtf8, out location);

    /// <summary>
    /// Finds the row that holds <paramref name="id"/> live at <paramref name="sequence"/> among the
    /// segments, a frozen tail and the first <paramref name="tailCount"/> rows of the active tail.
    /// Sources are searched newest first, and the newest row of an id decides: writing a row
    /// deletes the id's older rows, so an id has at most one live row.
    /// </summary>
    public static bool TryLocate(IReadOnlyList<Segment> segments, Tail? frozen, Tail tail, int tailCount, long sequence, string id, ReadOnlySpan<byte> idUtf8, out RowLocation location)
    {
        location = default;
        RowSource? holder = null;
        if (FindInTail(tail, tailCount, id, idUtf8, out int row)) holder = new RowSource(tail, tail.Chunks, tailCount, sequence);
        else if (frozen is not null && FindInTail(frozen, frozen.Count, id, idUtf8, out row)) holder = new RowSource(frozen, frozen.Chunks, frozen.Count, sequence);
        if (holder is { } source)
        {
            if (source.IsDeleted(row)) return false;
            location = new RowLocation(source, row);
            return true;
        }
        ulong hash = IdHash.Compute(idUtf8);
        foreach (Segment seg in segments)
        {
            int r = seg.FindRow(idUtf8, hash);
            if (r >= 0 && !seg.IsDeleted(r, sequence))
            {
                location = new RowLocation(new RowSource(seg, sequence), r);
                return true;
            }
        }
        return false;
    }

    /// <summary>The newest of the first <paramref name="count"/> rows of <paramref name="tail"/> that holds the id.</summary>
    private static bool FindInTail(Tail tail, int count, string id, ReadOnlySpan<byte> idUtf8, out int row)
    {
        if (!tail.ById.TryGetValue(id, out row)) return false;
        if (row < count) return true;
        // A newer row for this id was written after the snapshot: look for an older one.
        for (row = count - 1; row >= 0; row--)
            if (tail.IdUtf8(row).AsSpan().SequenceEqual(idUtf8)) return true;
        return false;
    }
}

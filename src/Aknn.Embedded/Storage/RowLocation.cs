namespace Aknn.Embedded.Storage;

/// <summary>Where a live row sits in a snapshot: a segment row, or (when <see cref="Segment"/> is null) a tail row.</summary>
internal readonly record struct RowLocation(Segment? Segment, int Row)
{
    public ReadOnlySpan<byte> Vector(Snapshot s) => Segment is null ? s.Tail.Vector(Row) : Segment.Vector(Row);
    public ReadOnlySpan<byte> Payload(Snapshot s) => Segment is null ? s.Tail.Payload(Row) : Segment.Payload(Row);
}

/// <summary>Finds ids in a snapshot.</summary>
internal static class RowLookup
{
    /// <summary>Finds the row that holds <paramref name="id"/> live in <paramref name="s"/>.</summary>
    public static bool TryLocate(Snapshot s, string id, ReadOnlySpan<byte> idUtf8, out RowLocation location) =>
        TryLocate(s.Segments.Items, s.Tail, s.TailCount, s.Sequence, id, idUtf8, out location);

    /// <summary>Finds the row that holds <paramref name="id"/> live among the given segments and tail prefix at <paramref name="sequence"/>.</summary>
    public static bool TryLocate(IReadOnlyList<Segment> segments, Tail tail, int tailCount, long sequence, string id, ReadOnlySpan<byte> idUtf8, out RowLocation location)
    {
        location = default;
        if (tail.ById.TryGetValue(id, out int row))
        {
            if (row >= tailCount)
                row = ScanTail(tail, tailCount, idUtf8); // a newer row for this id was written after the snapshot
            if (row >= 0)
            {
                if (tail.DeletedAt(row) <= sequence) return false;
                location = new RowLocation(null, row);
                return true;
            }
        }
        ulong hash = IdHash.Compute(idUtf8);
        foreach (Segment seg in segments)
        {
            int r = seg.FindRow(idUtf8, hash);
            if (r >= 0 && !seg.IsDeleted(r, sequence))
            {
                location = new RowLocation(seg, r);
                return true;
            }
        }
        return false;
    }

    private static int ScanTail(Tail tail, int tailCount, ReadOnlySpan<byte> idUtf8)
    {
        for (int r = tailCount - 1; r >= 0; r--)
            if (tail.IdUtf8(r).AsSpan().SequenceEqual(idUtf8)) return r;
        return -1;
    }
}

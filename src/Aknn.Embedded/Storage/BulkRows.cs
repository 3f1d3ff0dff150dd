namespace Aknn.Embedded.Storage;

/// <summary>
/// The rows of a bulk load as a segment source: the last row of each id, in input order (a
/// segment never holds two rows with the same id).
/// </summary>
internal sealed class BulkRows : ISegmentSource
{
    private readonly IndexEngine.Write[] _writes;
    private readonly int[] _kept;

    private BulkRows(IndexEngine.Write[] writes, int[] kept)
    {
        _writes = writes;
        _kept = kept;
    }

    public int Count => _kept.Length;
    public ReadOnlySpan<byte> Vector(int row) => _writes[_kept[row]].Vector.Span;
    public ReadOnlySpan<byte> IdUtf8(int row) => _writes[_kept[row]].IdUtf8;
    public ReadOnlySpan<byte> Payload(int row) => _writes[_kept[row]].Payload.Span;

    /// <summary>
    /// Drops every row whose id a later row repeats. Ids are matched through an open-addressing table
    /// of their hashes (as the segment's id table is built), comparing bytes only on equal hashes.
    /// </summary>
    public static BulkRows LastOfEachId(IndexEngine.Write[] writes)
    {
        var slots = new ulong[IdTable.SlotCountFor(writes.Length)];
        int mask = slots.Length - 1;
        var dropped = new bool[writes.Length];
        int drops = 0;
        for (int i = 0; i < writes.Length; i++)
        {
            ulong h = IdHash.Compute(writes[i].IdUtf8);
            ulong high = h & 0xFFFFFFFF00000000UL;
            int s = (int)(h & (ulong)mask);
            while (true)
            {
                ulong slot = slots[s];
                if (slot == 0)
                {
                    slots[s] = high | (uint)(i + 1);
                    break;
                }
                int other = (int)(uint)slot - 1;
                if ((slot & 0xFFFFFFFF00000000UL) == high && writes[other].IdUtf8.AsSpan().SequenceEqual(writes[i].IdUtf8))
                {
                    dropped[other] = true;
                    drops++;
                    slots[s] = high | (uint)(i + 1);
                    break;
                }
                s = (s + 1) & mask;
            }
        }
        var kept = new int[writes.Length - drops];
        for (int i = 0, k = 0; i < writes.Length; i++)
            if (!dropped[i]) kept[k++] = i;
        return new BulkRows(writes, kept);
    }
}

namespace Aknn.Embedded.Hashing;

/// <summary>
/// Query-directed multi-probe (Lv, Josephson, Wang, Charikar and Li, "Multi-Probe LSH", VLDB 2007):
/// the buckets next to the query's own, in increasing order of a perturbation set's score, with one
/// budget shared by all tables.
/// </summary>
/// <remarks>
/// Each table's elementary perturbations are sorted by score (<see cref="LshModel.Perturbations"/>).
/// A perturbation set is a set of positions in that order; sets are generated from {0} by "shift"
/// (replace the largest position i by i + 1) and "expand" (add i + 1), which reaches every set
/// exactly once in non-decreasing score order. One min-heap over all tables yields the globally
/// cheapest sets. Sets that move one stable hash both up and down are skipped (but still extended).
/// </remarks>
internal static class MultiProbe
{
    private readonly record struct Set(float Score, int Table, ulong Positions, int Largest);

    /// <summary>Positions beyond 64 are never perturbed (a table has at most 32 hashes, 64 moves).</summary>
    private const int MaxPositions = 64;

    public static void Append(LshModel model, float[] dots, ReadOnlySpan<uint> keys, int probes, List<(int Table, uint Key)> into)
    {
        int tables = model.Tables, perTable = Math.Min(MaxPositions, model.Family == LshFamily.StableDistribution ? 2 * model.Bits : model.Bits);
        var moves = new (float Score, int Plane, int Delta)[tables * perTable];
        var heap = new PriorityQueue<Set, (float, int)>(2 * Math.Min(probes, 4096) + tables);
        int order = 0;
        for (int t = 0; t < tables; t++)
        {
            Span<(float Score, int Plane, int Delta)> m = moves.AsSpan(t * perTable, perTable);
            model.Perturbations(dots, t, m);
            heap.Enqueue(new Set(m[0].Score, t, 1, 0), (m[0].Score, order++));
        }
        Span<(float, int, int)> chosen = stackalloc (float, int, int)[MaxPositions];
        int emitted = 0;
        // Bounded: a budget larger than the number of distinct buckets near the query ends when the heap empties.
        while (emitted < probes && heap.TryDequeue(out Set set, out _))
        {
            ReadOnlySpan<(float Score, int Plane, int Delta)> m = moves.AsSpan(set.Table * perTable, perTable);
            int next = set.Largest + 1;
            if (next < m.Length)
            {
                float shifted = set.Score - m[set.Largest].Score + m[next].Score;
                heap.Enqueue(new Set(shifted, set.Table, set.Positions & ~(1UL << set.Largest) | (1UL << next), next), (shifted, order++));
                float expanded = set.Score + m[next].Score;
                heap.Enqueue(new Set(expanded, set.Table, set.Positions | (1UL << next), next), (expanded, order++));
            }
            int n = 0;
            ulong planesUsed = 0;
            bool valid = true;
            for (ulong bits = set.Positions; bits != 0; bits &= bits - 1)
            {
                var move = m[System.Numerics.BitOperations.TrailingZeroCount(bits)];
                if ((planesUsed & (1UL << move.Plane)) != 0) { valid = false; break; }
                planesUsed |= 1UL << move.Plane;
                chosen[n++] = move;
            }
            if (!valid) continue;
            into.Add((set.Table, model.Perturbed(keys[set.Table], dots, set.Table, chosen[..n])));
            emitted++;
        }
    }
}

namespace Aknn.Embedded.Bucketing;

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

    /// <summary>Per-thread buffers, so a search allocates nothing here.</summary>
    private sealed class Scratch
    {
        public (float Score, int Plane, int Delta)[] Moves = [];
        public Set[] Heap = new Set[64];
    }

    [ThreadStatic] private static Scratch? t_scratch;

    public static void Append(LshModel model, float[] dots, ReadOnlySpan<uint> keys, int probes, List<(int Table, uint Key)> into)
    {
        var scratch = t_scratch ??= new Scratch();
        int tables = model.Tables, perTable = Math.Min(MaxPositions, model.Family == LshFamily.StableDistribution ? 2 * model.Bits : model.Bits);
        if (scratch.Moves.Length < tables * perTable) scratch.Moves = new (float, int, int)[tables * perTable];
        var moves = scratch.Moves;
        var heap = new MinHeap(scratch);
        for (int t = 0; t < tables; t++)
        {
            Span<(float Score, int Plane, int Delta)> m = moves.AsSpan(t * perTable, perTable);
            model.Perturbations(dots, t, m);
            heap.Push(new Set(m[0].Score, t, 1, 0));
        }
        Span<(float, int, int)> chosen = stackalloc (float, int, int)[MaxPositions];
        int emitted = 0;
        // Bounded: a budget larger than the number of distinct buckets near the query ends when the heap empties.
        while (emitted < probes && heap.TryPop(out Set set))
        {
            ReadOnlySpan<(float Score, int Plane, int Delta)> m = moves.AsSpan(set.Table * perTable, perTable);
            int next = set.Largest + 1;
            if (next < m.Length)
            {
                heap.Push(new Set(set.Score - m[set.Largest].Score + m[next].Score, set.Table, set.Positions & ~(1UL << set.Largest) | (1UL << next), next));
                heap.Push(new Set(set.Score + m[next].Score, set.Table, set.Positions | (1UL << next), next));
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

    /// <summary>
    /// A binary min-heap of sets by score over the thread's buffer. Ties go to the lower table, then
    /// the fewer positions, so the probe order is deterministic.
    /// </summary>
    private ref struct MinHeap(Scratch scratch)
    {
        private int _count;

        private static bool Less(in Set a, in Set b) =>
            a.Score != b.Score ? a.Score < b.Score : a.Table != b.Table ? a.Table < b.Table : a.Positions < b.Positions;

        public void Push(Set set)
        {
            if (_count == scratch.Heap.Length) Array.Resize(ref scratch.Heap, _count * 2);
            Set[] h = scratch.Heap;
            int i = _count++;
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (!Less(set, h[parent])) break;
                h[i] = h[parent];
                i = parent;
            }
            h[i] = set;
        }

        public bool TryPop(out Set top)
        {
            Set[] h = scratch.Heap;
            if (_count == 0)
            {
                top = default;
                return false;
            }
            top = h[0];
            Set last = h[--_count];
            int i = 0;
            while (true)
            {
                int child = 2 * i + 1;
                if (child >= _count) break;
                if (child + 1 < _count && Less(h[child + 1], h[child])) child++;
                if (!Less(h[child], last)) break;
                h[i] = h[child];
                i = child;
            }
            h[i] = last;
            return true;
        }
    }
}

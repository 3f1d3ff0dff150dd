using System.Runtime.Intrinsics.X86;
using Aknn.Embedded.Kernels;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Search;

/// <summary>
/// The compact re-rank of sign-code and bucket search: the candidates are ranked by the int8 copy of their
/// vectors (<see cref="CompactVectors"/>, a quarter of the bytes of the floats) and only the best
/// <see cref="RefineFactor"/> × K are re-ranked exactly with their float vectors.
/// </summary>
internal static unsafe partial class LshSearch
{
    /// <summary>How many rows per requested neighbour the int8 pass hands to the exact re-rank.</summary>
    internal const int RefineFactor = 8;

    /// <summary>Fewest dimensions at which the int8 pass is used (below, a float row is a few cache lines anyway).</summary>
    internal const int CompactMinDimensions = 128;

    /// <summary>Compact rows prefetched ahead of the one being scored.</summary>
    private const int CompactPrefetchAhead = 8;

    private sealed class CompactScratch
    {
        public short[] Query = [];
        /// <summary>Picked candidates without a compact copy (a tail's rows), measured exactly.</summary>
        public int[] Exact = [];
        public float[] HeapScores = [];
        public int[] HeapItems = [];
        public CompactVectors?[] BySource = [];
    }

    [ThreadStatic] private static CompactScratch? t_compactScratch;

    /// <summary>
    /// Whether the int8 pass may be used (true). Only a measuring harness turns it off, to compare
    /// the two re-ranks on one open index; searches read it once each.
    /// </summary>
    internal static volatile bool CompactRerankEnabled = true;

    /// <summary>
    /// Whether the candidates go through the int8 pass: a float top-K query of a metric the compact
    /// copy ranks (<see cref="CompactVectors.Supports"/>), of at least the pass's dimensions, with
    /// more candidates than the exact re-rank would take, and no id screen (a filter or an excluded
    /// id is checked as the budget is spent, and the tests compare the two re-ranks through a filter
    /// that accepts every row).
    /// </summary>
    private static bool UsesCompactRerank(SearchQuery q, int candidateCount) =>
        CompactRerankEnabled
        && q.Floats is { } floats && floats.Length >= CompactMinDimensions
        && CompactVectors.Supports(q.Metric)
        && !q.IsRadius && q.Filter is null && q.ExcludeIdUtf8 is null
        && Math.Min(candidateCount, q.Candidates) > RefineFactor * q.K;

    /// <summary>
    /// Takes the <paramref name="budget"/> live candidates of highest count, scores them by the int8
    /// dot product with the query, and re-ranks the best <see cref="RefineFactor"/> × K exactly
    /// (candidates from a tail, which has no compact copy, always go to the exact re-rank). Returns
    /// how many candidates were scored.
    /// </summary>
    private static long RerankCompact(Scratch s, SearchQuery q, Collector collector, RowSource[] sources, int candidateCount, int budget)
    {
        CompactScratch cs = t_compactScratch ??= new CompactScratch();
        float[] query = q.Floats!;
        int dims = query.Length;
        if (cs.Query.Length < dims) cs.Query = new short[dims];
        float queryUnit = CompactVectors.QuantizeQuery(query, cs.Query);
        var queryCodes = new ReadOnlySpan<short>(cs.Query, 0, dims);
        long mark = SearchStages.Now();
        int n = PickByCount(s, q, sources, candidateCount, budget);
        mark = SearchStages.Mark(SearchStages.Stage.Pick, mark);

        if (cs.BySource.Length < sources.Length) cs.BySource = new CompactVectors?[sources.Length];
        Array.Clear(cs.BySource, 0, sources.Length);
        CompactVectors? CompactOf(int source) =>
            cs.BySource[source] ??= sources[source].Segment is { } segment ? CompactVectors.For(segment) : null;

        // Score every picked row, keeping the best `refine` in a min-heap (most rows lose to its root).
        int refine = RefineFactor * q.K;
        if (cs.HeapScores.Length < refine)
        {
            cs.HeapScores = new float[refine];
            cs.HeapItems = new int[refine];
        }
        if (cs.Exact.Length < n) cs.Exact = new int[n];
        int heapCount = 0, exact = 0;
        for (int j = 0; j < n; j++)
        {
            if (Sse.IsSupported && j + CompactPrefetchAhead < n)
            {
                Candidate ahead = s.Candidates[s.Picked[j + CompactPrefetchAhead]];
                if (CompactOf(ahead.Source) is { } next)
                {
                    byte* row = (byte*)next.Row(ahead.Row);
                    for (int offset = 0; offset < next.BytesPerRow; offset += 64) Sse.Prefetch0(row + offset);
                }
            }
            int item = s.Picked[j];
            Candidate c = s.Candidates[item];
            if (CompactOf(c.Source) is not { } compact)
            {
                cs.Exact[exact++] = item;
                continue;
            }
            int dot = Int8DotKernels.Dot(queryCodes, new ReadOnlySpan<sbyte>(compact.Row(c.Row), dims));
            float score = compact.Score(c.Row, dot, queryUnit);
            if (heapCount < refine) HeapPush(cs.HeapScores, cs.HeapItems, ref heapCount, score, item);
            else if (score > cs.HeapScores[0]) HeapReplaceRoot(cs.HeapScores, cs.HeapItems, heapCount, score, item);
        }

        mark = SearchStages.Mark(SearchStages.Stage.Int8, mark);

        // The survivors (and the tail's candidates) are measured exactly; their order there does not matter.
        cs.HeapItems.AsSpan(0, heapCount).CopyTo(s.Picked);
        cs.Exact.AsSpan(0, exact).CopyTo(s.Picked.AsSpan(heapCount));
        MeasurePicked(s, q, collector, sources, heapCount + exact);
        SearchStages.Mark(SearchStages.Stage.Exact, mark);
        // The thread's scratch must not keep the copies of segments the index has dropped alive.
        Array.Clear(cs.BySource, 0, sources.Length);
        return n;
    }

    private static void HeapPush(float[] scores, int[] items, ref int count, float score, int item)
    {
        int i = count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (scores[parent] <= score) break;
            scores[i] = scores[parent];
            items[i] = items[parent];
            i = parent;
        }
        scores[i] = score;
        items[i] = item;
    }

    private static void HeapReplaceRoot(float[] scores, int[] items, int count, float score, int item)
    {
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= count) break;
            if (child + 1 < count && scores[child + 1] < scores[child]) child++;
            if (scores[child] >= score) break;
            scores[i] = scores[child];
            items[i] = items[child];
            i = child;
        }
        scores[i] = score;
        items[i] = item;
    }
}

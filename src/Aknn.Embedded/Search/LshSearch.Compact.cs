using System.Runtime.Intrinsics.X86;
using Aknn.Embedded.Kernels;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Search;

/// <summary>
/// The compact re-rank of sign-code search: the candidates are ranked by the int8 copy of their
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
        public int[] Picked = [];
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
    /// Whether the candidates go through the int8 pass: a float cosine or dot-product top-K query
    /// with more candidates than the exact re-rank would take, and no id screen (a filter or an
    /// excluded id is checked by <see cref="Rerank"/> as the budget is spent, which the int8 pass's
    /// cut would change).
    /// </summary>
    private static bool UsesCompactRerank(SearchQuery q, int candidateCount) =>
        CompactRerankEnabled
        && q.Floats is { Length: >= CompactMinDimensions }
        && q.Metric is Metric.Cosine or Metric.DotProduct
        && !q.IsRadius && q.Filter is null && q.ExcludeIdUtf8 is null
        && Math.Min(candidateCount, q.Candidates) > RefineFactor * q.K;

    /// <summary>
    /// Takes the <paramref name="budget"/> candidates of highest count (all live: the code ranking
    /// skipped deleted rows), scores them by the int8 dot product with the query, and re-ranks the
    /// best <see cref="RefineFactor"/> × K exactly. Returns how many candidates were scored.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static long RerankCompact(Scratch s, SearchQuery q, Collector collector, RowSource[] sources, int candidateCount, int budget)
    {
        CompactScratch cs = t_compactScratch ??= new CompactScratch();
        float[] query = q.Floats!;
        int dims = query.Length;
        if (cs.Query.Length < dims) cs.Query = new short[dims];
        CompactVectors.QuantizeQuery(query, cs.Query);
        var queryCodes = new ReadOnlySpan<short>(cs.Query, 0, dims);

        // The budget's best counts: a histogram of the count bytes gives the lowest count taken and
        // how many at that count still fit.
        Span<int> histogram = stackalloc int[256];
        histogram.Clear();
        for (int i = 0; i < candidateCount; i++) histogram[s.Candidates[i].Count]++;
        int take = Math.Min(budget, candidateCount), above = 0, lowest = 255;
        for (; lowest > 0 && above + histogram[lowest] < take; lowest--) above += histogram[lowest];
        int roomAtLowest = take - above;
        if (cs.Picked.Length < take) cs.Picked = new int[take];
        int n = 0;
        for (int i = 0; i < candidateCount && n < take; i++)
        {
            int count = s.Candidates[i].Count;
            if (count < lowest) continue;
            if (count == lowest)
            {
                if (roomAtLowest == 0) continue;
                roomAtLowest--;
            }
            cs.Picked[n++] = i;
        }

        if (cs.BySource.Length < sources.Length) cs.BySource = new CompactVectors?[sources.Length];
        Array.Clear(cs.BySource, 0, sources.Length);
        CompactVectors CompactOf(int source) => cs.BySource[source] ??= CompactVectors.For(sources[source].Segment!);

        // Score every picked row, keeping the best `refine` in a min-heap (most rows lose to its root).
        int refine = RefineFactor * q.K;
        if (cs.HeapScores.Length < refine)
        {
            cs.HeapScores = new float[refine];
            cs.HeapItems = new int[refine];
        }
        int heapCount = 0;
        for (int j = 0; j < n; j++)
        {
            if (Sse.IsSupported && j + CompactPrefetchAhead < n)
            {
                Candidate ahead = s.Candidates[cs.Picked[j + CompactPrefetchAhead]];
                byte* row = (byte*)CompactOf(ahead.Source).Row(ahead.Row);
                for (int offset = 0; offset < dims; offset += 64) Sse.Prefetch0(row + offset);
            }
            Candidate c = s.Candidates[cs.Picked[j]];
            CompactVectors compact = CompactOf(c.Source);
            float score = compact.Factor(c.Row) * Int8DotKernels.Dot(queryCodes, new ReadOnlySpan<sbyte>(compact.Row(c.Row), dims));
            if (heapCount < refine) HeapPush(cs.HeapScores, cs.HeapItems, ref heapCount, score, cs.Picked[j]);
            else if (score > cs.HeapScores[0]) HeapReplaceRoot(cs.HeapScores, cs.HeapItems, heapCount, score, cs.Picked[j]);
        }

        // The survivors become the whole candidate list of the exact re-rank (their order there does not matter).
        Span<Candidate> survivors = heapCount <= 128 ? stackalloc Candidate[heapCount] : new Candidate[heapCount];
        for (int j = 0; j < heapCount; j++)
        {
            Candidate c = s.Candidates[cs.HeapItems[j]];
            survivors[j] = c with { Count = 255 };
        }
        survivors.CopyTo(s.Candidates);
        Rerank(s, q, collector, sources, heapCount, heapCount);
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

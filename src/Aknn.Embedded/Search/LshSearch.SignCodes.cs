using System.Runtime.Intrinsics.X86;
using Aknn.Embedded.Bucketing;
using Aknn.Embedded.Kernels;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Search;

/// <summary>
/// Sign-code search (<see cref="IndexModel.SignCodes(int, int?)"/>): rank every row of a segment by
/// the Hamming distance of its sign code to the query's, keep the best <c>Candidates</c> of the
/// whole snapshot and re-rank them: at 128 dimensions or more by an int8 copy of their vectors
/// first, exactly only the best few (<see cref="RerankCompact"/>); otherwise all exactly.
/// </summary>
/// <remarks>
/// Long codes are ranked in two passes: the first <see cref="PrefixWords"/> words of every code (a
/// separate, contiguous array) are scanned to a shortlist of <see cref="ShortlistFactor"/> ×
/// Candidates rows, whose whole codes are then compared. The full scan reads every code's every
/// byte; the prefix scan reads 32 bytes a row.
/// </remarks>
internal static unsafe partial class LshSearch
{
    /// <summary>Rows whose code distances are computed per kernel call (a block of codes stays in L2 while its distances are written).</summary>
    private const int SignCodeBlockRows = 4096;

    /// <summary>
    /// Words of the short code the first pass ranks by (256 bits). On 200k × 768 cosine a 256-bit
    /// prefix with a shortlist of 6 × Candidates beat a 128-bit one with 16 × in recall and in speed
    /// (768-bit codes, 1,200 candidates: recall 0.958 against 0.942, 1,038 against about 600 QPS; the
    /// whole-code reads of the long shortlist were the cost); 192 bits with 8 × came between
    /// (docs/benchmarks.md, issue 12).
    /// </summary>
    internal const int PrefixWords = 4;

    /// <summary>
    /// How many rows per candidate the prefix pass keeps for the whole-code comparison (see
    /// <see cref="PrefixWords"/>; 4 × lost a little recall, 0.955 against 0.958, for no gain).
    /// </summary>
    internal const int ShortlistFactor = 6;

    /// <summary>Codes of at least this many words (512 bits) are ranked in two passes (shorter ones are scanned whole).</summary>
    private const int TwoPassMinWords = 2 * PrefixWords;

    private static SearchResults NearestBySignCode(Scratch s, Snapshot snapshot, SearchQuery q, LshModel model)
    {
        int k = q.K, budget = q.Candidates, tables = model.Tables, words = (tables + 7) / 8;
        var collector = new TopKCollector(k);
        long examined = 0;

        // The query's code: its key per table, one byte each, exactly as the stored rows' codes are read back.
        long mark = SearchStages.Now();
        Span<uint> keys = stackalloc uint[tables];
        float[] dots = model.RentDots(1);
        try
        {
            model.Keys(q.Row, 1, keys, dots);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(dots);
        }
        var code = new ulong[words];
        fixed (ulong* c = code)
            for (int t = 0; t < tables; t++) ((byte*)c)[t] = (byte)keys[t];

        mark = SearchStages.Mark(SearchStages.Stage.Probe, mark);
        RowSource[] sources = snapshot.Sources;
        if (s.Vectors.Length < sources.Length) s.Vectors = new IntPtr[sources.Length];
        int candidateCount = 0;
        for (int i = 0; i < sources.Length; i++)
        {
            RowSource source = sources[i];
            s.Vectors[i] = 0;
            if (source.Count == 0) continue;
            if (source.Segment is { } seg && seg.LshPostings(model) is { } postings && postings.SignCodes(seg.RowCount) is { } codes)
            {
                s.Vectors[i] = (IntPtr)seg.VectorsForScan();
                int shortlist = (int)Math.Min(int.MaxValue, (long)budget * ShortlistFactor);
                candidateCount = words >= TwoPassMinWords && seg.RowCount > 2 * shortlist && postings.SignCodePrefixes(seg.RowCount, PrefixWords) is { } prefixes
                    ? RankByPrefixThenCode(s, source, i, code, codes, prefixes, words, budget, shortlist, candidateCount)
                    : RankByCode(s, source, i, code, codes, words, budget, candidateCount);
                continue;
            }
            // Tail rows and tiny segments have no codes to rank: scanned exactly (they are few).
            ExactSearch.Scan(q, collector, source);
            examined += source.Count;
        }
        SearchStages.Mark(SearchStages.Stage.Count, mark);
        // Several segments each offered their best: the re-rank takes the closest codes first. At high
        // dimensions the int8 copy of the vectors ranks them first and only the best few are read as floats.
        long accepted = UsesCompactRerank(q, candidateCount)
            ? RerankCompact(s, q, collector, sources, candidateCount, budget)
            : Rerank(s, q, collector, sources, candidateCount, budget);
        return new SearchResults(ExactSearch.ToHits(q, collector), true, examined + accepted);
    }

    /// <summary>Ranks every whole code of one segment; appends its best <paramref name="budget"/> live rows to the candidates.</summary>
    private static int RankByCode(Scratch s, in RowSource source, int sourceIndex, ulong[] query, ulong[] codes, int words, int budget, int candidateCount)
    {
        int rows = source.Count;
        int[] d = Room(ref s.Distances, rows);
        for (int first = 0; first < rows; first += SignCodeBlockRows)
        {
            int n = Math.Min(SignCodeBlockRows, rows - first);
            HammingKernels.DistanceBatch(query, codes.AsSpan(first * words, n * words), d.AsSpan(first, n));
        }
        int maxDistance = words * 64;
        int limit = Limit(d.AsSpan(0, rows), maxDistance, budget, out int roomAtLimit);
        int wanted = Math.Min(budget, rows);
        EnsureCandidates(s, candidateCount + wanted);
        for (int r = 0; r < rows && wanted > 0; r++)
        {
            int distance = d[r];
            if (distance > limit || !TakeAt(distance, limit, ref roomAtLimit) || source.IsDeleted(r)) continue;
            s.Candidates[candidateCount++] = new Candidate(sourceIndex, r, CountOf(distance, maxDistance));
            wanted--;
        }
        return candidateCount;
    }

    /// <summary>
    /// Ranks the short prefixes of every code to a shortlist of <paramref name="shortlist"/> rows,
    /// then their whole codes; appends the best <paramref name="budget"/> live rows to the candidates.
    /// </summary>
    private static int RankByPrefixThenCode(Scratch s, in RowSource source, int sourceIndex, ulong[] query, ulong[] codes, ulong[] prefixes,
        int words, int budget, int shortlist, int candidateCount)
    {
        int rows = source.Count;
        int[] d = Room(ref s.Distances, rows);
        ReadOnlySpan<ulong> queryPrefix = query.AsSpan(0, PrefixWords);
        for (int first = 0; first < rows; first += SignCodeBlockRows)
        {
            int n = Math.Min(SignCodeBlockRows, rows - first);
            HammingKernels.DistanceBatch(queryPrefix, prefixes.AsSpan(first * PrefixWords, n * PrefixWords), d.AsSpan(first, n));
        }
        int limit = Limit(d.AsSpan(0, rows), PrefixWords * 64, shortlist, out int roomAtLimit);
        int[] listed = Room(ref s.Shortlist, shortlist);
        int count = 0;
        for (int r = 0; r < rows && count < shortlist; r++)
        {
            int distance = d[r];
            if (distance <= limit && TakeAt(distance, limit, ref roomAtLimit)) listed[count++] = r;
        }
        // The whole codes of the shortlist, fetched a few rows ahead so that their misses overlap.
        int[] full = Room(ref s.ShortlistDistances, count);
        fixed (ulong* c = codes)
        {
            for (int i = 0; i < count; i++)
            {
                if (Sse.IsSupported && i + PrefetchAhead < count)
                {
                    ulong* ahead = c + (long)listed[i + PrefetchAhead] * words;
                    Sse.Prefetch0(ahead);
                    Sse.Prefetch0((byte*)ahead + words * 8 - 1);
                }
                full[i] = HammingKernels.Distance(query, new ReadOnlySpan<ulong>(c + (long)listed[i] * words, words));
            }
        }
        int maxDistance = words * 64;
        limit = Limit(full.AsSpan(0, count), maxDistance, budget, out roomAtLimit);
        int wanted = Math.Min(budget, count);
        EnsureCandidates(s, candidateCount + wanted);
        for (int i = 0; i < count && wanted > 0; i++)
        {
            int distance = full[i];
            if (distance > limit || !TakeAt(distance, limit, ref roomAtLimit) || source.IsDeleted(listed[i])) continue;
            s.Candidates[candidateCount++] = new Candidate(sourceIndex, listed[i], CountOf(distance, maxDistance));
            wanted--;
        }
        return candidateCount;
    }

    /// <summary>
    /// A counting selection: returns the largest distance (the limit) such that at most
    /// <paramref name="take"/> values lie below it, and how many values equal to it still fit.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static int Limit(ReadOnlySpan<int> distances, int maxDistance, int take, out int roomAtLimit)
    {
        Span<int> histogram = maxDistance < 4096 ? stackalloc int[maxDistance + 1] : new int[maxDistance + 1];
        histogram.Clear();
        foreach (int d in distances) histogram[d]++;
        int limit = 0, below = 0;
        for (; limit < maxDistance; limit++)
        {
            if (below + histogram[limit] >= take) break;
            below += histogram[limit];
        }
        roomAtLimit = take - below;
        return limit;
    }

    /// <summary>Whether a value at distance <paramref name="distance"/> (at most the limit) is taken: always below the limit, at it while room lasts.</summary>
    private static bool TakeAt(int distance, int limit, ref int roomAtLimit)
    {
        if (distance < limit) return true;
        if (roomAtLimit == 0) return false;
        roomAtLimit--;
        return true;
    }

    /// <summary>The count byte that orders candidates for <see cref="Rerank"/>: closer codes count more.</summary>
    private static byte CountOf(int distance, int maxDistance) => (byte)(255 - (long)distance * 255 / Math.Max(1, maxDistance));

    private static int[] Room(ref int[] array, int length)
    {
        if (array.Length < length) array = new int[Math.Max(length, array.Length * 2)];
        return array;
    }

    private static void EnsureCandidates(Scratch s, int length)
    {
        if (length > s.Candidates.Length) Array.Resize(ref s.Candidates, Math.Max(length, s.Candidates.Length * 2));
    }
}

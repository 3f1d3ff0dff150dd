using Aknn.Embedded.Bucketing;
using Aknn.Embedded.Kernels;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Search;

/// <summary>
/// Sign-code search (<see cref="IndexModel.SignCodes(int, int?)"/>): rank every row of a segment by
/// the Hamming distance of its sign code to the query's, keep the best <c>Candidates</c> of the
/// whole snapshot and re-rank them exactly.
/// </summary>
internal static unsafe partial class LshSearch
{
    /// <summary>Rows whose code distances are computed per kernel call (a block of codes stays in L2 while its distances are written).</summary>
    private const int SignCodeBlockRows = 4096;

    private static SearchResults NearestBySignCode(Scratch s, Snapshot snapshot, SearchQuery q, LshModel model)
    {
        int k = q.K, budget = q.Candidates, tables = model.Tables, words = (tables + 7) / 8;
        var collector = new TopKCollector(k);
        long examined = 0;

        // The query's code: its key per table, one byte each, exactly as the stored rows' codes are read back.
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

        RowSource[] sources = snapshot.Sources;
        if (s.Vectors.Length < sources.Length) s.Vectors = new IntPtr[sources.Length];
        int candidateCount = 0;
        int maxDistance = tables * 8;
        for (int i = 0; i < sources.Length; i++)
        {
            RowSource source = sources[i];
            s.Vectors[i] = 0;
            if (source.Count == 0) continue;
            if (source.Segment is { } seg && seg.LshPostings(model) is { } postings && postings.SignCodes(seg.RowCount) is { } codes)
            {
                s.Vectors[i] = (IntPtr)seg.VectorsForScan();
                candidateCount = RankByCode(s, source, i, code, codes, words, budget, maxDistance, candidateCount);
                continue;
            }
            // Tail rows and tiny segments have no codes to rank: scanned exactly (they are few).
            ExactSearch.Scan(q, collector, source);
            examined += source.Count;
        }
        // Several segments each offered their best: Rerank takes the closest codes first.
        long accepted = Rerank(s, q, collector, sources, candidateCount, budget);
        return new SearchResults(ExactSearch.ToHits(q, collector), true, examined + accepted);
    }

    /// <summary>
    /// Appends the live rows of one segment with the <paramref name="budget"/> smallest code
    /// distances to the candidates (their count byte ranks closer codes higher), and returns the new
    /// candidate count.
    /// </summary>
    private static int RankByCode(Scratch s, in RowSource source, int sourceIndex, ulong[] query, ulong[] codes, int words, int budget,
        int maxDistance, int candidateCount)
    {
        int rows = source.Count;
        if (s.Distances.Length < rows) s.Distances = new int[Math.Max(rows, s.Distances.Length * 2)];
        int[] d = s.Distances;
        for (int first = 0; first < rows; first += SignCodeBlockRows)
        {
            int n = Math.Min(SignCodeBlockRows, rows - first);
            HammingKernels.DistanceBatch(query, codes.AsSpan(first * words, n * words), d.AsSpan(first, n));
        }
        // A counting selection: the histogram of distances gives the largest distance that still
        // fits the budget; rows up to it are taken in row order (ties at the limit while room lasts).
        Span<int> histogram = stackalloc int[maxDistance + 2];
        histogram.Clear();
        for (int r = 0; r < rows; r++) histogram[d[r]]++;
        int limit = 0, below = 0;
        for (; limit <= maxDistance; limit++)
        {
            if (below + histogram[limit] >= budget) break;
            below += histogram[limit];
        }
        int roomAtLimit = budget - below;
        int wanted = Math.Min(budget, rows);
        if (candidateCount + wanted > s.Candidates.Length) Array.Resize(ref s.Candidates, Math.Max(candidateCount + wanted, s.Candidates.Length * 2));
        for (int r = 0; r < rows && wanted > 0; r++)
        {
            int distance = d[r];
            if (distance > limit || source.IsDeleted(r)) continue;
            if (distance == limit)
            {
                if (roomAtLimit == 0) continue;
                roomAtLimit--;
            }
            // A deleted row within the limit is skipped without taking its place (checking only these
            // few rows costs less than a check per row); the segment then offers a few rows fewer.
            byte count = (byte)(255 - (long)distance * 255 / Math.Max(1, maxDistance));
            s.Candidates[candidateCount++] = new Candidate(sourceIndex, r, count);
            wanted--;
        }
        return candidateCount;
    }
}

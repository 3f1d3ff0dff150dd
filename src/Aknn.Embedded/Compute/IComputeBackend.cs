using Aknn.Embedded.Search;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Compute;

/// <summary>
/// The operations worth offloading: exact k-nearest-neighbour and radius search of a batch of
/// queries over one segment, for float vectors (L2, cosine, dot, L1) and binary codes (Hamming).
/// Every implementation leaves each query's collector exactly as
/// <see cref="ExactSearch.Scan"/> would: same rows, same distances, bit for bit; deletions
/// at the snapshot's sequence, the filter and the tie rule apply as on the CPU.
/// </summary>
internal interface IComputeBackend
{
    /// <summary>"cpu" or "opencl", for diagnostics and benchmark lines.</summary>
    string Name { get; }

    /// <summary>
    /// Offers each query the K nearest live rows of <paramref name="segment"/> (and whatever
    /// else the scan would have offered; the collectors keep the best K).
    /// </summary>
    /// <param name="segment">The segment to scan; the caller holds a snapshot that keeps it mapped.</param>
    /// <param name="sequence">The snapshot's sequence: rows deleted at or before it are skipped.</param>
    /// <param name="queries">Prepared queries, all of the segment's metric.</param>
    /// <param name="k">The K of every query's top-K collector.</param>
    /// <param name="collectors">One top-K collector per query.</param>
    /// <param name="parallel">Whether per-query host work may run on several threads (false when a filter is set).</param>
    void Nearest(Segment segment, long sequence, IReadOnlyList<SearchQuery> queries, int k, Collector[] collectors, bool parallel);

    /// <summary>Offers each query every live row of <paramref name="segment"/> within the ranking distance <paramref name="bound"/>.</summary>
    /// <param name="segment">The segment to scan.</param>
    /// <param name="sequence">The snapshot's sequence.</param>
    /// <param name="queries">Prepared queries, all of the segment's metric.</param>
    /// <param name="bound">The ranking bound (squared for Euclidean, see <see cref="SearchQuery.RankingBound"/>).</param>
    /// <param name="collectors">One radius collector per query.</param>
    /// <param name="parallel">Whether per-query host work may run on several threads.</param>
    void Within(Segment segment, long sequence, IReadOnlyList<SearchQuery> queries, float bound, Collector[] collectors, bool parallel);
}

/// <summary>The CPU back end: the SIMD scan of <see cref="ExactSearch"/>, one query per core at a time.</summary>
internal sealed class CpuBackend : IComputeBackend
{
    public static readonly CpuBackend Instance = new();

    public string Name => "cpu";

    public void Nearest(Segment segment, long sequence, IReadOnlyList<SearchQuery> queries, int k, Collector[] collectors, bool parallel) =>
        Scan(segment, sequence, queries, collectors, parallel);

    public void Within(Segment segment, long sequence, IReadOnlyList<SearchQuery> queries, float bound, Collector[] collectors, bool parallel) =>
        Scan(segment, sequence, queries, collectors, parallel);

    private static void Scan(Segment segment, long sequence, IReadOnlyList<SearchQuery> queries, Collector[] collectors, bool parallel)
    {
        if (parallel && queries.Count > 1)
            Parallel.For(0, queries.Count, q => ExactSearch.Scan(queries[q], collectors[q], new RowSource(segment, sequence)));
        else
            for (int q = 0; q < queries.Count; q++) ExactSearch.Scan(queries[q], collectors[q], new RowSource(segment, sequence));
    }

    /// <summary>Scans one query over one segment: the fallback of the device back end.</summary>
    public static void ScanOne(Segment segment, long sequence, SearchQuery query, Collector collector) =>
        ExactSearch.Scan(query, collector, new RowSource(segment, sequence));
}

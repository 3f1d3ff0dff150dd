using Aknn.Embedded.Compute;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Search;

/// <summary>
/// Exact search of a batch of queries over one snapshot: each segment through the back end the
/// selector picks for it, the frozen and active tails (small, changing, in memory) on the CPU,
/// then each query's collector turned into hits exactly as <see cref="ExactSearch.Run"/> does.
/// </summary>
internal static class BatchSearch
{
    /// <summary>Runs the batch; every query is of the same kind (all top-K with one K, or all radius with one bound).</summary>
    /// <param name="snapshot">The snapshot all queries see.</param>
    /// <param name="queries">At least one query.</param>
    /// <param name="selector">Picks the back end per segment.</param>
    public static List<Hit>[] Run(Snapshot snapshot, SearchQuery[] queries, ComputeSelector selector)
    {
        SearchQuery first = queries[0];
        // A filter is user code that may not be thread-safe: a batch with one runs on one thread.
        bool parallel = first.Filter is null;
        var collectors = new Collector[queries.Length];
        for (int i = 0; i < collectors.Length; i++) collectors[i] = queries[i].NewCollector();
        var tails = new List<RowSource>(2);
        foreach (RowSource source in snapshot.Sources)
        {
            if (source.Segment is not { } seg)
            {
                tails.Add(source);
                continue;
            }
            IComputeBackend backend = selector.For(seg.RowCount, seg.RowBytes, queries.Length);
            if (first.IsRadius) backend.Within(seg, source.Sequence, queries, first.Bound, collectors, parallel);
            else backend.Nearest(seg, source.Sequence, queries, first.K, collectors, parallel);
        }
        var hits = new List<Hit>[queries.Length];
        void Finish(int q)
        {
            foreach (RowSource tail in tails) ExactSearch.Scan(queries[q], collectors[q], tail);
            hits[q] = ExactSearch.ToHits(queries[q], collectors[q]);
        }
        if (parallel && queries.Length > 1) Parallel.For(0, queries.Length, Finish);
        else for (int q = 0; q < queries.Length; q++) Finish(q);
        return hits;
    }
}

using Aknn.Embedded.Search;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Compute;

/// <summary>
/// Exact search of a batch of queries over one snapshot: each segment through the back end the
/// selector picks for it, the frozen and active tails (small, changing, in memory) on the CPU,
/// then each query's collector turned into hits exactly as <see cref="ExactSearch.Run"/> does.
/// </summary>
internal static class BatchSearch
{
    public static List<Hit>[] Nearest(Snapshot snapshot, ExactSearch.Query[] queries, int k, ComputeSelector selector, bool parallel)
    {
        var collectors = new Collector[queries.Length];
        for (int i = 0; i < collectors.Length; i++) collectors[i] = new TopKCollector(k);
        return Run(snapshot, queries, collectors, parallel,
            seg => selector.For(seg.RowCount, seg.RowBytes, queries.Length).Nearest(seg, snapshot.Sequence, queries, k, collectors, parallel));
    }

    public static List<Hit>[] Within(Snapshot snapshot, ExactSearch.Query[] queries, float bound, ComputeSelector selector, bool parallel)
    {
        var collectors = new Collector[queries.Length];
        for (int i = 0; i < collectors.Length; i++) collectors[i] = new RadiusCollector(bound);
        return Run(snapshot, queries, collectors, parallel,
            seg => selector.For(seg.RowCount, seg.RowBytes, queries.Length).Within(seg, snapshot.Sequence, queries, bound, collectors, parallel));
    }

    private static List<Hit>[] Run(Snapshot snapshot, ExactSearch.Query[] queries, Collector[] collectors, bool parallel, Action<Segment> segment)
    {
        foreach (Segment seg in snapshot.Segments.Items) segment(seg);
        var hits = new List<Hit>[queries.Length];
        void Tail(int q)
        {
            if (snapshot.Frozen is { } frozen)
                ExactSearch.ScanTail(queries[q], collectors[q], frozen.Chunks, frozen.Count, frozen.ChunkRows, snapshot.Sequence);
            ExactSearch.ScanTail(queries[q], collectors[q], snapshot.Chunks, snapshot.TailCount, snapshot.Tail.ChunkRows, snapshot.Sequence);
            hits[q] = ExactSearch.ToHits(queries[q], collectors[q]);
        }
        if (parallel && queries.Length > 1) Parallel.For(0, queries.Length, Tail);
        else for (int q = 0; q < queries.Length; q++) Tail(q);
        return hits;
    }
}

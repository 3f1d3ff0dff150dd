using Aknn.Embedded.Compute;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Search;

/// <summary>
/// Chooses how a prepared <see cref="SearchQuery"/> runs over a snapshot, so that
/// <see cref="VectorIndex"/> only validates and delegates:
/// <list type="bullet">
/// <item>nearest neighbours on an LSH index (model fitted, <see cref="SearchOptions.Exact"/> not set): <see cref="LshSearch"/>, which scans a source that has no tables;</item>
/// <item>binary codes on a multi-index hashing index: <see cref="CodeSearch"/>, which probes or scans each source by its cost model;</item>
/// <item>everything else: the exact scan (<see cref="ExactSearch"/>);</item>
/// <item>a batch: <see cref="BatchSearch"/>, which sends each segment to the back end the <see cref="ComputeSelector"/> picks (an OpenCL device or the CPU) and scans the tails on the CPU.</item>
/// </list>
/// </summary>
internal sealed class SearchPlanner(IndexEngine engine, ComputeSelector compute)
{
    /// <summary>The back-end selector of batches; tests replace it to simulate a missing runtime.</summary>
    public ComputeSelector Compute { get; set; } = compute;

    /// <summary>The K nearest rows.</summary>
    public SearchResults Nearest(Snapshot snapshot, SearchQuery query)
    {
        if (engine.Lsh is { } lsh && !query.Exact)
            return LshSearch.Nearest(snapshot, query, lsh, query.Probes ?? engine.LshProbes);
        var hits = MultiIndexHashing
            ? CodeSearch.Nearest(snapshot, query)
            : ExactSearch.Run(snapshot, query, query.NewCollector());
        return new SearchResults(hits, false, snapshot.LiveCount);
    }

    /// <summary>Every row within the query's radius (exact for every model: LSH tables are not used).</summary>
    public List<Hit> Within(Snapshot snapshot, SearchQuery query) =>
        engine.Metric == Metric.Hamming ? CodeSearch.Within(snapshot, query) : ExactSearch.Run(snapshot, query, query.NewCollector());

    /// <summary>Exact results for many queries of one kind at once (see <see cref="BatchSearch"/>).</summary>
    public IReadOnlyList<IReadOnlyList<Hit>> Batch(Snapshot snapshot, SearchQuery[] queries) =>
        queries.Length == 0 ? [] : BatchSearch.Run(snapshot, queries, Compute);

    /// <summary>For tests: bucket counts of the LSH tables (see <see cref="LshSearch.BucketCounts"/>).</summary>
    public Dictionary<string, int> LshBucketCounts(Snapshot snapshot, SearchQuery query, List<(int Table, uint Key)> keys) =>
        LshSearch.BucketCounts(snapshot, query, engine.Lsh ?? throw new InvalidOperationException("The LSH model is not fitted yet."), keys);

    /// <summary>Binary codes under a multi-index hashing model (not LSH, which hashes codes by bit sampling).</summary>
    private bool MultiIndexHashing => engine.Metric == Metric.Hamming && engine.Schema.Model != IndexModelKind.Lsh;
}

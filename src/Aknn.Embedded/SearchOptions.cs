namespace Aknn.Embedded;

/// <summary>
/// Decides whether a row may appear in search results. It receives the row's id and payload
/// (empty when the row has none) and is called only for rows close enough to enter the results,
/// so a selective filter costs little.
/// </summary>
/// <param name="id">The row's id.</param>
/// <param name="payload">The row's payload bytes.</param>
/// <returns><see langword="true"/> to keep the row.</returns>
public delegate bool SearchFilter(string id, ReadOnlySpan<byte> payload);

/// <summary>Options for <see cref="VectorIndex.Search(ReadOnlySpan{float}, SearchOptions?)"/> and its siblings.</summary>
public sealed class SearchOptions
{
    /// <summary>Largest number of results per query.</summary>
    public const int MaxK = 100_000;

    /// <summary>Number of nearest results to return (1 to 100,000). Default 10.</summary>
    public int K { get; init; } = 10;

    /// <summary>Only rows this filter accepts are returned. Default: none.</summary>
    public SearchFilter? Filter { get; init; }

    /// <summary>Whether hits carry their payload. Default: false.</summary>
    public bool IncludePayload { get; init; }

    /// <summary>
    /// For <see cref="VectorIndex.SearchById"/>: whether the item itself may be returned (at distance
    /// 0). Default: false, so the results are the item's K nearest other items.
    /// </summary>
    public bool IncludeSelf { get; init; }

    /// <summary>Largest <see cref="Candidates"/>.</summary>
    public const int MaxCandidates = 10_000_000;

    /// <summary>Largest <see cref="Probes"/>.</summary>
    public const int MaxProbes = 100_000;

    /// <summary>
    /// For LSH indexes: how many candidates, ranked by the number of tables whose bucket they share
    /// with the query, are re-ranked by their exact distance to find the best <see cref="K"/>
    /// (EsAknn's k1). More candidates raise recall and cost time. Default: null, meaning
    /// max(<see cref="DefaultSignCodeCandidates"/>, 80 × K) for <see cref="LshFamily.SignCodes"/> and
    /// max(<see cref="DefaultBucketCandidates"/>, 320 × K) for the bucket-table families: with
    /// <see cref="IndexModel.Lsh()"/>'s defaults, enough for recall@10 ≥ 0.9 on the benchmark data
    /// (fewer candidates are faster; measure recall with <see cref="Exact"/> searches before
    /// lowering it). With at least as many candidates as live rows in the query's buckets, the
    /// result is the exact nearest neighbours among those rows. Ignored by other models.
    /// </summary>
    public int? Candidates { get; init; }

    /// <summary>
    /// For LSH indexes: extra buckets to probe beyond each table's own bucket (multi-probe), shared by
    /// all tables and taken in the order of how close the query lies to each bucket boundary.
    /// Default: null, meaning the model's <see cref="IndexModel.Probes"/>. When the probed buckets hold
    /// fewer than K rows (a query far from the data), the search probes further buckets, nearest
    /// first, doubling the budget up to four times, rather than return fewer than K results.
    /// </summary>
    public int? Probes { get; init; }

    /// <summary>
    /// For LSH indexes: search exactly (scan every row, recall 1) instead of through the hash tables,
    /// for example to measure recall. Default: false. Other models are exact already.
    /// </summary>
    public bool Exact { get; init; }

    /// <summary>For tests and benchmarks: forces probing or scanning of binary-code sources instead of the cost model's choice.</summary>
    internal SearchStrategy Strategy { get; init; }

    internal static readonly SearchOptions Default = new();

    /// <summary>Smallest default <see cref="Candidates"/> of a sign-code model (K = 10 or less).</summary>
    public const int DefaultSignCodeCandidates = 800;

    /// <summary>Smallest default <see cref="Candidates"/> of a bucket-table model (K = 10 or less).</summary>
    public const int DefaultBucketCandidates = 3200;

    /// <summary>The candidate budget of an LSH search whose options leave <see cref="Candidates"/> unset.</summary>
    internal static int DefaultCandidates(LshFamily family, int k) => family == LshFamily.SignCodes
        ? (int)Math.Min(MaxCandidates, Math.Max(DefaultSignCodeCandidates, 80L * k))
        : (int)Math.Min(MaxCandidates, Math.Max(DefaultBucketCandidates, 320L * k));

    internal void Validate()
    {
        if (K < 1 || K > MaxK)
            throw new ArgumentOutOfRangeException(nameof(K), K, $"K must lie between 1 and {MaxK}.");
        if (Candidates is { } c && (c < K || c > MaxCandidates))
            throw new ArgumentOutOfRangeException(nameof(Candidates), c, $"Candidates must lie between K ({K}) and {MaxCandidates}: the candidates are re-ranked to the best K.");
        if (Probes is < 0 or > MaxProbes)
            throw new ArgumentOutOfRangeException(nameof(Probes), Probes, $"Probes must lie between 0 and {MaxProbes}.");
    }
}

/// <summary>How a binary-code search treats a source that has substring tables.</summary>
internal enum SearchStrategy
{
    /// <summary>Probe or scan, whichever the cost model expects to be faster.</summary>
    Auto,
    /// <summary>Always probe the tables (scan only sources without tables).</summary>
    Probe,
    /// <summary>Always scan.</summary>
    Scan,
}

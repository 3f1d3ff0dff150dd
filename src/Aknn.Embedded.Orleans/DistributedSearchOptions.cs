namespace Aknn.Embedded.Orleans;

/// <summary>Options of a search of a <see cref="ShardedCollection"/>; the first ones mean what they mean in <see cref="SearchOptions"/>.</summary>
public sealed class DistributedSearchOptions
{
    /// <summary>Number of nearest results (1 to <see cref="SearchOptions.MaxK"/>). Each shard returns its best K and the caller merges them. Default 10.</summary>
    public int K { get; init; } = 10;

    /// <summary>For LSH collections: candidates re-ranked per shard (<see cref="SearchOptions.Candidates"/>). Default: null (the core's default).</summary>
    public int? Candidates { get; init; }

    /// <summary>For LSH collections: extra buckets probed per table (<see cref="SearchOptions.Probes"/>). Default: null.</summary>
    public int? Probes { get; init; }

    /// <summary>For LSH collections: scan every row instead (<see cref="SearchOptions.Exact"/>). Default: false.</summary>
    public bool Exact { get; init; }

    /// <summary>Whether hits carry their payloads. Default: false.</summary>
    public bool IncludePayload { get; init; }

    /// <summary>For searches by id: whether the item itself may be returned. Default: false.</summary>
    public bool IncludeSelf { get; init; }

    /// <summary>
    /// When a shard cannot be reached: true (the default) returns the hits of the other shards, with
    /// <see cref="DistributedSearchResults.IsPartial"/> set and the missing shards named; false throws
    /// <see cref="ShardUnavailableException"/> instead.
    /// </summary>
    public bool AllowPartialResults { get; init; } = true;

    /// <summary>How long to wait for each shard before counting it as missing. Default 30 seconds.</summary>
    public TimeSpan ShardTimeout { get; init; } = TimeSpan.FromSeconds(30);

    internal static readonly DistributedSearchOptions Default = new();

    internal void Validate()
    {
        if (K < 1 || K > SearchOptions.MaxK)
            throw new ArgumentOutOfRangeException(nameof(K), K, $"K must lie between 1 and {SearchOptions.MaxK}.");
        if (Candidates is { } c && (c < K || c > SearchOptions.MaxCandidates))
            throw new ArgumentOutOfRangeException(nameof(Candidates), c, $"Candidates must lie between K ({K}) and {SearchOptions.MaxCandidates}: the candidates are re-ranked to the best K.");
        if (Probes is < 0 or > SearchOptions.MaxProbes)
            throw new ArgumentOutOfRangeException(nameof(Probes), Probes, $"Probes must lie between 0 and {SearchOptions.MaxProbes}.");
        if (ShardTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ShardTimeout), ShardTimeout, "ShardTimeout must be positive.");
    }
}

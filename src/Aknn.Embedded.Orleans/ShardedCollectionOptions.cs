namespace Aknn.Embedded.Orleans;

/// <summary>How a <see cref="ShardedCollection"/> is created. Every value is fixed for the life of the collection.</summary>
public sealed class ShardedCollectionOptions
{
    /// <summary>Largest <see cref="ShardCount"/>.</summary>
    public const int MaxShards = 4096;

    /// <summary>
    /// Number of shards (1 to 4096). Fixed at creation: an id's shard is its hash modulo this count,
    /// so changing it means rewriting every row into a new collection. Choose a few shards per silo you
    /// expect to have at the largest (docs/distributed.md), so that shards can be moved to new silos.
    /// </summary>
    public int ShardCount { get; init; } = 6;

    /// <summary>Vector components, or code length in bits for <see cref="Metric.Hamming"/> (as <see cref="IndexOptions.Dimensions"/>).</summary>
    public int Dimensions { get; init; }

    /// <summary>The distance metric. Default: Euclidean.</summary>
    public Metric Metric { get; init; } = Metric.Euclidean;

    /// <summary>The search model of every shard. Default: exact.</summary>
    public ShardModelKind Model { get; init; } = ShardModelKind.Exact;

    /// <summary>For <see cref="ShardModelKind.Lsh"/>: hash tables per shard. Default 16.</summary>
    public int LshTables { get; init; } = 16;

    /// <summary>For <see cref="ShardModelKind.Lsh"/>: bits per table. Default 12.</summary>
    public int LshBitsPerTable { get; init; } = 12;

    /// <summary>For <see cref="ShardModelKind.Lsh"/>: extra buckets probed per table. Default 0.</summary>
    public int LshProbes { get; init; }

    /// <summary>For <see cref="ShardModelKind.Lsh"/>: the seed shared by every shard's hash functions. Default 1.</summary>
    public int Seed { get; init; } = 1;

    internal void Validate()
    {
        if (ShardCount is < 1 or > MaxShards)
            throw new ArgumentOutOfRangeException(nameof(ShardCount), ShardCount, $"ShardCount must lie between 1 and {MaxShards}; choose a few shards per silo you expect at the largest.");
        if (Dimensions < 1 || Dimensions > IndexOptions.MaxDimensions)
            throw new ArgumentOutOfRangeException(nameof(Dimensions), Dimensions, $"Dimensions must lie between 1 and {IndexOptions.MaxDimensions}.");
        if (Metric == Metric.Hamming && Dimensions % 64 != 0)
            throw new ArgumentOutOfRangeException(nameof(Dimensions), Dimensions, "Under Metric.Hamming, Dimensions is the code length in bits and must be a multiple of 64.");
        if (Model == ShardModelKind.MultiIndexHashing && Metric != Metric.Hamming)
            throw new ArgumentException("Multi-index hashing searches binary codes: use it with Metric.Hamming, or choose Exact or Lsh for float vectors.", nameof(Model));
    }
}

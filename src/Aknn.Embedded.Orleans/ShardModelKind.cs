namespace Aknn.Embedded.Orleans;

/// <summary>The search model every shard of a collection uses.</summary>
public enum ShardModelKind
{
    /// <summary>Exact search (<see cref="IndexModel.Exact"/>): every shard scans its rows.</summary>
    Exact,

    /// <summary>
    /// Locality-sensitive hashing (<see cref="IndexModel.Lsh(int, int, int, int?)"/>, the family chosen by the metric) with
    /// the same seed on every shard, so a vector hashes the same way wherever it is stored.
    /// </summary>
    Lsh,

    /// <summary>Multi-index hashing for binary codes (<see cref="IndexModel.MultiIndexHashing"/>): exact radius and k-NN search.</summary>
    MultiIndexHashing,
}

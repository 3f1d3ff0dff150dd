namespace Aknn.Embedded.Orleans.Contracts;

/// <summary>What every shard of a collection is created with; fixed when the collection is created and stored in its shard map.</summary>
[GenerateSerializer, Immutable]
internal sealed record CollectionSpec(
    [property: Id(0)] string Name,
    [property: Id(1)] int ShardCount,
    [property: Id(2)] int Dimensions,
    [property: Id(3)] Metric Metric,
    [property: Id(4)] ShardModelKind ModelKind,
    [property: Id(5)] int Tables,
    [property: Id(6)] int BitsPerTable,
    [property: Id(7)] int Probes,
    [property: Id(8)] int Seed)
{
    /// <summary>The core model every shard index is created with. The seed is shared so that every shard hashes a vector the same way.</summary>
    public IndexModel ToIndexModel() => ModelKind switch
    {
        ShardModelKind.Lsh => IndexModel.Lsh(Tables, BitsPerTable, Probes, Seed),
        ShardModelKind.MultiIndexHashing => IndexModel.MultiIndexHashing(),
        _ => IndexModel.Exact,
    };
}

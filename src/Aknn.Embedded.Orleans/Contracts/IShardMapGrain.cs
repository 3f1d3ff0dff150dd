namespace Aknn.Embedded.Orleans.Contracts;

/// <summary>The shard map of one collection, kept in Orleans grain storage. Key: the collection name.</summary>
internal interface IShardMapGrain : IGrainWithStringKey
{
    Task<ShardMapState> Create(CollectionSpec spec);
    Task<ShardMapState?> Get();
    Task SetOwner(int shard, string silo);
    Task<string[]> ActiveSilos();
}

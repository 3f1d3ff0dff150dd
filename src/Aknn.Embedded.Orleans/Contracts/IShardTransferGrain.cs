namespace Aknn.Embedded.Orleans.Contracts;

/// <summary>Runs on the silo a shard moves to and pulls the shard's files there. Key: "collection/shard@silo".</summary>
internal interface IShardTransferGrain : IGrainWithStringKey
{
    /// <summary>Copies the listed files from the source shard into this silo's data folder; returns the bytes copied.</summary>
    Task<long> Pull(string[] files);
}

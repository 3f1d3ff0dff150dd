namespace Aknn.Embedded.Orleans.Contracts;

/// <summary>One shard: a <see cref="VectorIndex"/> in the data folder of the silo that owns it. Key: "collection/shard".</summary>
internal interface IShardGrain : IGrainWithStringKey
{
    Task<WriteStatus> Upsert(string id, float[]? vector, ulong[]? code, byte[]? payload);
    Task<WriteStatus> UpsertBatch(string[] ids, float[]? vectors, ulong[]? codes, byte[]?[]? payloads);
    Task<WriteStatus> Delete(string id);
    Task<WireItem?> Get(string id);
    Task<long> Count();
    Task<List<WireHit>> Search(float[]? vector, ulong[]? code, ShardQuery query);
    Task<List<WireHit>> SearchRadius(float[]? vector, ulong[]? code, double radius, ShardQuery query);
    Task<string> SiloName();

    /// <summary>Pauses writes, closes the writer and reopens read-only; returns the files to copy.</summary>
    Task<string[]> BeginMove();
    Task<FileChunk> ReadFile(string name, long offset, int length);
    /// <summary>The map now names the new owner: fail the waiting writes as moved, delete the old files, deactivate.</summary>
    Task CompleteMove();
    /// <summary>The move failed: reopen for writing and let the writes go on.</summary>
    Task AbortMove();
}

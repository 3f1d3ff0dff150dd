namespace Aknn.Embedded.Orleans.Hosting;

/// <summary>How a silo hosts shards (registered by <see cref="SiloBuilderExtensions.AddAknnShards"/>).</summary>
public sealed class ShardHostOptions
{
    /// <summary>The name of the grain storage provider that holds the shard maps.</summary>
    public const string MapStorageName = "aknn-shardmaps";

    /// <summary>
    /// This silo's data folder: shard files go to <c>{DataFolder}/{collection}/shard-NNNN</c>. It must
    /// survive a restart of the silo, and the silo must come back under the same name
    /// (<c>SiloOptions.SiloName</c>), because the shard map records shards by silo name.
    /// </summary>
    public required string DataFolder { get; init; }

    /// <summary>
    /// Durability of every shard index on this silo. Default: <see cref="Durability.PerWrite"/>, so a
    /// write acknowledged to the caller survives a crash of the silo.
    /// </summary>
    public Durability Durability { get; init; } = Durability.PerWrite;

    /// <summary>Bytes per grain call when a shard's files are copied to another silo. Default 1 MiB.</summary>
    public int TransferChunkBytes { get; init; } = 1 << 20;
}

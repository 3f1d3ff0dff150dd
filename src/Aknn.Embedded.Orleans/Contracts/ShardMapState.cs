namespace Aknn.Embedded.Orleans.Contracts;

/// <summary>
/// The persisted shard map of one collection: its spec and, per shard, the name of the silo that
/// holds the shard's files. Placement reads it so that a shard is only ever activated where its data is.
/// </summary>
[GenerateSerializer]
internal sealed class ShardMapState
{
    [Id(0)] public CollectionSpec? Spec { get; set; }

    /// <summary>Silo name per shard (index = shard number).</summary>
    [Id(1)] public string[] Owners { get; set; } = [];

    /// <summary>Raised on every change of the map, so that a reader can tell an old copy from a new one.</summary>
    [Id(2)] public int Version { get; set; }
}

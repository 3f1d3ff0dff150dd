namespace Aknn.Embedded.Orleans.Placement;

/// <summary>Places a shard (or the grain that receives a moving shard) on the silo that holds, or will hold, its files.</summary>
[GenerateSerializer, Immutable]
internal sealed class ShardPlacementStrategy : PlacementStrategy
{
    internal static readonly ShardPlacementStrategy Instance = new();
}

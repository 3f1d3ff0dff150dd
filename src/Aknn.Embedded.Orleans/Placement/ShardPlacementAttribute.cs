using Orleans.Placement;

namespace Aknn.Embedded.Orleans.Placement;

/// <summary>Marks the grain classes placed by <see cref="ShardPlacementDirector"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class ShardPlacementAttribute() : PlacementAttribute(ShardPlacementStrategy.Instance);

namespace Aknn.Embedded.Orleans.Contracts;

/// <summary>A hit as it travels from a shard to the caller.</summary>
[GenerateSerializer, Immutable]
internal readonly record struct WireHit(
    [property: Id(0)] string Id,
    [property: Id(1)] float Distance,
    [property: Id(2)] byte[]? Payload);

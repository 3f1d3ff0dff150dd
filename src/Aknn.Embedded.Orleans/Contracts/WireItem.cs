namespace Aknn.Embedded.Orleans.Contracts;

/// <summary>A stored item as it travels from its shard to the caller.</summary>
[GenerateSerializer, Immutable]
internal sealed record WireItem(
    [property: Id(0)] float[] Vector,
    [property: Id(1)] ulong[] Code,
    [property: Id(2)] byte[] Payload);

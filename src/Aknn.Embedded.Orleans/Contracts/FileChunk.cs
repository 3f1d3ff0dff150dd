namespace Aknn.Embedded.Orleans.Contracts;

/// <summary>A piece of a shard file streamed to the silo a shard moves to.</summary>
[GenerateSerializer, Immutable]
internal sealed record FileChunk(
    [property: Id(0)] byte[] Data,
    [property: Id(1)] bool Last);

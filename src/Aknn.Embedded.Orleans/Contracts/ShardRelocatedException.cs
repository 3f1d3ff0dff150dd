namespace Aknn.Embedded.Orleans.Contracts;

/// <summary>
/// A shard activation started on a silo that the shard map does not name (right after a move,
/// Orleans can re-activate a grain where its last activation was). The activation refuses to open
/// anything there and fails; the caller sends the call again, and it is placed by the map.
/// </summary>
[GenerateSerializer]
internal sealed class ShardRelocatedException(string message) : Exception(message);

namespace Aknn.Embedded.Orleans;

/// <summary>A shard whose hits are missing from a partial search result.</summary>
/// <param name="Shard">The shard number.</param>
/// <param name="Silo">The name of the silo that holds the shard's files.</param>
/// <param name="Reason">Why the shard did not answer.</param>
public sealed record MissingShard(int Shard, string Silo, string Reason);

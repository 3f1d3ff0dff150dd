namespace Aknn.Embedded.Orleans.Contracts;

/// <summary>What a shard did with a write. A write that reaches a shard which has just moved away is answered, not applied, so the caller sends it again to the new owner.</summary>
internal enum WriteStatus
{
    /// <summary>Applied (for a delete: an item was deleted).</summary>
    Applied,
    /// <summary>A delete found no item.</summary>
    NotFound,
    /// <summary>The shard moved to another silo while the write waited; nothing was applied.</summary>
    Moved,
}

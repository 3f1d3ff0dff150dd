namespace Aknn.Embedded;

/// <summary>One search result.</summary>
/// <param name="Id">The stored item's id.</param>
/// <param name="Distance">Distance to the query under the index's metric; smaller is closer (see <see cref="Metric"/>).</param>
/// <param name="Payload">The payload when <see cref="SearchOptions.IncludePayload"/> was set and the item has one; otherwise null.</param>
public sealed record Hit(string Id, float Distance, byte[]? Payload = null);

/// <summary>A stored item as returned by <see cref="VectorIndex.TryGet"/>.</summary>
/// <param name="Id">The item's id.</param>
/// <param name="Vector">The float vector, for float metrics; empty for binary codes.</param>
/// <param name="Code">The binary code, for <see cref="Metric.Hamming"/>; empty for float vectors.</param>
/// <param name="Payload">The payload, empty when none was stored.</param>
public sealed record StoredItem(string Id, float[] Vector, ulong[] Code, byte[] Payload);

using System.Collections;

namespace Aknn.Embedded.Orleans;

/// <summary>The merged hits of a search of every shard, nearest first, and which shards did not answer.</summary>
public sealed class DistributedSearchResults : IReadOnlyList<Hit>
{
    private readonly List<Hit> _hits;

    internal DistributedSearchResults(List<Hit> hits, IReadOnlyList<MissingShard> missing, bool approximate)
    {
        _hits = hits;
        MissingShards = missing;
        Approximate = approximate;
    }

    /// <summary>Whether some shards did not answer, so that hits stored there are missing.</summary>
    public bool IsPartial => MissingShards.Count > 0;

    /// <summary>The shards that did not answer, with their silo and the reason; empty for a complete result.</summary>
    public IReadOnlyList<MissingShard> MissingShards { get; }

    /// <summary>Whether the shards searched through LSH (and may miss true neighbours).</summary>
    public bool Approximate { get; }

    /// <inheritdoc/>
    public Hit this[int index] => _hits[index];

    /// <inheritdoc/>
    public int Count => _hits.Count;

    /// <inheritdoc/>
    public IEnumerator<Hit> GetEnumerator() => _hits.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

using System.Collections;

namespace Aknn.Embedded;

/// <summary>
/// The hits of a nearest-neighbour search, nearest first, with how the search got them (for tuning
/// approximate search).
/// </summary>
public sealed class SearchResults : IReadOnlyList<Hit>
{
    private readonly List<Hit> _hits;

    internal SearchResults(List<Hit> hits, bool approximate, long candidatesExamined)
    {
        _hits = hits;
        Approximate = approximate;
        CandidatesExamined = candidatesExamined;
    }

    /// <summary>Whether the hits came from LSH candidates (and may miss true neighbours) rather than an exact search.</summary>
    public bool Approximate { get; }

    /// <summary>
    /// How many stored rows had their exact distance to the query computed: the re-ranked candidates
    /// of an LSH search, or the rows scanned or verified by an exact search.
    /// </summary>
    public long CandidatesExamined { get; }

    /// <inheritdoc/>
    public Hit this[int index] => _hits[index];

    /// <inheritdoc/>
    public int Count => _hits.Count;

    /// <inheritdoc/>
    public IEnumerator<Hit> GetEnumerator() => _hits.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

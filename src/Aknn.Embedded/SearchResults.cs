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
    /// How many stored rows had their exact distance to the query computed: for an LSH search the
    /// re-ranked candidates (at most <see cref="SearchOptions.Candidates"/>, plus any rows of a
    /// source without postings, which are scanned); for an exact search every live row it covered.
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

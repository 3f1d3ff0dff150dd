namespace Aknn.Embedded;

/// <summary>
/// Decides whether a row may appear in search results. It receives the row's id and payload
/// (empty when the row has none) and is called only for rows close enough to enter the results,
/// so a selective filter costs little.
/// </summary>
/// <param name="id">The row's id.</param>
/// <param name="payload">The row's payload bytes.</param>
/// <returns><see langword="true"/> to keep the row.</returns>
public delegate bool SearchFilter(string id, ReadOnlySpan<byte> payload);

/// <summary>Options for <see cref="VectorIndex.Search(ReadOnlySpan{float}, SearchOptions?)"/> and its siblings.</summary>
public sealed class SearchOptions
{
    /// <summary>Largest number of results per query.</summary>
    public const int MaxK = 100_000;

    /// <summary>Number of nearest results to return (1 to 100,000). Default 10.</summary>
    public int K { get; init; } = 10;

    /// <summary>Only rows this filter accepts are returned. Default: none.</summary>
    public SearchFilter? Filter { get; init; }

    /// <summary>Whether hits carry their payload. Default: false.</summary>
    public bool IncludePayload { get; init; }

    /// <summary>
    /// For <see cref="VectorIndex.SearchById"/>: whether the item itself may be returned (at distance
    /// 0). Default: false, so the results are the item's K nearest other items.
    /// </summary>
    public bool IncludeSelf { get; init; }

    /// <summary>For tests and benchmarks: forces probing or scanning of binary-code sources instead of the cost model's choice.</summary>
    internal SearchStrategy Strategy { get; init; }

    internal static readonly SearchOptions Default = new();

    internal void Validate()
    {
        if (K < 1 || K > MaxK)
            throw new ArgumentOutOfRangeException(nameof(K), K, $"K must lie between 1 and {MaxK}.");
    }
}

/// <summary>How a binary-code search treats a source that has substring tables.</summary>
internal enum SearchStrategy
{
    /// <summary>Probe or scan, whichever the cost model expects to be faster.</summary>
    Auto,
    /// <summary>Always probe the tables (scan only sources without tables).</summary>
    Probe,
    /// <summary>Always scan.</summary>
    Scan,
}

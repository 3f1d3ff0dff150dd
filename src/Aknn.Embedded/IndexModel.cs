using Aknn.Embedded.Hashing;

namespace Aknn.Embedded;

/// <summary>
/// How the index finds neighbours. The model is fixed when the index is created and stored with it.
/// </summary>
public sealed class IndexModel
{
    private IndexModel(IndexModelKind kind, int? substrings = null, int? expectedRadius = null)
    {
        Kind = kind;
        Substrings = substrings;
        ExpectedRadius = expectedRadius;
    }

    /// <summary>The kind of model.</summary>
    public IndexModelKind Kind { get; }

    /// <summary>
    /// For <see cref="IndexModelKind.MultiIndexHashing"/>: the number of substring tables, or null when
    /// each segment chooses its own from its row count.
    /// </summary>
    public int? Substrings { get; }

    /// <summary>
    /// For <see cref="IndexModelKind.MultiIndexHashing"/>: the search radius the tables are tuned for,
    /// or null for an eighth of the code length (8 bits for 64-bit codes, 32 for 256-bit codes).
    /// </summary>
    public int? ExpectedRadius { get; }

    /// <summary>
    /// Exact search: every query compares against every live row with the SIMD kernels. Recall is
    /// always 1; the cost grows linearly with the number of rows (about the time to read the
    /// vectors once from memory).
    /// </summary>
    public static IndexModel Exact { get; } = new(IndexModelKind.Exact);

    /// <summary>
    /// Multi-index hashing over binary codes (<see cref="Metric.Hamming"/> only; the default model for
    /// such indexes): each code is cut into m substrings, each the key of a hash table kept in the
    /// in-memory tail and in every segment file. Radius and nearest-neighbour searches probe the
    /// tables and verify candidates with a popcount, and fall back to a scan wherever the scan is
    /// cheaper; results are exact either way. The tables cost m × 12 bytes a row for 64-bit codes
    /// (m × 8 for longer ones).
    /// </summary>
    /// <param name="substrings">
    /// The number of substring tables, each at most 32 bits of the code (so at least bits / 32), or
    /// null to let each segment choose from its row count and <paramref name="expectedRadius"/>
    /// (about bits / log2(rows), after Norouzi et al.).
    /// </param>
    /// <param name="expectedRadius">The radius searches will mostly use, for the automatic choice; null for bits / 8.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public static IndexModel MultiIndexHashing(int? substrings = null, int? expectedRadius = null)
    {
        if (substrings is < 1 or > IndexOptions.MaxCodeBits)
            throw new ArgumentOutOfRangeException(nameof(substrings), substrings, $"The number of substring tables must lie between 1 and {IndexOptions.MaxCodeBits} (at least code bits / {SubstringLayout.MaxLength}, at most one per bit); pass null to choose automatically.");
        if (expectedRadius is < 0 or > IndexOptions.MaxCodeBits)
            throw new ArgumentOutOfRangeException(nameof(expectedRadius), expectedRadius, $"The expected radius must lie between 0 and {IndexOptions.MaxCodeBits} bits; pass null for an eighth of the code length.");
        return new IndexModel(IndexModelKind.MultiIndexHashing, substrings, expectedRadius);
    }

    /// <inheritdoc/>
    public override string ToString() => Kind == IndexModelKind.MultiIndexHashing
        ? $"MultiIndexHashing(substrings: {Substrings?.ToString() ?? "auto"}, expectedRadius: {ExpectedRadius?.ToString() ?? "auto"})"
        : Kind.ToString();
}

/// <summary>The kinds of <see cref="IndexModel"/>.</summary>
public enum IndexModelKind
{
    /// <summary>Brute-force exact search.</summary>
    Exact = 1,

    /// <summary>Multi-index hashing over binary codes: exact radius and nearest-neighbour search without a full scan.</summary>
    MultiIndexHashing = 2,
}

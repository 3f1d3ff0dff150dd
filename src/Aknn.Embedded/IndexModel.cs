namespace Aknn.Embedded;

/// <summary>
/// How the index finds neighbours. The model is fixed when the index is created and stored with it.
/// </summary>
public sealed class IndexModel
{
    private IndexModel(IndexModelKind kind) => Kind = kind;

    /// <summary>The kind of model.</summary>
    public IndexModelKind Kind { get; }

    /// <summary>
    /// Exact search: every query compares against every live row with the SIMD kernels. Recall is
    /// always 1; the cost grows linearly with the number of rows (about the time to read the
    /// vectors once from memory).
    /// </summary>
    public static IndexModel Exact { get; } = new(IndexModelKind.Exact);

    /// <inheritdoc/>
    public override string ToString() => Kind.ToString();
}

/// <summary>The kinds of <see cref="IndexModel"/>.</summary>
public enum IndexModelKind
{
    /// <summary>Brute-force exact search.</summary>
    Exact = 1,
}

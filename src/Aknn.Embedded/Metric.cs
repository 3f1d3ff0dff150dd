namespace Aknn.Embedded;

/// <summary>
/// How the distance between two stored items is measured. Every metric reports a distance in
/// which a smaller value means closer, so results are always sorted ascending.
/// </summary>
public enum Metric : byte
{
    /// <summary>Euclidean (L2) distance: <c>sqrt(Σ (a−b)²)</c>. Float vectors only.</summary>
    Euclidean = 1,

    /// <summary>
    /// Cosine distance: <c>1 − (a·b) / (|a|·|b|)</c>, in [0, 2]; 0 for vectors pointing the same way.
    /// Zero vectors are rejected because their direction is undefined. Float vectors only.
    /// </summary>
    Cosine = 2,

    /// <summary>
    /// Negated dot product: <c>−(a·b)</c>, so the largest inner product comes first. The value can be
    /// negative. Float vectors only.
    /// </summary>
    DotProduct = 3,

    /// <summary>Manhattan (L1) distance: <c>Σ |a−b|</c>. Float vectors only.</summary>
    Manhattan = 4,

    /// <summary>
    /// Hamming distance between binary codes: the number of differing bits. The index then stores
    /// codes (arrays of <see cref="ulong"/>) instead of float vectors, and
    /// <see cref="IndexOptions.Dimensions"/> is the code length in bits (a multiple of 64).
    /// </summary>
    Hamming = 5,
}

using Microsoft.Extensions.VectorData;

namespace Aknn.Embedded.VectorData;

/// <summary>
/// The index kinds an Aknn.Embedded collection accepts in <c>VectorStoreVectorAttribute.IndexKind</c>
/// or <c>VectorStoreVectorProperty.IndexKind</c>. Any other kind is refused when the collection is created.
/// </summary>
public static class AknnIndexKind
{
    /// <summary>Exact search over every row with SIMD kernels (the default; the same string as <see cref="IndexKind.Flat"/>).</summary>
    public const string Flat = IndexKind.Flat;

    /// <summary>
    /// Approximate search by locality-sensitive hashing, with exact re-ranking of the candidates
    /// (<see cref="IndexModel.Lsh(int, int, int, int?)"/>). Its parameters are <see cref="AknnVectorStoreOptions.LshTables"/>,
    /// <see cref="AknnVectorStoreOptions.LshBitsPerTable"/>, <see cref="AknnVectorStoreOptions.LshProbes"/>
    /// and <see cref="AknnVectorStoreOptions.LshCandidates"/>.
    /// </summary>
    public const string Lsh = "Lsh";

    /// <summary>The supported kinds, for error messages.</summary>
    internal const string Supported = $"'{Flat}' (exact, the default) and '{Lsh}' (approximate, AknnIndexKind.Lsh)";
}

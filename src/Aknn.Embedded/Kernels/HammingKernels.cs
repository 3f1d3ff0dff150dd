using System.Runtime.CompilerServices;

namespace Aknn.Embedded.Kernels;

/// <summary>
/// Hamming distance kernels for binary codes stored as 64-bit words: the entry points the rest of
/// the library calls. Each one checks its arguments and runs the fastest path for this CPU (see
/// <see cref="HammingDistance"/> and <see cref="HammingDistanceBatch"/> for the paths).
/// </summary>
internal static class HammingKernels
{
    /// <summary>Number of differing bits between two codes of the same length in words.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Distance(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b) =>
        HammingDistance.Scalar(a, b);

    /// <summary>
    /// Number of differing bits between <paramref name="query"/> (W words) and each code of
    /// <paramref name="rows"/> (W words each, back to back).
    /// </summary>
    /// <exception cref="ArgumentException"><c>rows.Length != results.Length * query.Length</c>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DistanceBatch(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, Span<int> results) =>
        HammingDistanceBatch.Scalar(query, rows, results);
}

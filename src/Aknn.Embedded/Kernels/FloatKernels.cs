using System.Runtime.CompilerServices;

namespace Aknn.Embedded.Kernels;

/// <summary>
/// Float distance kernels: the entry points the rest of the library calls. Each one checks its
/// arguments and runs the widest SIMD path the CPU accelerates (see
/// <see cref="FloatDistance{TKernel}"/> and <see cref="FloatDistanceBatch{TKernel}"/> for the
/// paths themselves).
/// </summary>
/// <remarks>
/// The distances are raw sums: <see cref="SquaredL2"/> is not square-rooted and
/// <see cref="Dot"/> is not negated. Turning them into a metric's distance is the caller's job.
/// Results of different paths agree to within float rounding (the order of additions differs),
/// not bit for bit.
/// </remarks>
internal static class FloatKernels
{
    /// <summary>Squared Euclidean distance <c>Σ (a[i] − b[i])²</c>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SquaredL2(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        FloatDistance<SquaredL2Kernel>.Best(a, b);

    /// <summary>Dot product <c>Σ a[i] · b[i]</c>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        FloatDistance<DotKernel>.Best(a, b);

    /// <summary>Manhattan distance <c>Σ |a[i] − b[i]|</c>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float L1(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        FloatDistance<L1Kernel>.Best(a, b);

    /// <summary>
    /// Squared Euclidean distance from <paramref name="query"/> to each row of
    /// <paramref name="rows"/>: <c>results[r] = SquaredL2(query, rows[r·d .. (r+1)·d])</c> with
    /// <c>d = query.Length</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><c>rows.Length != results.Length * query.Length</c>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SquaredL2Batch(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> results) =>
        FloatDistanceBatch<SquaredL2Kernel>.Best(query, rows, results);

    /// <summary>
    /// Dot product of <paramref name="query"/> with each row of <paramref name="rows"/>:
    /// <c>results[r] = Dot(query, rows[r·d .. (r+1)·d])</c> with <c>d = query.Length</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><c>rows.Length != results.Length * query.Length</c>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DotBatch(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> results) =>
        FloatDistanceBatch<DotKernel>.Best(query, rows, results);

    /// <summary>
    /// Manhattan distance from <paramref name="query"/> to each row of <paramref name="rows"/>:
    /// <c>results[r] = L1(query, rows[r·d .. (r+1)·d])</c> with <c>d = query.Length</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><c>rows.Length != results.Length * query.Length</c>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void L1Batch(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> results) =>
        FloatDistanceBatch<L1Kernel>.Best(query, rows, results);
}

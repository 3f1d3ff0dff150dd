using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Aknn.Embedded.Kernels;

/// <summary>
/// Manhattan distance, <c>Σ |a−b|</c>: a subtraction, an absolute value (a sign-bit mask) and an
/// addition per lane.
/// </summary>
internal readonly struct L1Kernel : IFloatDistanceKernel
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Accumulate(float sum, float a, float b) => sum + MathF.Abs(a - b);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Accumulate(Vector128<float> sum, Vector128<float> a, Vector128<float> b) =>
        sum + Vector128.Abs(a - b);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Accumulate(Vector256<float> sum, Vector256<float> a, Vector256<float> b) =>
        sum + Vector256.Abs(a - b);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Accumulate(Vector512<float> sum, Vector512<float> a, Vector512<float> b) =>
        sum + Vector512.Abs(a - b);
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Aknn.Embedded.Kernels;

/// <summary>
/// Dot product, <c>Σ a·b</c>: one fused multiply-add per lane (a separate multiply and add where
/// the CPU has no FMA).
/// </summary>
internal readonly struct DotKernel : IFloatDistanceKernel
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Accumulate(float sum, float a, float b) => sum + a * b;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Accumulate(Vector128<float> sum, Vector128<float> a, Vector128<float> b) =>
        Vector128.MultiplyAddEstimate(a, b, sum);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Accumulate(Vector256<float> sum, Vector256<float> a, Vector256<float> b) =>
        Vector256.MultiplyAddEstimate(a, b, sum);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Accumulate(Vector512<float> sum, Vector512<float> a, Vector512<float> b) =>
        Vector512.MultiplyAddEstimate(a, b, sum);
}

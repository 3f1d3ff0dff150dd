using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Aknn.Embedded.Kernels;

/// <summary>
/// Squared Euclidean distance, <c>Σ (a−b)²</c>: one subtraction and one fused multiply-add per
/// lane (a separate multiply and add where the CPU has no FMA).
/// </summary>
internal readonly struct SquaredL2Kernel : IFloatDistanceKernel
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Accumulate(float sum, float a, float b)
    {
        float d = a - b;
        return sum + d * d;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Accumulate(Vector128<float> sum, Vector128<float> a, Vector128<float> b)
    {
        Vector128<float> d = a - b;
        return Vector128.MultiplyAddEstimate(d, d, sum);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Accumulate(Vector256<float> sum, Vector256<float> a, Vector256<float> b)
    {
        Vector256<float> d = a - b;
        return Vector256.MultiplyAddEstimate(d, d, sum);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Accumulate(Vector512<float> sum, Vector512<float> a, Vector512<float> b)
    {
        Vector512<float> d = a - b;
        return Vector512.MultiplyAddEstimate(d, d, sum);
    }
}

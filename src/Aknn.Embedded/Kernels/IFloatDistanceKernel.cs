using System.Runtime.Intrinsics;

namespace Aknn.Embedded.Kernels;

/// <summary>
/// The per-element step of a float distance that is a sum over lanes (squared L2, dot product,
/// L1). Implemented by small structs so that the shared cascades in
/// <see cref="FloatDistance{TKernel}"/> and <see cref="FloatDistanceBatch{TKernel}"/> are
/// specialised per kernel by the JIT, with no delegate or interface call in the hot loop.
/// </summary>
/// <remarks>
/// Every step must add nothing when both inputs are zero: the vector paths handle a tail shorter
/// than one vector by reloading the last full vector and zeroing, in both inputs, the lanes that
/// were already counted.
/// </remarks>
internal interface IFloatDistanceKernel
{
    /// <summary>Adds the contribution of one pair of elements to a scalar accumulator.</summary>
    static abstract float Accumulate(float sum, float a, float b);

    /// <summary>Adds the lane-wise contributions of two 128-bit vectors to an accumulator.</summary>
    static abstract Vector128<float> Accumulate(Vector128<float> sum, Vector128<float> a, Vector128<float> b);

    /// <summary>Adds the lane-wise contributions of two 256-bit vectors to an accumulator.</summary>
    static abstract Vector256<float> Accumulate(Vector256<float> sum, Vector256<float> a, Vector256<float> b);

    /// <summary>Adds the lane-wise contributions of two 512-bit vectors to an accumulator.</summary>
    static abstract Vector512<float> Accumulate(Vector512<float> sum, Vector512<float> a, Vector512<float> b);
}

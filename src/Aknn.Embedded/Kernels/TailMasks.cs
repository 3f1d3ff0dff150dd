using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Aknn.Embedded.Kernels;

/// <summary>
/// Lane masks for the tail of a float loop. A tail of <c>r</c> elements (0 &lt; r &lt; width) is
/// handled by reloading the last full vector, which ends exactly at the end of the data and so never
/// reads out of bounds, and keeping only its last <c>r</c> lanes; the lanes before them were already
/// counted by the main loop.
/// </summary>
internal static class TailMasks
{
    /// <summary>All-ones in the last <paramref name="remainder"/> of 4 lanes, zero elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Keep128(int remainder) =>
        Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create(Vector128<int>.Count - remainder)).AsSingle();

    /// <summary>All-ones in the last <paramref name="remainder"/> of 8 lanes, zero elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Keep256(int remainder) =>
        Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(Vector256<int>.Count - remainder)).AsSingle();

    /// <summary>All-ones in the last <paramref name="remainder"/> of 16 lanes, zero elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Keep512(int remainder) =>
        Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(Vector512<int>.Count - remainder)).AsSingle();
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Aknn.Embedded.Kernels;

/// <summary>
/// Single-pair float distance for one kernel family, as a hardware cascade
/// Vector512 → Vector256 → Vector128 → scalar. <see cref="Best"/> picks the widest path the CPU
/// accelerates; the other members run one path each so that tests can compare every path with
/// <see cref="Scalar"/> on any CPU.
/// </summary>
/// <typeparam name="TKernel">The per-element step: <see cref="SquaredL2Kernel"/>,
/// <see cref="DotKernel"/> or <see cref="L1Kernel"/>.</typeparam>
/// <remarks>
/// A vector path given fewer elements than one of its vectors hands the pair to the next narrower
/// path. A path that is not hardware accelerated still computes the right answer (the runtime
/// emulates the vector type in software), only slowly.
/// </remarks>
internal static class FloatDistance<TKernel>
    where TKernel : struct, IFloatDistanceKernel
{
    /// <summary>Runs the widest path that the CPU accelerates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Best(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            return V512(a, b);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            return V256(a, b);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            return V128(a, b);
        }

        return Scalar(a, b);
    }

    /// <summary>Scalar reference path: four independent partial sums, one element at a time.</summary>
    public static float Scalar(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        KernelGuard.SameLength(a.Length, b.Length);
        return ScalarCore(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), (nuint)a.Length);
    }

    /// <summary>128-bit path (SSE, AdvSimd): 4 floats a vector, 4 accumulators.</summary>
    public static float V128(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        KernelGuard.SameLength(a.Length, b.Length);
        return V128Core(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), (nuint)a.Length);
    }

    /// <summary>256-bit path (AVX2 with FMA): 8 floats a vector, 4 accumulators.</summary>
    public static float V256(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        KernelGuard.SameLength(a.Length, b.Length);
        return V256Core(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), (nuint)a.Length);
    }

    /// <summary>512-bit path (AVX-512): 16 floats a vector, 4 accumulators.</summary>
    public static float V512(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        KernelGuard.SameLength(a.Length, b.Length);
        return V512Core(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), (nuint)a.Length);
    }

    internal static float ScalarCore(ref float a, ref float b, nuint length)
    {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        nuint i = 0;
        for (; i + 4 <= length; i += 4)
        {
            s0 = TKernel.Accumulate(s0, Unsafe.Add(ref a, i), Unsafe.Add(ref b, i));
            s1 = TKernel.Accumulate(s1, Unsafe.Add(ref a, i + 1), Unsafe.Add(ref b, i + 1));
            s2 = TKernel.Accumulate(s2, Unsafe.Add(ref a, i + 2), Unsafe.Add(ref b, i + 2));
            s3 = TKernel.Accumulate(s3, Unsafe.Add(ref a, i + 3), Unsafe.Add(ref b, i + 3));
        }

        for (; i < length; i++)
        {
            s0 = TKernel.Accumulate(s0, Unsafe.Add(ref a, i), Unsafe.Add(ref b, i));
        }

        return (s0 + s1) + (s2 + s3);
    }

    internal static float V128Core(ref float a, ref float b, nuint length)
    {
        const int Width = 4;
        if (length < Width)
        {
            return ScalarCore(ref a, ref b, length);
        }

        Vector128<float> s0 = Vector128<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        nuint i = 0;
        for (; i + 4 * Width <= length; i += 4 * Width)
        {
            s0 = TKernel.Accumulate(s0, Vector128.LoadUnsafe(ref a, i), Vector128.LoadUnsafe(ref b, i));
            s1 = TKernel.Accumulate(s1, Vector128.LoadUnsafe(ref a, i + Width), Vector128.LoadUnsafe(ref b, i + Width));
            s2 = TKernel.Accumulate(s2, Vector128.LoadUnsafe(ref a, i + 2 * Width), Vector128.LoadUnsafe(ref b, i + 2 * Width));
            s3 = TKernel.Accumulate(s3, Vector128.LoadUnsafe(ref a, i + 3 * Width), Vector128.LoadUnsafe(ref b, i + 3 * Width));
        }

        for (; i + Width <= length; i += Width)
        {
            s0 = TKernel.Accumulate(s0, Vector128.LoadUnsafe(ref a, i), Vector128.LoadUnsafe(ref b, i));
        }

        if (i < length)
        {
            // Reload the last full vector and keep only the lanes not yet counted.
            nuint last = length - Width;
            Vector128<float> keep = TailMasks.Keep128((int)(length - i));
            s1 = TKernel.Accumulate(s1, Vector128.LoadUnsafe(ref a, last) & keep, Vector128.LoadUnsafe(ref b, last) & keep);
        }

        return Vector128.Sum((s0 + s1) + (s2 + s3));
    }

    internal static float V256Core(ref float a, ref float b, nuint length)
    {
        const int Width = 8;
        if (length < Width)
        {
            return V128Core(ref a, ref b, length);
        }

        Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        nuint i = 0;
        for (; i + 4 * Width <= length; i += 4 * Width)
        {
            s0 = TKernel.Accumulate(s0, Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i));
            s1 = TKernel.Accumulate(s1, Vector256.LoadUnsafe(ref a, i + Width), Vector256.LoadUnsafe(ref b, i + Width));
            s2 = TKernel.Accumulate(s2, Vector256.LoadUnsafe(ref a, i + 2 * Width), Vector256.LoadUnsafe(ref b, i + 2 * Width));
            s3 = TKernel.Accumulate(s3, Vector256.LoadUnsafe(ref a, i + 3 * Width), Vector256.LoadUnsafe(ref b, i + 3 * Width));
        }

        for (; i + Width <= length; i += Width)
        {
            s0 = TKernel.Accumulate(s0, Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i));
        }

        if (i < length)
        {
            nuint last = length - Width;
            Vector256<float> keep = TailMasks.Keep256((int)(length - i));
            s1 = TKernel.Accumulate(s1, Vector256.LoadUnsafe(ref a, last) & keep, Vector256.LoadUnsafe(ref b, last) & keep);
        }

        return Vector256.Sum((s0 + s1) + (s2 + s3));
    }

    internal static float V512Core(ref float a, ref float b, nuint length)
    {
        const int Width = 16;
        if (length < Width)
        {
            return V256Core(ref a, ref b, length);
        }

        Vector512<float> s0 = Vector512<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        nuint i = 0;
        for (; i + 4 * Width <= length; i += 4 * Width)
        {
            s0 = TKernel.Accumulate(s0, Vector512.LoadUnsafe(ref a, i), Vector512.LoadUnsafe(ref b, i));
            s1 = TKernel.Accumulate(s1, Vector512.LoadUnsafe(ref a, i + Width), Vector512.LoadUnsafe(ref b, i + Width));
            s2 = TKernel.Accumulate(s2, Vector512.LoadUnsafe(ref a, i + 2 * Width), Vector512.LoadUnsafe(ref b, i + 2 * Width));
            s3 = TKernel.Accumulate(s3, Vector512.LoadUnsafe(ref a, i + 3 * Width), Vector512.LoadUnsafe(ref b, i + 3 * Width));
        }

        for (; i + Width <= length; i += Width)
        {
            s0 = TKernel.Accumulate(s0, Vector512.LoadUnsafe(ref a, i), Vector512.LoadUnsafe(ref b, i));
        }

        if (i < length)
        {
            nuint last = length - Width;
            Vector512<float> keep = TailMasks.Keep512((int)(length - i));
            s1 = TKernel.Accumulate(s1, Vector512.LoadUnsafe(ref a, last) & keep, Vector512.LoadUnsafe(ref b, last) & keep);
        }

        return Vector512.Sum((s0 + s1) + (s2 + s3));
    }
}

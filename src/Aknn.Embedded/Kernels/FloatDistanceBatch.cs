using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Aknn.Embedded.Kernels;

/// <summary>
/// One query against many rows stored back to back (row-major), for one kernel family, as a
/// hardware cascade Vector512 → Vector256 → Vector128 → scalar. This is the inner loop of exact
/// search, so it is shaped for throughput rather than for one pair:
/// <list type="bullet">
/// <item>rows of up to <see cref="MaxInterleavedDim"/> floats go four per step, each with its own
/// accumulator, so four independent multiply-add chains hide the FMA latency and each query vector
/// is loaded once for four rows; longer rows go one at a time, in memory order, with four
/// accumulators along the row;</item>
/// <item>a dimension that is not a multiple of the vector width (25, say) costs one extra
/// masked step per row: the query's tail vector is masked once per call, and each row's tail is
/// read as the last full vector of that row, so no read leaves the row;</item>
/// <item>the four sums are reduced together with horizontal adds and stored as one vector.</item>
/// </list>
/// </summary>
/// <typeparam name="TKernel">The per-element step: <see cref="SquaredL2Kernel"/>,
/// <see cref="DotKernel"/> or <see cref="L1Kernel"/>.</typeparam>
/// <remarks>
/// Every path requires <c>rows.Length == results.Length * query.Length</c>. A dimension smaller
/// than one vector of a path goes to the next narrower path.
/// </remarks>
internal static class FloatDistanceBatch<TKernel>
    where TKernel : struct, IFloatDistanceKernel
{
    /// <summary>
    /// Largest dimension that takes four rows a step. Longer rows go one at a time through the
    /// single-pair core (four accumulators along the row), which reads memory strictly in order:
    /// measured on an AMD EPYC (Zen 3) with the rows far larger than the caches, four interleaved
    /// rows reached about 21 GB/s up to 112 floats a row but only 13–15 GB/s from 120 to 384, where
    /// row-at-a-time held 18–20 GB/s; below 112 the per-row reduction and tail dominate and the
    /// four-row step wins by up to 1.5×.
    /// </summary>
    internal const int MaxInterleavedDim = 112;

    /// <summary>Runs the widest path that the CPU accelerates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Best(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> results)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            V512(query, rows, results);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            V256(query, rows, results);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            V128(query, rows, results);
        }
        else
        {
            Scalar(query, rows, results);
        }
    }

    /// <summary>Scalar reference path: <see cref="FloatDistance{TKernel}.Scalar"/> row by row.</summary>
    public static void Scalar(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> results)
    {
        KernelGuard.BatchShape(query.Length, rows.Length, results.Length);
        ScalarCore(
            ref MemoryMarshal.GetReference(query), ref MemoryMarshal.GetReference(rows),
            ref MemoryMarshal.GetReference(results), (nuint)query.Length, (nuint)results.Length);
    }

    /// <summary>128-bit path: four rows a step, 4 floats a vector.</summary>
    public static void V128(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> results)
    {
        KernelGuard.BatchShape(query.Length, rows.Length, results.Length);
        V128Core(
            ref MemoryMarshal.GetReference(query), ref MemoryMarshal.GetReference(rows),
            ref MemoryMarshal.GetReference(results), (nuint)query.Length, (nuint)results.Length);
    }

    /// <summary>256-bit path: four rows a step, 8 floats a vector.</summary>
    public static void V256(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> results)
    {
        KernelGuard.BatchShape(query.Length, rows.Length, results.Length);
        V256Core(
            ref MemoryMarshal.GetReference(query), ref MemoryMarshal.GetReference(rows),
            ref MemoryMarshal.GetReference(results), (nuint)query.Length, (nuint)results.Length);
    }

    /// <summary>512-bit path: four rows a step, 16 floats a vector.</summary>
    public static void V512(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> results)
    {
        KernelGuard.BatchShape(query.Length, rows.Length, results.Length);
        V512Core(
            ref MemoryMarshal.GetReference(query), ref MemoryMarshal.GetReference(rows),
            ref MemoryMarshal.GetReference(results), (nuint)query.Length, (nuint)results.Length);
    }

    private static void ScalarCore(ref float query, ref float rows, ref float results, nuint dim, nuint count)
    {
        for (nuint r = 0; r < count; r++)
        {
            Unsafe.Add(ref results, r) = FloatDistance<TKernel>.ScalarCore(ref query, ref Unsafe.Add(ref rows, r * dim), dim);
        }
    }

    private static void V128Core(ref float query, ref float rows, ref float results, nuint dim, nuint count)
    {
        const int Width = 4;
        if (dim < Width)
        {
            ScalarCore(ref query, ref rows, ref results, dim, count);
            return;
        }

        nuint full = dim & ~(nuint)(Width - 1);
        nuint tailStart = dim - Width;
        int remainder = (int)(dim - full);
        Vector128<float> keep = TailMasks.Keep128(remainder);
        Vector128<float> queryTail = Vector128.LoadUnsafe(ref query, tailStart) & keep;

        nuint r = 0;
        for (; r + 4 <= count && dim <= MaxInterleavedDim; r += 4)
        {
            ref float row0 = ref Unsafe.Add(ref rows, r * dim);
            ref float row1 = ref Unsafe.Add(ref row0, dim);
            ref float row2 = ref Unsafe.Add(ref row1, dim);
            ref float row3 = ref Unsafe.Add(ref row2, dim);
            Vector128<float> s0 = Vector128<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
            for (nuint j = 0; j < full; j += Width)
            {
                Vector128<float> q = Vector128.LoadUnsafe(ref query, j);
                s0 = TKernel.Accumulate(s0, q, Vector128.LoadUnsafe(ref row0, j));
                s1 = TKernel.Accumulate(s1, q, Vector128.LoadUnsafe(ref row1, j));
                s2 = TKernel.Accumulate(s2, q, Vector128.LoadUnsafe(ref row2, j));
                s3 = TKernel.Accumulate(s3, q, Vector128.LoadUnsafe(ref row3, j));
            }

            if (remainder != 0)
            {
                s0 = TKernel.Accumulate(s0, queryTail, Vector128.LoadUnsafe(ref row0, tailStart) & keep);
                s1 = TKernel.Accumulate(s1, queryTail, Vector128.LoadUnsafe(ref row1, tailStart) & keep);
                s2 = TKernel.Accumulate(s2, queryTail, Vector128.LoadUnsafe(ref row2, tailStart) & keep);
                s3 = TKernel.Accumulate(s3, queryTail, Vector128.LoadUnsafe(ref row3, tailStart) & keep);
            }

            SumEach(s0, s1, s2, s3).StoreUnsafe(ref results, r);
        }

        for (; r < count; r++)
        {
            Unsafe.Add(ref results, r) = FloatDistance<TKernel>.V128Core(ref query, ref Unsafe.Add(ref rows, r * dim), dim);
        }
    }

    private static void V256Core(ref float query, ref float rows, ref float results, nuint dim, nuint count)
    {
        const int Width = 8;
        if (dim < Width)
        {
            V128Core(ref query, ref rows, ref results, dim, count);
            return;
        }

        nuint full = dim & ~(nuint)(Width - 1);
        nuint tailStart = dim - Width;
        int remainder = (int)(dim - full);
        Vector256<float> keep = TailMasks.Keep256(remainder);
        Vector256<float> queryTail = Vector256.LoadUnsafe(ref query, tailStart) & keep;

        nuint r = 0;
        for (; r + 4 <= count && dim <= MaxInterleavedDim; r += 4)
        {
            ref float row0 = ref Unsafe.Add(ref rows, r * dim);
            ref float row1 = ref Unsafe.Add(ref row0, dim);
            ref float row2 = ref Unsafe.Add(ref row1, dim);
            ref float row3 = ref Unsafe.Add(ref row2, dim);
            Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
            for (nuint j = 0; j < full; j += Width)
            {
                Vector256<float> q = Vector256.LoadUnsafe(ref query, j);
                s0 = TKernel.Accumulate(s0, q, Vector256.LoadUnsafe(ref row0, j));
                s1 = TKernel.Accumulate(s1, q, Vector256.LoadUnsafe(ref row1, j));
                s2 = TKernel.Accumulate(s2, q, Vector256.LoadUnsafe(ref row2, j));
                s3 = TKernel.Accumulate(s3, q, Vector256.LoadUnsafe(ref row3, j));
            }

            if (remainder != 0)
            {
                s0 = TKernel.Accumulate(s0, queryTail, Vector256.LoadUnsafe(ref row0, tailStart) & keep);
                s1 = TKernel.Accumulate(s1, queryTail, Vector256.LoadUnsafe(ref row1, tailStart) & keep);
                s2 = TKernel.Accumulate(s2, queryTail, Vector256.LoadUnsafe(ref row2, tailStart) & keep);
                s3 = TKernel.Accumulate(s3, queryTail, Vector256.LoadUnsafe(ref row3, tailStart) & keep);
            }

            SumEach(s0, s1, s2, s3).StoreUnsafe(ref results, r);
        }

        for (; r < count; r++)
        {
            Unsafe.Add(ref results, r) = FloatDistance<TKernel>.V256Core(ref query, ref Unsafe.Add(ref rows, r * dim), dim);
        }
    }

    private static void V512Core(ref float query, ref float rows, ref float results, nuint dim, nuint count)
    {
        const int Width = 16;
        if (dim < Width)
        {
            V256Core(ref query, ref rows, ref results, dim, count);
            return;
        }

        nuint full = dim & ~(nuint)(Width - 1);
        nuint tailStart = dim - Width;
        int remainder = (int)(dim - full);
        Vector512<float> keep = TailMasks.Keep512(remainder);
        Vector512<float> queryTail = Vector512.LoadUnsafe(ref query, tailStart) & keep;

        nuint r = 0;
        for (; r + 4 <= count && dim <= MaxInterleavedDim; r += 4)
        {
            ref float row0 = ref Unsafe.Add(ref rows, r * dim);
            ref float row1 = ref Unsafe.Add(ref row0, dim);
            ref float row2 = ref Unsafe.Add(ref row1, dim);
            ref float row3 = ref Unsafe.Add(ref row2, dim);
            Vector512<float> s0 = Vector512<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
            for (nuint j = 0; j < full; j += Width)
            {
                Vector512<float> q = Vector512.LoadUnsafe(ref query, j);
                s0 = TKernel.Accumulate(s0, q, Vector512.LoadUnsafe(ref row0, j));
                s1 = TKernel.Accumulate(s1, q, Vector512.LoadUnsafe(ref row1, j));
                s2 = TKernel.Accumulate(s2, q, Vector512.LoadUnsafe(ref row2, j));
                s3 = TKernel.Accumulate(s3, q, Vector512.LoadUnsafe(ref row3, j));
            }

            if (remainder != 0)
            {
                s0 = TKernel.Accumulate(s0, queryTail, Vector512.LoadUnsafe(ref row0, tailStart) & keep);
                s1 = TKernel.Accumulate(s1, queryTail, Vector512.LoadUnsafe(ref row1, tailStart) & keep);
                s2 = TKernel.Accumulate(s2, queryTail, Vector512.LoadUnsafe(ref row2, tailStart) & keep);
                s3 = TKernel.Accumulate(s3, queryTail, Vector512.LoadUnsafe(ref row3, tailStart) & keep);
            }

            // Fold each 512-bit sum to 256 bits, then reduce the four together.
            SumEach(
                s0.GetLower() + s0.GetUpper(), s1.GetLower() + s1.GetUpper(),
                s2.GetLower() + s2.GetUpper(), s3.GetLower() + s3.GetUpper()).StoreUnsafe(ref results, r);
        }

        for (; r < count; r++)
        {
            Unsafe.Add(ref results, r) = FloatDistance<TKernel>.V512Core(ref query, ref Unsafe.Add(ref rows, r * dim), dim);
        }
    }

    /// <summary>Returns (Σs0, Σs1, Σs2, Σs3) in one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> SumEach(Vector128<float> s0, Vector128<float> s1, Vector128<float> s2, Vector128<float> s3)
    {
        if (Sse3.IsSupported)
        {
            // hadd(x, y) = (x0+x1, x2+x3, y0+y1, y2+y3); twice gives the four totals in order.
            return Sse3.HorizontalAdd(Sse3.HorizontalAdd(s0, s1), Sse3.HorizontalAdd(s2, s3));
        }

        return Vector128.Create(Vector128.Sum(s0), Vector128.Sum(s1), Vector128.Sum(s2), Vector128.Sum(s3));
    }

    /// <summary>Returns (Σs0, Σs1, Σs2, Σs3) in one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> SumEach(Vector256<float> s0, Vector256<float> s1, Vector256<float> s2, Vector256<float> s3)
    {
        if (Avx.IsSupported)
        {
            // The 256-bit hadd works on each 128-bit half; after two rounds the lower half holds the
            // totals of lanes 0..3 and the upper half those of lanes 4..7, row by row.
            Vector256<float> h = Avx.HorizontalAdd(Avx.HorizontalAdd(s0, s1), Avx.HorizontalAdd(s2, s3));
            return h.GetLower() + h.GetUpper();
        }

        return SumEach(s0.GetLower() + s0.GetUpper(), s1.GetLower() + s1.GetUpper(), s2.GetLower() + s2.GetUpper(), s3.GetLower() + s3.GetUpper());
    }
}

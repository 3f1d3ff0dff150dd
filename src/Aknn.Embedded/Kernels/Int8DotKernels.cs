using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Aknn.Embedded.Kernels;

/// <summary>
/// Integer dot products of a 16-bit query with 8-bit rows, the kernel of the compact (int8) re-rank
/// pass: <c>Σ q[i] · r[i]</c> in 32 bits.
/// </summary>
/// <remarks>
/// The caller scales the query so that <c>Σ |q[i]| · 127</c> fits in an int (see
/// <see cref="QueryLimit"/>): every partial sum is then in range, whatever the order of addition,
/// so the vector path and the scalar reference return the same value exactly. With AVX2 the rows'
/// bytes are widened to 16 bits and multiplied pairwise into 32-bit lanes
/// (<c>vpmaddwd</c>), 16 components an instruction.
/// </remarks>
internal static class Int8DotKernels
{
    /// <summary>
    /// The largest magnitude a query component may have for rows of <paramref name="length"/>
    /// components so that no sum overflows: <c>length × 127 × limit ≤ int.MaxValue</c>, at most
    /// <see cref="short.MaxValue"/>.
    /// </summary>
    public static int QueryLimit(int length) =>
        (int)Math.Min(short.MaxValue, int.MaxValue / (127L * Math.Max(1, length)));

    /// <summary>The dot product of the query with one row (same length).</summary>
    public static int Dot(ReadOnlySpan<short> query, ReadOnlySpan<sbyte> row)
    {
        KernelGuard.SameLength(query.Length, row.Length);
        return Avx2.IsSupported ? DotAvx2(query, row) : DotScalar(query, row);
    }

    /// <summary>The scalar reference every vector path must equal.</summary>
    public static int DotScalar(ReadOnlySpan<short> query, ReadOnlySpan<sbyte> row)
    {
        KernelGuard.SameLength(query.Length, row.Length);
        int sum = 0;
        for (int i = 0; i < query.Length; i++) sum += query[i] * row[i];
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int DotAvx2(ReadOnlySpan<short> query, ReadOnlySpan<sbyte> row)
    {
        ref short q = ref MemoryMarshal.GetReference(query);
        ref sbyte r = ref MemoryMarshal.GetReference(row);
        int n = query.Length, i = 0;
        Vector256<int> a0 = Vector256<int>.Zero, a1 = Vector256<int>.Zero;
        // Two accumulators: the multiply-adds of consecutive blocks do not wait on each other.
        for (; i + 32 <= n; i += 32)
        {
            Vector256<short> r0 = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r, (nuint)i));
            Vector256<short> r1 = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r, (nuint)(i + 16)));
            a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref q, (nuint)i), r0));
            a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref q, (nuint)(i + 16)), r1));
        }
        if (i + 16 <= n)
        {
            Vector256<short> r0 = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r, (nuint)i));
            a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref q, (nuint)i), r0));
            i += 16;
        }
        int sum = Vector256.Sum(Avx2.Add(a0, a1));
        for (; i < n; i++) sum += Unsafe.Add(ref q, i) * Unsafe.Add(ref r, i);
        return sum;
    }
}

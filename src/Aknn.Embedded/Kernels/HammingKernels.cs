using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Aknn.Embedded.Kernels;

/// <summary>
/// Hamming distance kernels for binary codes stored as 64-bit words: the entry points the rest of
/// the library calls. Each one checks its arguments and runs the fastest path for this CPU (see
/// <see cref="HammingDistance"/> and <see cref="HammingDistanceBatch"/> for the paths).
/// </summary>
/// <remarks>
/// <para>
/// The scalar path (one <c>popcnt</c> a word) is already fast, so a vector path is chosen only where
/// it was measured to win: batches of any code length, and single pairs of at least
/// <see cref="VectorPairMinWords"/> words. The nibble-lookup paths need the x86 byte shuffle and
/// <c>psadbw</c> (AVX2, or AVX-512BW for the 512-bit path); elsewhere, ARM included, batches run
/// the scalar path (on ARM64 <see cref="System.Numerics.BitOperations.PopCount(ulong)"/> is itself
/// a vector <c>cnt</c>) and single pairs run TensorPrimitives.
/// </para>
/// <para>
/// .NET 10 has no managed intrinsic for AVX-512 VPOPCNTDQ, so even on CPUs that have it the
/// 512-bit path counts by nibble lookup.
/// </para>
/// </remarks>
internal static class HammingKernels
{
    /// <summary>
    /// Codes of at least this many words are compared with our vector path in
    /// <see cref="Distance"/>. Shorter ones (64- to 448-bit hashes) go to
    /// <see cref="TensorPrimitives.HammingBitDistance{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>,
    /// the in-box routine, which measured as fast as our scalar loop (1.6 ns for 1 word, 2.7 ns for
    /// 4 words); at 16 words our AVX2 path took 5.6 ns against its 8.5 ns
    /// (docs/kernel-benchmarks.md).
    /// </summary>
    internal const int VectorPairMinWords = 8;

    /// <summary>Number of differing bits between two codes of the same length in words.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Distance(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        KernelGuard.SameLength(a.Length, b.Length);
        return a.Length < VectorPairMinWords ? (int)TensorPrimitives.HammingBitDistance(a, b) : LongDistance(a, b);
    }

    private static int LongDistance(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        if (Vector512.IsHardwareAccelerated && Avx512BW.IsSupported)
        {
            return HammingDistance.V512(a, b);
        }

        if (Avx2.IsSupported)
        {
            return HammingDistance.V256(a, b);
        }

        return (int)TensorPrimitives.HammingBitDistance(a, b);
    }

    /// <summary>
    /// Number of differing bits between <paramref name="query"/> (W words) and each code of
    /// <paramref name="rows"/> (W words each, back to back).
    /// </summary>
    /// <exception cref="ArgumentException"><c>rows.Length != results.Length * query.Length</c>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DistanceBatch(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, Span<int> results)
    {
        if (Vector512.IsHardwareAccelerated && Avx512BW.IsSupported)
        {
            HammingDistanceBatch.V512(query, rows, results);
        }
        else if (Avx2.IsSupported)
        {
            HammingDistanceBatch.V256(query, rows, results);
        }
        else
        {
            HammingDistanceBatch.Scalar(query, rows, results);
        }
    }
}

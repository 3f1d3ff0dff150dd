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
/// .NET 10 has no managed intrinsic for AVX-512 VPOPCNTDQ (no <c>Avx512Vpopcntdq</c> class, no
/// <c>Vector512</c> population count), so even on CPUs that have it the 512-bit path counts by
/// nibble lookup with AVX-512BW.
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

    /// <summary>
    /// The rows within Hamming distance <paramref name="radius"/> of <paramref name="query"/>:
    /// writes their indexes, ascending, to the start of <paramref name="matches"/> and returns how
    /// many there are. <paramref name="rows"/> holds codes of <c>query.Length</c> words back to back.
    /// </summary>
    /// <remarks>
    /// Fused: counts are compared in registers and only matches are stored (see
    /// <see cref="HammingScan"/>). A negative radius matches nothing.
    /// </remarks>
    /// <exception cref="ArgumentException">The query is empty, <paramref name="rows"/> is not a whole number of codes, or <paramref name="matches"/> has less room than there are rows.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ScanWithin(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, int radius, Span<int> matches)
    {
        if (Vector512.IsHardwareAccelerated && Avx512BW.IsSupported)
        {
            return HammingScan.V512(query, rows, radius, matches, default);
        }

        return Avx2.IsSupported ? HammingScan.V256(query, rows, radius, matches, default) : HammingScan.Scalar(query, rows, radius, matches, default);
    }

    /// <summary>
    /// As <see cref="ScanWithin(ReadOnlySpan{ulong}, ReadOnlySpan{ulong}, int, Span{int})"/>, and
    /// writes each match's distance to the same position of <paramref name="matchDistances"/>.
    /// </summary>
    /// <exception cref="ArgumentException">As the other overload, or <paramref name="matchDistances"/> has less room than there are rows.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ScanWithin(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, int radius, Span<int> matches, Span<int> matchDistances)
    {
        if (matchDistances.IsEmpty && !rows.IsEmpty)
        {
            // The paths read an empty span as "no distances wanted"; here distances were asked for.
            KernelGuard.Room(nameof(matchDistances), 0, query.IsEmpty ? 1 : rows.Length / query.Length);
        }

        if (Vector512.IsHardwareAccelerated && Avx512BW.IsSupported)
        {
            return HammingScan.V512(query, rows, radius, matches, matchDistances);
        }

        return Avx2.IsSupported
            ? HammingScan.V256(query, rows, radius, matches, matchDistances)
            : HammingScan.Scalar(query, rows, radius, matches, matchDistances);
    }

    /// <summary>
    /// Distances from each of several queries to each row, reading each block of rows once for all
    /// the queries (see <see cref="HammingBatchMany{TPath}"/>). <paramref name="queries"/> and
    /// <paramref name="rows"/> hold codes of <paramref name="words"/> words back to back;
    /// <paramref name="results"/> is query-major: <c>results[q · n + i]</c> is the distance from
    /// query q to row i, for n rows.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="words"/> is not positive, a span is not a whole number of codes, or <c>results.Length</c> is not Q · n.</exception>
    public static void DistanceBatchMany(ReadOnlySpan<ulong> queries, ReadOnlySpan<ulong> rows, int words, Span<int> results)
    {
        if (Vector512.IsHardwareAccelerated && Avx512BW.IsSupported)
        {
            HammingBatchMany<V512HammingPath>.DistanceBatchMany(queries, rows, words, results);
        }
        else if (Avx2.IsSupported)
        {
            HammingBatchMany<V256HammingPath>.DistanceBatchMany(queries, rows, words, results);
        }
        else
        {
            HammingBatchMany<ScalarHammingPath>.DistanceBatchMany(queries, rows, words, results);
        }
    }

    /// <summary>
    /// <see cref="ScanWithin(ReadOnlySpan{ulong}, ReadOnlySpan{ulong}, int, Span{int})"/> for the
    /// Q = <c>counts.Length</c> queries in <paramref name="queries"/> at once, reading each block of
    /// rows once for all of them: query q's matches are <c>matches[q · n .. q · n + counts[q])</c>,
    /// ascending, for n rows.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="words"/> is not positive, a span is not a whole number of codes, <paramref name="queries"/> does not hold <c>counts.Length</c> codes, or <paramref name="matches"/> has less room than Q · n.</exception>
    public static void ScanWithinMany(ReadOnlySpan<ulong> queries, ReadOnlySpan<ulong> rows, int words, int radius, Span<int> matches, Span<int> counts)
    {
        if (Vector512.IsHardwareAccelerated && Avx512BW.IsSupported)
        {
            HammingBatchMany<V512HammingPath>.ScanWithinMany(queries, rows, words, radius, matches, counts);
        }
        else if (Avx2.IsSupported)
        {
            HammingBatchMany<V256HammingPath>.ScanWithinMany(queries, rows, words, radius, matches, counts);
        }
        else
        {
            HammingBatchMany<ScalarHammingPath>.ScanWithinMany(queries, rows, words, radius, matches, counts);
        }
    }
}

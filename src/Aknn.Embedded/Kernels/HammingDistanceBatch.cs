using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Aknn.Embedded.Kernels;

/// <summary>
/// Hamming distance from one query code to many codes stored back to back, as a hardware cascade
/// Vector512 → Vector256 → Vector128 → scalar. Codes of one word (64-bit hashes such as pHash)
/// get a dedicated loop in every path, since that is the brute-force scan of a photo library:
/// the vector paths XOR a whole vector of codes with the broadcast query, count bits per word and
/// narrow the counts to 32-bit results in one store.
/// </summary>
/// <remarks>
/// Every path requires <c>rows.Length == results.Length * query.Length</c>. Longer codes go four
/// rows a step, each row accumulating its own per-byte counts, with the four totals reduced
/// together; codes shorter than one vector of a path go to the next narrower path.
/// </remarks>
internal static class HammingDistanceBatch
{
    /// <summary>Scalar reference path: XOR and <c>popcnt</c> word by word.</summary>
    public static void Scalar(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, Span<int> results)
    {
        KernelGuard.BatchShape(query.Length, rows.Length, results.Length);
        ref ulong q = ref MemoryMarshal.GetReference(query);
        ref ulong r = ref MemoryMarshal.GetReference(rows);
        ref int d = ref MemoryMarshal.GetReference(results);
        if (query.Length == 1)
        {
            SingleWordScalar(q, ref r, ref d, 0, (nuint)results.Length);
            return;
        }

        MultiWordScalar(ref q, ref r, ref d, (nuint)query.Length, (nuint)results.Length);
    }

    /// <summary>128-bit path: 2 words a vector.</summary>
    public static void V128(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, Span<int> results)
    {
        KernelGuard.BatchShape(query.Length, rows.Length, results.Length);
        ref ulong q = ref MemoryMarshal.GetReference(query);
        ref ulong r = ref MemoryMarshal.GetReference(rows);
        ref int d = ref MemoryMarshal.GetReference(results);
        nuint count = (nuint)results.Length;
        if (query.Length == 1)
        {
            Vector128<ulong> broadcast = Vector128.Create(q);
            nuint i = 0;
            for (; i + 4 <= count; i += 4)
            {
                Vector128<ulong> c0 = NibblePopCount.SumPerWord(NibblePopCount.PerByte((Vector128.LoadUnsafe(ref r, i) ^ broadcast).AsByte()));
                Vector128<ulong> c1 = NibblePopCount.SumPerWord(NibblePopCount.PerByte((Vector128.LoadUnsafe(ref r, i + 2) ^ broadcast).AsByte()));
                NarrowCounts(c0, c1).StoreUnsafe(ref d, i);
            }

            SingleWordScalar(q, ref r, ref d, i, count);
            return;
        }

        MultiWordV128(ref q, ref r, ref d, (nuint)query.Length, count);
    }

    /// <summary>256-bit path: 4 words a vector.</summary>
    public static void V256(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, Span<int> results)
    {
        KernelGuard.BatchShape(query.Length, rows.Length, results.Length);
        ref ulong q = ref MemoryMarshal.GetReference(query);
        ref ulong r = ref MemoryMarshal.GetReference(rows);
        ref int d = ref MemoryMarshal.GetReference(results);
        nuint count = (nuint)results.Length;
        if (query.Length == 1)
        {
            Vector256<ulong> broadcast = Vector256.Create(q);
            nuint i = 0;
            for (; i + 8 <= count; i += 8)
            {
                Vector256<ulong> c0 = NibblePopCount.SumPerWord(NibblePopCount.PerByte((Vector256.LoadUnsafe(ref r, i) ^ broadcast).AsByte()));
                Vector256<ulong> c1 = NibblePopCount.SumPerWord(NibblePopCount.PerByte((Vector256.LoadUnsafe(ref r, i + 4) ^ broadcast).AsByte()));
                NarrowCounts(c0, c1).StoreUnsafe(ref d, i);
            }

            SingleWordScalar(q, ref r, ref d, i, count);
            return;
        }

        MultiWordV256(ref q, ref r, ref d, (nuint)query.Length, count);
    }

    /// <summary>512-bit path: 8 words a vector.</summary>
    public static void V512(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, Span<int> results)
    {
        KernelGuard.BatchShape(query.Length, rows.Length, results.Length);
        ref ulong q = ref MemoryMarshal.GetReference(query);
        ref ulong r = ref MemoryMarshal.GetReference(rows);
        ref int d = ref MemoryMarshal.GetReference(results);
        nuint count = (nuint)results.Length;
        if (query.Length == 1)
        {
            Vector512<ulong> broadcast = Vector512.Create(q);
            nuint i = 0;
            for (; i + 16 <= count; i += 16)
            {
                Vector512<ulong> c0 = NibblePopCount.SumPerWord(NibblePopCount.PerByte((Vector512.LoadUnsafe(ref r, i) ^ broadcast).AsByte()));
                Vector512<ulong> c1 = NibblePopCount.SumPerWord(NibblePopCount.PerByte((Vector512.LoadUnsafe(ref r, i + 8) ^ broadcast).AsByte()));
                NarrowCounts(c0, c1).StoreUnsafe(ref d, i);
            }

            SingleWordScalar(q, ref r, ref d, i, count);
            return;
        }

        MultiWordV512(ref q, ref r, ref d, (nuint)query.Length, count);
    }

    private static void MultiWordScalar(ref ulong query, ref ulong rows, ref int results, nuint words, nuint count)
    {
        for (nuint i = 0; i < count; i++)
        {
            Unsafe.Add(ref results, i) = HammingDistance.ScalarCore(ref query, ref Unsafe.Add(ref rows, i * words), words);
        }
    }

    /// <summary>Codes of <paramref name="words"/> words, four rows a step (see <see cref="FourRowsV128"/>).</summary>
    private static void MultiWordV128(ref ulong query, ref ulong rows, ref int results, nuint words, nuint count)
    {
        if (words < 2)
        {
            MultiWordScalar(ref query, ref rows, ref results, words, count);
            return;
        }

        nuint r = 0;
        for (; r + 4 <= count; r += 4)
        {
            FourRowsV128(ref query, ref Unsafe.Add(ref rows, r * words), words).StoreUnsafe(ref results, r);
        }

        for (; r < count; r++)
        {
            Unsafe.Add(ref results, r) = HammingDistance.V128Core(ref query, ref Unsafe.Add(ref rows, r * words), words);
        }
    }

    /// <summary>Codes of <paramref name="words"/> words, four rows a step (see <see cref="FourRowsV256"/>).</summary>
    private static void MultiWordV256(ref ulong query, ref ulong rows, ref int results, nuint words, nuint count)
    {
        if (words < 4)
        {
            MultiWordV128(ref query, ref rows, ref results, words, count);
            return;
        }

        nuint r = 0;
        for (; r + 4 <= count; r += 4)
        {
            FourRowsV256(ref query, ref Unsafe.Add(ref rows, r * words), words).StoreUnsafe(ref results, r);
        }

        for (; r < count; r++)
        {
            Unsafe.Add(ref results, r) = HammingDistance.V256Core(ref query, ref Unsafe.Add(ref rows, r * words), words);
        }
    }

    /// <summary>Codes of <paramref name="words"/> words, four rows a step (see <see cref="FourRowsV512"/>).</summary>
    private static void MultiWordV512(ref ulong query, ref ulong rows, ref int results, nuint words, nuint count)
    {
        if (words < 8)
        {
            MultiWordV256(ref query, ref rows, ref results, words, count);
            return;
        }

        nuint r = 0;
        for (; r + 4 <= count; r += 4)
        {
            FourRowsV512(ref query, ref Unsafe.Add(ref rows, r * words), words).StoreUnsafe(ref results, r);
        }

        for (; r < count; r++)
        {
            Unsafe.Add(ref results, r) = HammingDistance.V512Core(ref query, ref Unsafe.Add(ref rows, r * words), words);
        }
    }

    /// <summary>
    /// Distances from the query to the four consecutive codes starting at <paramref name="row0"/>,
    /// for codes of at least 2 words. Each row keeps per-byte counts in its own register, widened to
    /// 64-bit totals every 31 vectors, and the four totals are reduced together; a last odd word is
    /// counted with <c>popcnt</c>. Shared by the batch and the radius-scan kernels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<int> FourRowsV128(ref ulong query, ref ulong row0, nuint words)
    {
        const int Width = 2;
        nuint full = words & ~(nuint)(Width - 1);
        nuint tail = words - full;
        ref ulong row1 = ref Unsafe.Add(ref row0, words);
        ref ulong row2 = ref Unsafe.Add(ref row1, words);
        ref ulong row3 = ref Unsafe.Add(ref row2, words);
        Vector128<ulong> t0 = Vector128<ulong>.Zero, t1 = t0, t2 = t0, t3 = t0;
        nuint j = 0;
        do
        {
            nuint blockEnd = Math.Min(full, j + HammingDistance.MaxVectorsPerByteSum * Width);
            Vector128<byte> b0 = Vector128<byte>.Zero, b1 = b0, b2 = b0, b3 = b0;
            for (; j < blockEnd; j += Width)
            {
                Vector128<ulong> q = Vector128.LoadUnsafe(ref query, j);
                b0 += NibblePopCount.PerByte((Vector128.LoadUnsafe(ref row0, j) ^ q).AsByte());
                b1 += NibblePopCount.PerByte((Vector128.LoadUnsafe(ref row1, j) ^ q).AsByte());
                b2 += NibblePopCount.PerByte((Vector128.LoadUnsafe(ref row2, j) ^ q).AsByte());
                b3 += NibblePopCount.PerByte((Vector128.LoadUnsafe(ref row3, j) ^ q).AsByte());
            }

            t0 += NibblePopCount.SumPerWord(b0);
            t1 += NibblePopCount.SumPerWord(b1);
            t2 += NibblePopCount.SumPerWord(b2);
            t3 += NibblePopCount.SumPerWord(b3);
        }
        while (j < full);

        Vector128<int> sums = SumEach(t0, t1, t2, t3);
        if (tail != 0)
        {
            sums += TailCounts(ref query, ref row0, ref row1, ref row2, ref row3, full, tail);
        }

        return sums;
    }

    /// <summary>As <see cref="FourRowsV128"/>, 4 words a vector, for codes of at least 4 words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<int> FourRowsV256(ref ulong query, ref ulong row0, nuint words)
    {
        const int Width = 4;
        nuint full = words & ~(nuint)(Width - 1);
        nuint tail = words - full;
        ref ulong row1 = ref Unsafe.Add(ref row0, words);
        ref ulong row2 = ref Unsafe.Add(ref row1, words);
        ref ulong row3 = ref Unsafe.Add(ref row2, words);
        Vector256<ulong> t0 = Vector256<ulong>.Zero, t1 = t0, t2 = t0, t3 = t0;
        nuint j = 0;
        do
        {
            nuint blockEnd = Math.Min(full, j + HammingDistance.MaxVectorsPerByteSum * Width);
            Vector256<byte> b0 = Vector256<byte>.Zero, b1 = b0, b2 = b0, b3 = b0;
            for (; j < blockEnd; j += Width)
            {
                Vector256<ulong> q = Vector256.LoadUnsafe(ref query, j);
                b0 += NibblePopCount.PerByte((Vector256.LoadUnsafe(ref row0, j) ^ q).AsByte());
                b1 += NibblePopCount.PerByte((Vector256.LoadUnsafe(ref row1, j) ^ q).AsByte());
                b2 += NibblePopCount.PerByte((Vector256.LoadUnsafe(ref row2, j) ^ q).AsByte());
                b3 += NibblePopCount.PerByte((Vector256.LoadUnsafe(ref row3, j) ^ q).AsByte());
            }

            t0 += NibblePopCount.SumPerWord(b0);
            t1 += NibblePopCount.SumPerWord(b1);
            t2 += NibblePopCount.SumPerWord(b2);
            t3 += NibblePopCount.SumPerWord(b3);
        }
        while (j < full);

        Vector128<int> sums = SumEach(t0, t1, t2, t3);
        if (tail != 0)
        {
            sums += TailCounts(ref query, ref row0, ref row1, ref row2, ref row3, full, tail);
        }

        return sums;
    }

    /// <summary>As <see cref="FourRowsV128"/>, 8 words a vector, for codes of at least 8 words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<int> FourRowsV512(ref ulong query, ref ulong row0, nuint words)
    {
        const int Width = 8;
        nuint full = words & ~(nuint)(Width - 1);
        nuint tail = words - full;
        ref ulong row1 = ref Unsafe.Add(ref row0, words);
        ref ulong row2 = ref Unsafe.Add(ref row1, words);
        ref ulong row3 = ref Unsafe.Add(ref row2, words);
        Vector512<ulong> t0 = Vector512<ulong>.Zero, t1 = t0, t2 = t0, t3 = t0;
        nuint j = 0;
        do
        {
            nuint blockEnd = Math.Min(full, j + HammingDistance.MaxVectorsPerByteSum * Width);
            Vector512<byte> b0 = Vector512<byte>.Zero, b1 = b0, b2 = b0, b3 = b0;
            for (; j < blockEnd; j += Width)
            {
                Vector512<ulong> q = Vector512.LoadUnsafe(ref query, j);
                b0 += NibblePopCount.PerByte((Vector512.LoadUnsafe(ref row0, j) ^ q).AsByte());
                b1 += NibblePopCount.PerByte((Vector512.LoadUnsafe(ref row1, j) ^ q).AsByte());
                b2 += NibblePopCount.PerByte((Vector512.LoadUnsafe(ref row2, j) ^ q).AsByte());
                b3 += NibblePopCount.PerByte((Vector512.LoadUnsafe(ref row3, j) ^ q).AsByte());
            }

            t0 += NibblePopCount.SumPerWord(b0);
            t1 += NibblePopCount.SumPerWord(b1);
            t2 += NibblePopCount.SumPerWord(b2);
            t3 += NibblePopCount.SumPerWord(b3);
        }
        while (j < full);

        Vector128<int> sums = SumEach(t0, t1, t2, t3);
        if (tail != 0)
        {
            sums += TailCounts(ref query, ref row0, ref row1, ref row2, ref row3, full, tail);
        }

        return sums;
    }

    /// <summary>Distances over the words from <paramref name="start"/> on (fewer than one vector) of four rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> TailCounts(ref ulong query, ref ulong row0, ref ulong row1, ref ulong row2, ref ulong row3, nuint start, nuint tail)
    {
        ref ulong queryTail = ref Unsafe.Add(ref query, start);
        return Vector128.Create(
            HammingDistance.ScalarCore(ref queryTail, ref Unsafe.Add(ref row0, start), tail),
            HammingDistance.ScalarCore(ref queryTail, ref Unsafe.Add(ref row1, start), tail),
            HammingDistance.ScalarCore(ref queryTail, ref Unsafe.Add(ref row2, start), tail),
            HammingDistance.ScalarCore(ref queryTail, ref Unsafe.Add(ref row3, start), tail));
    }

    /// <summary>
    /// Packs two vectors of 64-bit counts (each below 2³²) into one vector of 32-bit counts, in
    /// order: the counts of <paramref name="first"/>, then those of <paramref name="second"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> NarrowCounts(Vector128<ulong> first, Vector128<ulong> second)
    {
        if (Sse2.IsSupported)
        {
            // (f0, s0, f1, s1) as 32-bit lanes, then reorder to (f0, f1, s0, s1).
            Vector128<int> interleaved = (first | (second << 32)).AsInt32();
            return Sse2.Shuffle(interleaved, 0b11_01_10_00);
        }

        return Vector128.Narrow(first, second).AsInt32();
    }

    /// <inheritdoc cref="NarrowCounts(Vector128{ulong}, Vector128{ulong})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> NarrowCounts(Vector256<ulong> first, Vector256<ulong> second)
    {
        if (Avx2.IsSupported)
        {
            // (f0, s0, f1, s1, f2, s2, f3, s3) as 32-bit lanes; one cross-lane permute restores order.
            // Measured a little faster than Vector256.Narrow on AVX2.
            Vector256<int> interleaved = (first | (second << 32)).AsInt32();
            return Avx2.PermuteVar8x32(interleaved, Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7));
        }

        return Vector256.Narrow(first, second).AsInt32();
    }

    /// <inheritdoc cref="NarrowCounts(Vector128{ulong}, Vector128{ulong})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> NarrowCounts(Vector512<ulong> first, Vector512<ulong> second) =>
        Vector512.Narrow(first, second).AsInt32();

    /// <summary>Returns the totals of four vectors of 64-bit counts (each below 2³¹) as one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> SumEach(Vector128<ulong> t0, Vector128<ulong> t1, Vector128<ulong> t2, Vector128<ulong> t3)
    {
        if (Ssse3.IsSupported)
        {
            // Each count fits the low half of its word; the high halves are zero. Pairwise adds of
            // 32-bit lanes therefore give (t0, t1) totals per word, then the four row totals.
            return Ssse3.HorizontalAdd(
                Ssse3.HorizontalAdd(t0.AsInt32(), t1.AsInt32()),
                Ssse3.HorizontalAdd(t2.AsInt32(), t3.AsInt32()));
        }

        return Vector128.Create((int)Vector128.Sum(t0), (int)Vector128.Sum(t1), (int)Vector128.Sum(t2), (int)Vector128.Sum(t3));
    }

    /// <inheritdoc cref="SumEach(Vector128{ulong}, Vector128{ulong}, Vector128{ulong}, Vector128{ulong})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> SumEach(Vector256<ulong> t0, Vector256<ulong> t1, Vector256<ulong> t2, Vector256<ulong> t3)
    {
        if (Avx2.IsSupported)
        {
            // As in the 128-bit case, within each 128-bit half; then add the halves.
            Vector256<int> h = Avx2.HorizontalAdd(
                Avx2.HorizontalAdd(t0.AsInt32(), t1.AsInt32()),
                Avx2.HorizontalAdd(t2.AsInt32(), t3.AsInt32()));
            return h.GetLower() + h.GetUpper();
        }

        return SumEach(t0.GetLower() + t0.GetUpper(), t1.GetLower() + t1.GetUpper(), t2.GetLower() + t2.GetUpper(), t3.GetLower() + t3.GetUpper());
    }

    /// <inheritdoc cref="SumEach(Vector128{ulong}, Vector128{ulong}, Vector128{ulong}, Vector128{ulong})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> SumEach(Vector512<ulong> t0, Vector512<ulong> t1, Vector512<ulong> t2, Vector512<ulong> t3) =>
        SumEach(t0.GetLower() + t0.GetUpper(), t1.GetLower() + t1.GetUpper(), t2.GetLower() + t2.GetUpper(), t3.GetLower() + t3.GetUpper());

    /// <summary>One-word codes from index <paramref name="start"/> to <paramref name="count"/>, four a step.</summary>
    private static void SingleWordScalar(ulong query, ref ulong rows, ref int results, nuint start, nuint count)
    {
        nuint i = start;
        for (; i + 4 <= count; i += 4)
        {
            Unsafe.Add(ref results, i) = BitOperations.PopCount(Unsafe.Add(ref rows, i) ^ query);
            Unsafe.Add(ref results, i + 1) = BitOperations.PopCount(Unsafe.Add(ref rows, i + 1) ^ query);
            Unsafe.Add(ref results, i + 2) = BitOperations.PopCount(Unsafe.Add(ref rows, i + 2) ^ query);
            Unsafe.Add(ref results, i + 3) = BitOperations.PopCount(Unsafe.Add(ref rows, i + 3) ^ query);
        }

        for (; i < count; i++)
        {
            Unsafe.Add(ref results, i) = BitOperations.PopCount(Unsafe.Add(ref rows, i) ^ query);
        }
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Aknn.Embedded.Kernels;

/// <summary>
/// Radius scan: the indexes (ascending) of the codes within a Hamming distance of a query, as a
/// hardware cascade Vector512 → Vector256 → Vector128 → scalar. The vector paths are fused: they
/// XOR, count and compare in registers and turn the comparison into a bit mask with
/// <c>movemask</c>; nothing is stored for a row that does not match, so a scan reads the codes and
/// writes almost nothing.
/// </summary>
/// <remarks>
/// <para>
/// Every path requires a query of at least one word, rows that are a whole number of codes of the
/// query's length, and room in the outputs for every row (see <see cref="KernelGuard.ScanShape"/>).
/// An empty <c>matchDistances</c> means that no distances are wanted. A negative radius matches
/// nothing; a radius of at least the code length in bits matches everything.
/// </para>
/// <para>
/// Specialised loops: one-word codes (64-bit pHash and the like) take four vectors of codes a step
/// and compare their counts as bytes, so one mask and one branch cover 8, 16 or 32 codes; four-word
/// codes (256-bit PDQ) take eight codes a step on the 256-bit path and compare 16-bit totals. Other
/// lengths go four rows a step through the batch kernel's per-row accumulation
/// (<see cref="HammingDistanceBatch.FourRowsV256"/> and its siblings). Matches are expected to be
/// rare (a radius is small against the code length), so a mask with any bit set leaves the loop for
/// a small routine that writes the matches in order and counts each match's distance again with
/// <c>popcnt</c> rather than keeping the vector of counts.
/// </para>
/// <para>
/// The loops are compiled fully optimised from the first call
/// (<see cref="MethodImplOptions.AggressiveOptimization"/>): a scan is often a few calls over
/// millions of codes, and the on-stack-replacement code that tiered compilation runs meanwhile
/// kept its vectors in memory and scanned one-word codes in cache at 1.7 billion a second instead
/// of 4 (docs/kernel-benchmarks.md). Profile-guided optimisation has nothing to add to these loops.
/// </para>
/// <para>
/// .NET 10 has no managed intrinsic for AVX-512 VPOPCNTQ (there is no
/// <c>System.Runtime.Intrinsics.X86.Avx512Vpopcntdq</c> class and no <c>Vector512</c> population
/// count; checked by reflection on runtime 10.0.12), so the 512-bit path counts by nibble lookup with
/// AVX-512BW like the 256-bit one, four times as many bytes a shuffle.
/// </para>
/// </remarks>
internal static unsafe class HammingScan
{
    /// <summary>Mask of the byte lanes that carry a count after <see cref="PackFour256"/> and its siblings: bytes 0–3 of each word.</summary>
    private const ulong CountBytes = 0x0F0F_0F0F_0F0F_0F0FUL;

    /// <summary>
    /// How far ahead of the loads the loops over short codes prefetch, in bytes. Out of cache the
    /// one-word scan read 12.9 GB/s without prefetching and about 17 GB/s with it, against 25 GB/s
    /// for a plain summing loop over the same 80 MB (medians of 31, docs/kernel-benchmarks.md);
    /// 1 KiB ahead was slower, 3 KiB no better.
    /// </summary>
    private const int PrefetchDistance = 2048;

    /// <summary>Scalar reference path: XOR and <c>popcnt</c> word by word, one row at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Scalar(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, int radius, Span<int> matches, Span<int> matchDistances = default)
    {
        int count = KernelGuard.ScanShape(query.Length, rows.Length, matches.Length, matchDistances.Length);
        var sink = new MatchSink(matches, matchDistances);
        if (radius < 0)
        {
            return 0;
        }

        ref ulong q = ref MemoryMarshal.GetReference(query);
        ref ulong r = ref MemoryMarshal.GetReference(rows);
        nuint words = (nuint)query.Length;
        if (words == 1)
        {
            OneWordScalar(q, ref r, 0, (nuint)count, radius, ref sink);
        }
        else
        {
            for (nuint i = 0; i < (nuint)count; i++)
            {
                int d = HammingDistance.ScalarCore(ref q, ref Unsafe.Add(ref r, i * words), words);
                if (d <= radius)
                {
                    sink.Add((int)i, d);
                }
            }
        }

        return sink.Count;
    }

    /// <summary>128-bit path: 2 words a vector.</summary>
    public static int V128(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, int radius, Span<int> matches, Span<int> matchDistances = default)
    {
        int count = KernelGuard.ScanShape(query.Length, rows.Length, matches.Length, matchDistances.Length);
        var sink = new MatchSink(matches, matchDistances);
        if (radius < 0)
        {
            return 0;
        }

        ref ulong q = ref MemoryMarshal.GetReference(query);
        ref ulong r = ref MemoryMarshal.GetReference(rows);
        nuint words = (nuint)query.Length;
        int limit = ClampRadius(radius, words);
        if (words == 1)
        {
            OneWordV128(q, ref r, (nuint)count, limit, ref sink);
        }
        else
        {
            MultiWordV128(ref q, ref r, words, (nuint)count, limit, ref sink);
        }

        return sink.Count;
    }

    /// <summary>256-bit path: 4 words a vector.</summary>
    public static int V256(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, int radius, Span<int> matches, Span<int> matchDistances = default)
    {
        int count = KernelGuard.ScanShape(query.Length, rows.Length, matches.Length, matchDistances.Length);
        var sink = new MatchSink(matches, matchDistances);
        if (radius < 0)
        {
            return 0;
        }

        ref ulong q = ref MemoryMarshal.GetReference(query);
        ref ulong r = ref MemoryMarshal.GetReference(rows);
        nuint words = (nuint)query.Length;
        Route256(ref q, ref r, words, (nuint)count, ClampRadius(radius, words), ref sink);
        return sink.Count;
    }

    /// <summary>512-bit path: 8 words a vector; codes of 2 to 7 words take the 256-bit loops.</summary>
    public static int V512(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, int radius, Span<int> matches, Span<int> matchDistances = default)
    {
        int count = KernelGuard.ScanShape(query.Length, rows.Length, matches.Length, matchDistances.Length);
        var sink = new MatchSink(matches, matchDistances);
        if (radius < 0)
        {
            return 0;
        }

        ref ulong q = ref MemoryMarshal.GetReference(query);
        ref ulong r = ref MemoryMarshal.GetReference(rows);
        nuint words = (nuint)query.Length;
        int limit = ClampRadius(radius, words);
        if (words == 1)
        {
            OneWordV512(q, ref r, (nuint)count, limit, ref sink);
        }
        else if (words < 8)
        {
            Route256(ref q, ref r, words, (nuint)count, limit, ref sink);
        }
        else
        {
            MultiWordV512(ref q, ref r, words, (nuint)count, limit, ref sink);
        }

        return sink.Count;
    }

    /// <summary>
    /// The radius capped at the code length in bits: every distance is at most that, so the result
    /// is the same, and the capped value fits the byte and 16-bit comparisons of the short-code
    /// loops (radius + 1 ≤ 65 for one word, ≤ 257 for four).
    /// </summary>
    private static int ClampRadius(int radius, nuint words) => (int)Math.Min((ulong)radius, Math.Min(64UL * words, int.MaxValue - 1));

    private static void Route256(ref ulong query, ref ulong rows, nuint words, nuint count, int radius, ref MatchSink sink)
    {
        if (words == 1)
        {
            OneWordV256(query, ref rows, count, radius, ref sink);
        }
        else if (words == 4)
        {
            FourWordV256(ref query, ref rows, count, radius, ref sink);
        }
        else if (words < 4)
        {
            MultiWordV128(ref query, ref rows, words, count, radius, ref sink);
        }
        else
        {
            MultiWordV256(ref query, ref rows, words, count, radius, ref sink);
        }
    }

    /// <summary>One-word codes from <paramref name="start"/> to <paramref name="count"/>, one <c>popcnt</c> and one branch each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneWordScalar(ulong query, ref ulong rows, nuint start, nuint count, int radius, ref MatchSink sink)
    {
        for (nuint i = start; i < count; i++)
        {
            int d = BitOperations.PopCount(Unsafe.Add(ref rows, i) ^ query);
            if (d <= radius)
            {
                sink.Add((int)i, d);
            }
        }
    }

    /// <summary>
    /// One-word codes, 8 a step: the per-word counts of four vectors are packed into bytes 0–3 of
    /// each word (see <see cref="PackFour128"/>) and compared as bytes with radius + 1.
    /// </summary>
    /// <remarks>
    /// The inner loop leaves at the first step with a match, and the vectors it uses are set up
    /// again after the matches are written: the call that writes them clobbers every vector register,
    /// and values live across it would be spilled and reloaded in every iteration.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneWordV128(ulong query, ref ulong rows, nuint count, int radius, ref MatchSink sink)
    {
        const int Lanes = 2, Step = 4 * Lanes;
        nuint i = 0;
        while (i + Step <= count)
        {
            Vector128<ulong> q = Vector128.Create(query);
            Vector128<sbyte> limit = Vector128.Create((sbyte)(radius + 1));
            Vector128<byte> table = NibblePopCount.Table128, nibbles = Vector128.Create((byte)0x0F);
            ulong mask = 0;
            for (; i + Step <= count; i += Step)
            {
                PrefetchAhead(ref Unsafe.Add(ref rows, i), Step * sizeof(ulong));
                Vector128<ulong> packed = PackFour128(
                    WordCounts(Vector128.LoadUnsafe(ref rows, i) ^ q, table, nibbles),
                    WordCounts(Vector128.LoadUnsafe(ref rows, i + Lanes) ^ q, table, nibbles),
                    WordCounts(Vector128.LoadUnsafe(ref rows, i + 2 * Lanes) ^ q, table, nibbles),
                    WordCounts(Vector128.LoadUnsafe(ref rows, i + 3 * Lanes) ^ q, table, nibbles));
                mask = Vector128.GreaterThan(limit, packed.AsSByte()).ExtractMostSignificantBits() & CountBytes;
                if (mask != 0)
                {
                    break;
                }
            }

            if (mask == 0)
            {
                break;
            }

            EmitOneWord(query, ref rows, i, mask, Lanes, ref sink);
            i += Step;
        }

        OneWordScalar(query, ref rows, i, count, radius, ref sink);
    }

    /// <summary>One-word codes, 16 a step; as <see cref="OneWordV128"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneWordV256(ulong query, ref ulong rows, nuint count, int radius, ref MatchSink sink)
    {
        const int Lanes = 4, Step = 4 * Lanes;
        nuint i = 0;
        while (i + Step <= count)
        {
            Vector256<ulong> q = Vector256.Create(query);
            Vector256<sbyte> limit = Vector256.Create((sbyte)(radius + 1));
            Vector256<byte> table = NibblePopCount.Table256, nibbles = Vector256.Create((byte)0x0F);
            ulong mask = 0;
            for (; i + Step <= count; i += Step)
            {
                PrefetchAhead(ref Unsafe.Add(ref rows, i), Step * sizeof(ulong));
                Vector256<ulong> packed = PackFour256(
                    WordCounts(Vector256.LoadUnsafe(ref rows, i) ^ q, table, nibbles),
                    WordCounts(Vector256.LoadUnsafe(ref rows, i + Lanes) ^ q, table, nibbles),
                    WordCounts(Vector256.LoadUnsafe(ref rows, i + 2 * Lanes) ^ q, table, nibbles),
                    WordCounts(Vector256.LoadUnsafe(ref rows, i + 3 * Lanes) ^ q, table, nibbles));
                mask = Vector256.GreaterThan(limit, packed.AsSByte()).ExtractMostSignificantBits() & CountBytes;
                if (mask != 0)
                {
                    break;
                }
            }

            if (mask == 0)
            {
                break;
            }

            EmitOneWord(query, ref rows, i, mask, Lanes, ref sink);
            i += Step;
        }

        OneWordScalar(query, ref rows, i, count, radius, ref sink);
    }

    /// <summary>One-word codes, 32 a step; as <see cref="OneWordV128"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneWordV512(ulong query, ref ulong rows, nuint count, int radius, ref MatchSink sink)
    {
        const int Lanes = 8, Step = 4 * Lanes;
        nuint i = 0;
        while (i + Step <= count)
        {
            Vector512<ulong> q = Vector512.Create(query);
            Vector512<sbyte> limit = Vector512.Create((sbyte)(radius + 1));
            Vector512<byte> table = NibblePopCount.Table512, nibbles = Vector512.Create((byte)0x0F);
            ulong mask = 0;
            for (; i + Step <= count; i += Step)
            {
                PrefetchAhead(ref Unsafe.Add(ref rows, i), Step * sizeof(ulong));
                Vector512<ulong> packed = PackFour512(
                    WordCounts(Vector512.LoadUnsafe(ref rows, i) ^ q, table, nibbles),
                    WordCounts(Vector512.LoadUnsafe(ref rows, i + Lanes) ^ q, table, nibbles),
                    WordCounts(Vector512.LoadUnsafe(ref rows, i + 2 * Lanes) ^ q, table, nibbles),
                    WordCounts(Vector512.LoadUnsafe(ref rows, i + 3 * Lanes) ^ q, table, nibbles));
                mask = Vector512.GreaterThan(limit, packed.AsSByte()).ExtractMostSignificantBits() & CountBytes;
                if (mask != 0)
                {
                    break;
                }
            }

            if (mask == 0)
            {
                break;
            }

            EmitOneWord(query, ref rows, i, mask, Lanes, ref sink);
            i += Step;
        }

        OneWordScalar(query, ref rows, i, count, radius, ref sink);
    }

    /// <summary>
    /// Four-word codes, 8 a step (8 vectors). The per-word counts (each at most 64) of four codes
    /// are packed into 16-bit fields, one code a field, and the four words of each code summed
    /// field by field (a total is at most 256, so no field carries into the next). The two groups'
    /// totals end up as eight 16-bit lanes in code order, compared with radius + 1. The loop is
    /// left at a match as in <see cref="OneWordV128"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourWordV256(ref ulong query, ref ulong rows, nuint count, int radius, ref MatchSink sink)
    {
        const nuint Words = 4, Step = 8;
        nuint i = 0;
        while (i + Step <= count)
        {
            Vector256<ulong> q = Vector256.LoadUnsafe(ref query);
            Vector128<short> limit = Vector128.Create((short)(radius + 1));
            Vector256<byte> table = NibblePopCount.Table256, nibbles = Vector256.Create((byte)0x0F);
            uint mask = 0;
            for (; i + Step <= count; i += Step)
            {
                ref ulong row = ref Unsafe.Add(ref rows, i * Words);
                PrefetchAhead(ref row, (int)(Step * Words) * sizeof(ulong));
                Vector128<ulong> first = FourCodeFields(q, ref row, table, nibbles);
                Vector128<ulong> second = FourCodeFields(q, ref Unsafe.Add(ref row, 4 * Words), table, nibbles);
                Vector128<short> totals = (UnpackLow(first, second) + UnpackHigh(first, second)).AsInt16();
                mask = Vector128.GreaterThan(limit, totals).ExtractMostSignificantBits();
                if (mask != 0)
                {
                    break;
                }
            }

            if (mask == 0)
            {
                break;
            }

            EmitRows(ref query, ref rows, Words, i, mask, ref sink);
            i += Step;
        }

        for (; i < count; i++)
        {
            int d = HammingDistance.ScalarCore(ref query, ref Unsafe.Add(ref rows, i * Words), Words);
            if (d <= radius)
            {
                sink.Add((int)i, d);
            }
        }
    }

    /// <summary>
    /// Counts of four consecutive four-word codes as 16-bit fields (field v: code v), folded to two
    /// words: word 0 holds the counts of words 0 and 2 of each code, word 1 those of words 1 and 3.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> FourCodeFields(Vector256<ulong> query, ref ulong row, Vector256<byte> table, Vector256<byte> nibbles)
    {
        Vector256<ulong> c0 = WordCounts(Vector256.LoadUnsafe(ref row) ^ query, table, nibbles);
        Vector256<ulong> c1 = WordCounts(Vector256.LoadUnsafe(ref row, 4) ^ query, table, nibbles);
        Vector256<ulong> c2 = WordCounts(Vector256.LoadUnsafe(ref row, 8) ^ query, table, nibbles);
        Vector256<ulong> c3 = WordCounts(Vector256.LoadUnsafe(ref row, 12) ^ query, table, nibbles);
        Vector256<ulong> fields = c0 | (c1 << 16) | (c2 << 32) | (c3 << 48);
        return fields.GetLower() + fields.GetUpper();
    }

    /// <summary>Codes of at least 2 words, four rows a step with <see cref="HammingDistanceBatch.FourRowsV128"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiWordV128(ref ulong query, ref ulong rows, nuint words, nuint count, int radius, ref MatchSink sink)
    {
        Vector128<int> limit = Vector128.Create(radius + 1);
        nuint r = 0;
        for (; r + 4 <= count; r += 4)
        {
            Vector128<int> sums = HammingDistanceBatch.FourRowsV128(ref query, ref Unsafe.Add(ref rows, r * words), words);
            uint mask = Vector128.GreaterThan(limit, sums).ExtractMostSignificantBits();
            if (mask != 0)
            {
                EmitSums(sums, r, mask, ref sink);
            }
        }

        for (; r < count; r++)
        {
            int d = HammingDistance.V128Core(ref query, ref Unsafe.Add(ref rows, r * words), words);
            if (d <= radius)
            {
                sink.Add((int)r, d);
            }
        }
    }

    /// <summary>Codes of at least 4 words, four rows a step with <see cref="HammingDistanceBatch.FourRowsV256"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiWordV256(ref ulong query, ref ulong rows, nuint words, nuint count, int radius, ref MatchSink sink)
    {
        Vector128<int> limit = Vector128.Create(radius + 1);
        nuint r = 0;
        for (; r + 4 <= count; r += 4)
        {
            Vector128<int> sums = HammingDistanceBatch.FourRowsV256(ref query, ref Unsafe.Add(ref rows, r * words), words);
            uint mask = Vector128.GreaterThan(limit, sums).ExtractMostSignificantBits();
            if (mask != 0)
            {
                EmitSums(sums, r, mask, ref sink);
            }
        }

        for (; r < count; r++)
        {
            int d = HammingDistance.V256Core(ref query, ref Unsafe.Add(ref rows, r * words), words);
            if (d <= radius)
            {
                sink.Add((int)r, d);
            }
        }
    }

    /// <summary>Codes of at least 8 words, four rows a step with <see cref="HammingDistanceBatch.FourRowsV512"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiWordV512(ref ulong query, ref ulong rows, nuint words, nuint count, int radius, ref MatchSink sink)
    {
        Vector128<int> limit = Vector128.Create(radius + 1);
        nuint r = 0;
        for (; r + 4 <= count; r += 4)
        {
            Vector128<int> sums = HammingDistanceBatch.FourRowsV512(ref query, ref Unsafe.Add(ref rows, r * words), words);
            uint mask = Vector128.GreaterThan(limit, sums).ExtractMostSignificantBits();
            if (mask != 0)
            {
                EmitSums(sums, r, mask, ref sink);
            }
        }

        for (; r < count; r++)
        {
            int d = HammingDistance.V512Core(ref query, ref Unsafe.Add(ref rows, r * words), words);
            if (d <= radius)
            {
                sink.Add((int)r, d);
            }
        }
    }

    /// <summary>
    /// Prefetches into L1 the <paramref name="bytes"/> (a multiple of 64) that lie
    /// <see cref="PrefetchDistance"/> bytes after <paramref name="at"/>. A prefetch never faults, so an
    /// address past the end of the rows (or of a managed array the collector has since moved) costs
    /// nothing but the instruction.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchAhead(ref ulong at, int bytes)
    {
        if (Sse.IsSupported)
        {
            byte* p = (byte*)Unsafe.AsPointer(ref at) + PrefetchDistance;
            for (int offset = 0; offset < bytes; offset += 64)
            {
                Sse.Prefetch0(p + offset);
            }
        }
    }

    /// <summary>
    /// Number of set bits in each 64-bit word (in the word's low byte; the other bytes are zero),
    /// with the lookup table and nibble mask of <see cref="NibblePopCount.PerByte(Vector128{byte}, Vector128{byte}, Vector128{byte})"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> WordCounts(Vector128<ulong> x, Vector128<byte> table, Vector128<byte> nibbles) =>
        NibblePopCount.SumPerWord(NibblePopCount.PerByte(x.AsByte(), table, nibbles));

    /// <inheritdoc cref="WordCounts(Vector128{ulong}, Vector128{byte}, Vector128{byte})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> WordCounts(Vector256<ulong> x, Vector256<byte> table, Vector256<byte> nibbles) =>
        NibblePopCount.SumPerWord(NibblePopCount.PerByte(x.AsByte(), table, nibbles));

    /// <inheritdoc cref="WordCounts(Vector128{ulong}, Vector128{byte}, Vector128{byte})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> WordCounts(Vector512<ulong> x, Vector512<byte> table, Vector512<byte> nibbles) =>
        NibblePopCount.SumPerWord(NibblePopCount.PerByte(x.AsByte(), table, nibbles));

    /// <summary>
    /// Packs four vectors of per-word counts (each below 256) into one: byte v of word lane l holds
    /// the count of lane l of vector v, bytes 4–7 of each word are zero. Two shifts and an OR per
    /// vector, against one compare and one movemask for all four.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> PackFour128(Vector128<ulong> c0, Vector128<ulong> c1, Vector128<ulong> c2, Vector128<ulong> c3) =>
        c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);

    /// <inheritdoc cref="PackFour128"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> PackFour256(Vector256<ulong> c0, Vector256<ulong> c1, Vector256<ulong> c2, Vector256<ulong> c3) =>
        c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);

    /// <inheritdoc cref="PackFour128"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> PackFour512(Vector512<ulong> c0, Vector512<ulong> c1, Vector512<ulong> c2, Vector512<ulong> c3) =>
        c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> UnpackLow(Vector128<ulong> a, Vector128<ulong> b) =>
        Sse2.IsSupported ? Sse2.UnpackLow(a, b) : Vector128.Create(a.GetElement(0), b.GetElement(0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> UnpackHigh(Vector128<ulong> a, Vector128<ulong> b) =>
        Sse2.IsSupported ? Sse2.UnpackHigh(a, b) : Vector128.Create(a.GetElement(1), b.GetElement(1));

    /// <summary>
    /// Writes the matches of one step of a one-word loop. Bit 8·l + v of <paramref name="mask"/>
    /// stands for code <paramref name="first"/> + v·<paramref name="lanes"/> + l (vector v, lane l);
    /// the bits are first reordered into code order so that matches come out ascending.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EmitOneWord(ulong query, ref ulong rows, nuint first, ulong mask, int lanes, ref MatchSink sink)
    {
        ulong ordered = 0;
        for (int v = 0; v < 4; v++)
        {
            ordered |= GatherByteBits(mask >> v) << (v * lanes);
        }

        do
        {
            nuint i = first + (nuint)BitOperations.TrailingZeroCount(ordered);
            sink.Add((int)i, BitOperations.PopCount(Unsafe.Add(ref rows, i) ^ query));
            ordered &= ordered - 1;
        }
        while (ordered != 0);
    }

    /// <summary>
    /// Bit 0 of each byte of <paramref name="x"/>, gathered into bits 0–7 (byte k → bit k). The
    /// multiplier has bits 7, 14, …, 56, so bit 8k lands on 56 + k through the term 7(8 − k); no two
    /// terms meet below bit 56, so nothing carries into the top byte.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong GatherByteBits(ulong x) => ((x & 0x0101_0101_0101_0101UL) * 0x0102_0408_1020_4080UL) >> 56;

    /// <summary>Writes the matches of rows <paramref name="first"/> + k for each set bit k, counting each one's distance again.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EmitRows(ref ulong query, ref ulong rows, nuint words, nuint first, uint mask, ref MatchSink sink)
    {
        do
        {
            nuint i = first + (nuint)BitOperations.TrailingZeroCount(mask);
            sink.Add((int)i, HammingDistance.ScalarCore(ref query, ref Unsafe.Add(ref rows, i * words), words));
            mask &= mask - 1;
        }
        while (mask != 0);
    }

    /// <summary>Writes the matches among four rows whose distances are the lanes of <paramref name="sums"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EmitSums(Vector128<int> sums, nuint first, uint mask, ref MatchSink sink)
    {
        do
        {
            int k = BitOperations.TrailingZeroCount(mask);
            sink.Add((int)first + k, sums.GetElement(k));
            mask &= mask - 1;
        }
        while (mask != 0);
    }
}

/// <summary>
/// Where a scan writes its matches: row indexes and, when wanted, their distances, at the next
/// free position. The kernels check the outputs' room once (every row may match), so writes here
/// are unchecked.
/// </summary>
internal ref struct MatchSink
{
    private readonly ref int _indexes;
    private readonly ref int _distances;
    private readonly bool _withDistances;
    private int _count;

    /// <summary>Writes to <paramref name="indexes"/>, and to <paramref name="distances"/> unless it is empty.</summary>
    public MatchSink(Span<int> indexes, Span<int> distances)
    {
        _indexes = ref MemoryMarshal.GetReference(indexes);
        _distances = ref MemoryMarshal.GetReference(distances);
        _withDistances = !distances.IsEmpty;
        _count = 0;
    }

    /// <summary>Matches written so far.</summary>
    public readonly int Count => _count;

    /// <summary>Appends one match.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int index, int distance)
    {
        Unsafe.Add(ref _indexes, _count) = index;
        if (_withDistances)
        {
            Unsafe.Add(ref _distances, _count) = distance;
        }

        _count++;
    }
}

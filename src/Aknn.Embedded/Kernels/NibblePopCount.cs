using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Aknn.Embedded.Kernels;

/// <summary>
/// Vector population count by nibble lookup: each byte's count is the sum of two 16-entry table
/// look-ups (low and high nibble), done with the byte shuffle (<c>pshufb</c>); the byte counts of
/// each 64-bit word are then summed with <c>psadbw</c> against zero.
/// </summary>
/// <remarks>
/// .NET 10 exposes no vector popcount instruction (AVX-512 VPOPCNTDQ has no managed intrinsic), so
/// this lookup is the vector route on x86. Where the x86 instructions are missing the same results
/// come from portable code (the runtime's emulated shuffle and a shift-and-add byte sum), which
/// keeps every path testable on every CPU; the dispatch in <see cref="HammingKernels"/> only picks a
/// vector path where it is accelerated.
/// </remarks>
internal static class NibblePopCount
{
    /// <summary>The number of set bits of each value 0–15, repeated in every 16-byte block.</summary>
    public static Vector128<byte> Table128 => Vector128.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);

    /// <inheritdoc cref="Table128"/>
    /// <remarks>Every 16-byte block carries the table because the AVX2 and AVX-512 shuffles look up within each block.</remarks>
    public static Vector256<byte> Table256 => Vector256.Create(Table128, Table128);

    /// <inheritdoc cref="Table256"/>
    public static Vector512<byte> Table512 => Vector512.Create(Table256, Table256);

    /// <summary>Number of set bits in each byte of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> PerByte(Vector128<byte> value) => PerByte(value, Table128, Vector128.Create((byte)0x0F));

    /// <summary>
    /// Number of set bits in each byte of <paramref name="value"/>, with the lookup table
    /// (<see cref="Table128"/>) and the low-nibble mask (0x0F in every byte) passed in. A loop that
    /// sets both up once keeps them in registers; the JIT does not hoist constant vectors out of
    /// loops, and reloads them every iteration otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> PerByte(Vector128<byte> value, Vector128<byte> table, Vector128<byte> lowNibbles)
    {
        Vector128<byte> low = value & lowNibbles;
        Vector128<byte> high = (value.AsUInt16() >>> 4).AsByte() & lowNibbles;
        if (Ssse3.IsSupported)
        {
            return Ssse3.Shuffle(table, low) + Ssse3.Shuffle(table, high);
        }

        return Vector128.Shuffle(table, low) + Vector128.Shuffle(table, high);
    }

    /// <summary>Number of set bits in each byte of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> PerByte(Vector256<byte> value) => PerByte(value, Table256, Vector256.Create((byte)0x0F));

    /// <inheritdoc cref="PerByte(Vector128{byte}, Vector128{byte}, Vector128{byte})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> PerByte(Vector256<byte> value, Vector256<byte> table, Vector256<byte> lowNibbles)
    {
        if (Avx2.IsSupported)
        {
            Vector256<byte> low = value & lowNibbles;
            Vector256<byte> high = (value.AsUInt16() >>> 4).AsByte() & lowNibbles;
            return Avx2.Shuffle(table, low) + Avx2.Shuffle(table, high);
        }

        return Vector256.Create(
            PerByte(value.GetLower(), table.GetLower(), lowNibbles.GetLower()),
            PerByte(value.GetUpper(), table.GetUpper(), lowNibbles.GetUpper()));
    }

    /// <summary>Number of set bits in each byte of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> PerByte(Vector512<byte> value) => PerByte(value, Table512, Vector512.Create((byte)0x0F));

    /// <inheritdoc cref="PerByte(Vector128{byte}, Vector128{byte}, Vector128{byte})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> PerByte(Vector512<byte> value, Vector512<byte> table, Vector512<byte> lowNibbles)
    {
        if (Avx512BW.IsSupported)
        {
            Vector512<byte> low = value & lowNibbles;
            Vector512<byte> high = (value.AsUInt16() >>> 4).AsByte() & lowNibbles;
            return Avx512BW.Shuffle(table, low) + Avx512BW.Shuffle(table, high);
        }

        return Vector512.Create(
            PerByte(value.GetLower(), table.GetLower(), lowNibbles.GetLower()),
            PerByte(value.GetUpper(), table.GetUpper(), lowNibbles.GetUpper()));
    }

    /// <summary>
    /// Sums the 8 bytes of each 64-bit word of <paramref name="byteCounts"/> into that word. Callers
    /// that accumulate per-byte counts (each at most 8) add at most 31 of them before calling this,
    /// so that no byte wraps around.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<ulong> SumPerWord(Vector128<byte> byteCounts)
    {
        if (Sse2.IsSupported)
        {
            return Sse2.SumAbsoluteDifferences(byteCounts, Vector128<byte>.Zero).AsUInt64();
        }

        return SumPerWordPortable(byteCounts.AsUInt64());
    }

    /// <inheritdoc cref="SumPerWord(Vector128{byte})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> SumPerWord(Vector256<byte> byteCounts)
    {
        if (Avx2.IsSupported)
        {
            return Avx2.SumAbsoluteDifferences(byteCounts, Vector256<byte>.Zero).AsUInt64();
        }

        return Vector256.Create(SumPerWord(byteCounts.GetLower()), SumPerWord(byteCounts.GetUpper()));
    }

    /// <inheritdoc cref="SumPerWord(Vector128{byte})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> SumPerWord(Vector512<byte> byteCounts)
    {
        if (Avx512BW.IsSupported)
        {
            return Avx512BW.SumAbsoluteDifferences(byteCounts, Vector512<byte>.Zero).AsUInt64();
        }

        return Vector512.Create(SumPerWord(byteCounts.GetLower()), SumPerWord(byteCounts.GetUpper()));
    }

    private static Vector128<ulong> SumPerWordPortable(Vector128<ulong> x)
    {
        // Bytes → 16-bit sums → the low 16 bits of each word hold the total (at most 8 · 255).
        Vector128<ulong> evenBytes = Vector128.Create(0x00FF_00FF_00FF_00FFUL);
        x = (x & evenBytes) + ((x >>> 8) & evenBytes);
        x += x >>> 16;
        x += x >>> 32;
        return x & Vector128.Create(0xFFFFUL);
    }
}

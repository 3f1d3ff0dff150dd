using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Aknn.Embedded.Kernels;

/// <summary>
/// Hamming distance between two binary codes of equal length in 64-bit words, as a hardware
/// cascade Vector512 → Vector256 → Vector128 → scalar. The scalar path XORs and counts one word
/// at a time with <see cref="BitOperations.PopCount(ulong)"/> (one <c>popcnt</c> instruction on
/// x86-64); the vector paths XOR whole vectors and count with <see cref="NibblePopCount"/>.
/// </summary>
/// <remarks>
/// A vector path given fewer words than one of its vectors hands the pair to the next narrower
/// path; words left over after the last full vector are counted one by one.
/// </remarks>
internal static class HammingDistance
{
    // A byte of accumulated counts takes at most 31 vectors (31 · 8 = 248 ≤ 255) before it must be
    // widened into the 64-bit totals.
    internal const int MaxVectorsPerByteSum = 31;

    /// <summary>Scalar reference path: XOR and <c>popcnt</c> word by word.</summary>
    public static int Scalar(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        KernelGuard.SameLength(a.Length, b.Length);
        return ScalarCore(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), (nuint)a.Length);
    }

    /// <summary>128-bit path: 2 words a vector, nibble-lookup popcount.</summary>
    public static int V128(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        KernelGuard.SameLength(a.Length, b.Length);
        return V128Core(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), (nuint)a.Length);
    }

    /// <summary>256-bit path: 4 words a vector, nibble-lookup popcount.</summary>
    public static int V256(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        KernelGuard.SameLength(a.Length, b.Length);
        return V256Core(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), (nuint)a.Length);
    }

    /// <summary>512-bit path: 8 words a vector, nibble-lookup popcount.</summary>
    public static int V512(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        KernelGuard.SameLength(a.Length, b.Length);
        return V512Core(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), (nuint)a.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int ScalarCore(ref ulong a, ref ulong b, nuint words)
    {
        int s0 = 0, s1 = 0;
        nuint i = 0;
        for (; i + 4 <= words; i += 4)
        {
            s0 += BitOperations.PopCount(Unsafe.Add(ref a, i) ^ Unsafe.Add(ref b, i));
            s1 += BitOperations.PopCount(Unsafe.Add(ref a, i + 1) ^ Unsafe.Add(ref b, i + 1));
            s0 += BitOperations.PopCount(Unsafe.Add(ref a, i + 2) ^ Unsafe.Add(ref b, i + 2));
            s1 += BitOperations.PopCount(Unsafe.Add(ref a, i + 3) ^ Unsafe.Add(ref b, i + 3));
        }

        for (; i < words; i++)
        {
            s0 += BitOperations.PopCount(Unsafe.Add(ref a, i) ^ Unsafe.Add(ref b, i));
        }

        return s0 + s1;
    }

    internal static int V128Core(ref ulong a, ref ulong b, nuint words)
    {
        const int Width = 2;
        if (words < Width)
        {
            return ScalarCore(ref a, ref b, words);
        }

        nuint full = words & ~(nuint)(Width - 1);
        Vector128<ulong> total = Vector128<ulong>.Zero;
        nuint i = 0;
        while (i < full)
        {
            nuint blockEnd = Math.Min(full, i + MaxVectorsPerByteSum * Width);
            Vector128<byte> bytes = Vector128<byte>.Zero;
            for (; i < blockEnd; i += Width)
            {
                bytes += NibblePopCount.PerByte((Vector128.LoadUnsafe(ref a, i) ^ Vector128.LoadUnsafe(ref b, i)).AsByte());
            }

            total += NibblePopCount.SumPerWord(bytes);
        }

        return (int)Vector128.Sum(total) + ScalarCore(ref Unsafe.Add(ref a, full), ref Unsafe.Add(ref b, full), words - full);
    }

    internal static int V256Core(ref ulong a, ref ulong b, nuint words)
    {
        const int Width = 4;
        if (words < Width)
        {
            return V128Core(ref a, ref b, words);
        }

        nuint full = words & ~(nuint)(Width - 1);
        Vector256<ulong> total = Vector256<ulong>.Zero;
        nuint i = 0;
        while (i < full)
        {
            nuint blockEnd = Math.Min(full, i + MaxVectorsPerByteSum * Width);
            Vector256<byte> bytes = Vector256<byte>.Zero;
            for (; i < blockEnd; i += Width)
            {
                bytes += NibblePopCount.PerByte((Vector256.LoadUnsafe(ref a, i) ^ Vector256.LoadUnsafe(ref b, i)).AsByte());
            }

            total += NibblePopCount.SumPerWord(bytes);
        }

        return (int)Vector256.Sum(total) + V128Core(ref Unsafe.Add(ref a, full), ref Unsafe.Add(ref b, full), words - full);
    }

    internal static int V512Core(ref ulong a, ref ulong b, nuint words)
    {
        const int Width = 8;
        if (words < Width)
        {
            return V256Core(ref a, ref b, words);
        }

        nuint full = words & ~(nuint)(Width - 1);
        Vector512<ulong> total = Vector512<ulong>.Zero;
        nuint i = 0;
        while (i < full)
        {
            nuint blockEnd = Math.Min(full, i + MaxVectorsPerByteSum * Width);
            Vector512<byte> bytes = Vector512<byte>.Zero;
            for (; i < blockEnd; i += Width)
            {
                bytes += NibblePopCount.PerByte((Vector512.LoadUnsafe(ref a, i) ^ Vector512.LoadUnsafe(ref b, i)).AsByte());
            }

            total += NibblePopCount.SumPerWord(bytes);
        }

        return (int)Vector512.Sum(total) + V256Core(ref Unsafe.Add(ref a, full), ref Unsafe.Add(ref b, full), words - full);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Aknn.Embedded.Imaging;

/// <summary>
/// The two grey conversions the hashes use, one row at a time: PIL's integer luma for the 64-bit
/// hashes, and PDQ's single-precision luma. Both have a 4-pixel vector path and a scalar path that
/// produce identical values (integer arithmetic, and float operations performed lane by lane in
/// the same order).
/// </summary>
internal static class Grayscale
{
    /// <summary>PDQ's luma weights, as single-precision constants (ITU-R 601).</summary>
    internal const float PdqRed = 0.299f, PdqGreen = 0.587f, PdqBlue = 0.114f;

    /// <summary>
    /// PIL's <c>convert("L")</c>: L = (R·19595 + G·38470 + B·7471 + 32768) >> 16, the ITU-R 601-2
    /// weights 0.299, 0.587, 0.114 in 16-bit fixed point with rounding. Grey pixels are copied.
    /// </summary>
    public static void PilRow(ReadOnlySpan<byte> row, PixelFormat format, Span<int> grey)
    {
        if (format == PixelFormat.Gray8)
        {
            for (int x = 0; x < grey.Length; x++) grey[x] = row[x];
            return;
        }
        Convert<PilSink, int>(row, format, grey);
    }

    /// <summary>One pixel through PIL's <c>convert("L")</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PilLuma(int r, int g, int b) => (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;

    /// <summary>
    /// PDQ's luma: Y = 0.299·R + 0.587·G + 0.114·B in single precision, summed left to right as the
    /// reference does; grey pixels are taken as they are (the reference's single-channel path).
    /// </summary>
    public static void PdqRow(ReadOnlySpan<byte> row, PixelFormat format, Span<float> luma)
    {
        if (format == PixelFormat.Gray8)
        {
            for (int x = 0; x < luma.Length; x++) luma[x] = row[x];
            return;
        }
        Convert<PdqSink, float>(row, format, luma);
    }

    /// <summary>What a conversion does with the red, green and blue levels of 4 pixels, or of one.</summary>
    private interface ISink<T>
        where T : unmanaged
    {
        static abstract void Four(Vector128<int> r, Vector128<int> g, Vector128<int> b, ref T destination);

        static abstract T One(int r, int g, int b);
    }

    private readonly struct PilSink : ISink<int>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Four(Vector128<int> r, Vector128<int> g, Vector128<int> b, ref int destination) =>
            ((r * 19595 + g * 38470 + b * 7471 + Vector128.Create(0x8000)) >>> 16).StoreUnsafe(ref destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int One(int r, int g, int b) => PilLuma(r, g, b);
    }

    private readonly struct PdqSink : ISink<float>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Four(Vector128<int> r, Vector128<int> g, Vector128<int> b, ref float destination) =>
            (Vector128.ConvertToSingle(r) * PdqRed + Vector128.ConvertToSingle(g) * PdqGreen + Vector128.ConvertToSingle(b) * PdqBlue)
                .StoreUnsafe(ref destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float One(int r, int g, int b) => PdqRed * r + PdqGreen * g + PdqBlue * b;
    }

    private static void Convert<TSink, T>(ReadOnlySpan<byte> row, PixelFormat format, Span<T> destination)
        where TSink : ISink<T>
        where T : unmanaged
    {
        ref byte p = ref MemoryMarshal.GetReference(row);
        ref T d = ref MemoryMarshal.GetReference(destination);
        int width = destination.Length;
        int x = 0;
        if (format == PixelFormat.Rgb24)
        {
            if (Vector128.IsHardwareAccelerated)
            {
                // A 16-byte load at pixel x covers pixels x..x+3 (12 bytes); it stays inside the row
                // while x + 6 <= width. Byte shuffles spread each channel into the low byte of 4 ints.
                for (; x + 6 <= width; x += 4)
                {
                    Vector128<byte> v = Vector128.LoadUnsafe(ref p, (nuint)(3 * x));
                    var r = Vector128.Shuffle(v, Vector128.Create((byte)0, 0xFF, 0xFF, 0xFF, 3, 0xFF, 0xFF, 0xFF, 6, 0xFF, 0xFF, 0xFF, 9, 0xFF, 0xFF, 0xFF)).AsInt32();
                    var g = Vector128.Shuffle(v, Vector128.Create((byte)1, 0xFF, 0xFF, 0xFF, 4, 0xFF, 0xFF, 0xFF, 7, 0xFF, 0xFF, 0xFF, 10, 0xFF, 0xFF, 0xFF)).AsInt32();
                    var b = Vector128.Shuffle(v, Vector128.Create((byte)2, 0xFF, 0xFF, 0xFF, 5, 0xFF, 0xFF, 0xFF, 8, 0xFF, 0xFF, 0xFF, 11, 0xFF, 0xFF, 0xFF)).AsInt32();
                    TSink.Four(r, g, b, ref Unsafe.Add(ref d, x));
                }
            }
            for (; x < width; x++)
            {
                int o = 3 * x;
                Unsafe.Add(ref d, x) = TSink.One(Unsafe.Add(ref p, o), Unsafe.Add(ref p, o + 1), Unsafe.Add(ref p, o + 2));
            }
            return;
        }

        // Four bytes per pixel: red at byte 0 (Rgba32) or byte 2 (Bgra32), green at 1; alpha ignored.
        bool bgra = format == PixelFormat.Bgra32;
        if (Vector128.IsHardwareAccelerated)
        {
            var low = Vector128.Create(0xFF);
            for (; x + 4 <= width; x += 4)
            {
                Vector128<int> v = Vector128.LoadUnsafe(ref p, (nuint)(4 * x)).AsInt32();
                var c0 = v & low;
                var g = (v >>> 8) & low;
                var c2 = (v >>> 16) & low;
                if (bgra) TSink.Four(c2, g, c0, ref Unsafe.Add(ref d, x));
                else TSink.Four(c0, g, c2, ref Unsafe.Add(ref d, x));
            }
        }
        int ri = bgra ? 2 : 0, bi = bgra ? 0 : 2;
        for (; x < width; x++)
        {
            int o = 4 * x;
            Unsafe.Add(ref d, x) = TSink.One(Unsafe.Add(ref p, o + ri), Unsafe.Add(ref p, o + 1), Unsafe.Add(ref p, o + bi));
        }
    }
}

using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Aknn.Embedded.Imaging;

/// <summary>
/// Grey conversion plus downscaling exactly as Pillow does <c>image.convert("L").resize(size, LANCZOS)</c>
/// on an 8-bit image: a truncated-sinc filter (support 3) widened by the scale factor, weights
/// normalised and rounded to 22-bit fixed point, a horizontal pass into an 8-bit intermediate over
/// the rows the vertical pass needs, then the vertical pass; every sum is rounded and clipped to
/// 0..255. Integer arithmetic throughout, so the result is bit-identical to Pillow's.
/// </summary>
internal static class PilResize
{
    /// <summary>Pillow's <c>PRECISION_BITS</c>: 32 − 8 − 2.</summary>
    private const int PrecisionBits = 22;

    /// <summary>Half a unit in the last fixed-point place: the rounding term every sum starts from.</summary>
    private const int Half = 1 << (PrecisionBits - 1);

    private const double LanczosSupport = 3.0;

    /// <summary>Weights are stored in blocks of this many ints so that any vector width reads whole blocks.</summary>
    private const int Pad = 16;

    private static readonly ConcurrentDictionary<long, Table> Tables = new();

    /// <summary>
    /// Writes the <paramref name="outWidth"/> × <paramref name="outHeight"/> grey image, row-major,
    /// into <paramref name="output"/>.
    /// </summary>
    public static void GreyResize(PixelImage image, int outWidth, int outHeight, Span<byte> output)
    {
        int width = image.Width, height = image.Height;
        bool horizontal = outWidth != width;
        bool vertical = outHeight != height;
        Table columns = TableFor(height, outHeight);
        int first = columns.Start[0];
        int last = columns.Start[outHeight - 1] + columns.Count[outHeight - 1];
        int rows = last - first;

        int[] inter = ArrayPool<int>.Shared.Rent(rows * outWidth);
        try
        {
            if (horizontal)
            {
                Table across = TableFor(width, outWidth);
                int[] grey = ArrayPool<int>.Shared.Rent(Math.Max(width, across.ReadLength));
                try
                {
                    for (int y = first; y < last; y++)
                    {
                        Grayscale.PilRow(image.Row(y), image.Format, grey.AsSpan(0, width));
                        Horizontal(grey, across, inter.AsSpan((y - first) * outWidth, outWidth));
                    }
                }
                finally
                {
                    ArrayPool<int>.Shared.Return(grey);
                }
            }
            else
            {
                for (int y = first; y < last; y++) Grayscale.PilRow(image.Row(y), image.Format, inter.AsSpan((y - first) * outWidth, outWidth));
            }

            if (vertical)
            {
                Vertical(inter, outWidth, first, columns, output);
            }
            else
            {
                for (int i = 0; i < outWidth * outHeight; i++) output[i] = (byte)inter[i];
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(inter);
        }
    }

    /// <summary>One output row of the horizontal pass: a fixed-point dot product per output pixel.</summary>
    private static void Horizontal(int[] grey, Table t, Span<int> output)
    {
        ref int g = ref MemoryMarshal.GetArrayDataReference(grey);
        ref int w = ref MemoryMarshal.GetArrayDataReference(t.Weights);
        int stride = t.Stride;
        for (int xx = 0; xx < output.Length; xx++)
        {
            ref int gs = ref Unsafe.Add(ref g, t.Start[xx]);
            ref int ws = ref Unsafe.Add(ref w, xx * stride);
            int n = t.Count[xx];
            int sum;
            if (Vector.IsHardwareAccelerated)
            {
                var acc = Vector<int>.Zero;
                for (int k = 0; k < n; k += Vector<int>.Count)
                {
                    acc += Vector.LoadUnsafe(ref gs, (nuint)k) * Vector.LoadUnsafe(ref ws, (nuint)k);
                }
                sum = Vector.Sum(acc);
            }
            else
            {
                sum = 0;
                for (int k = 0; k < n; k++) sum += Unsafe.Add(ref gs, k) * Unsafe.Add(ref ws, k);
            }
            output[xx] = Clip8(sum + Half);
        }
    }

    /// <summary>The vertical pass over the intermediate rows (row <c>first</c> of the source is row 0 there).</summary>
    private static void Vertical(int[] inter, int width, int first, Table t, Span<byte> output)
    {
        Span<int> acc = stackalloc int[width];
        for (int yy = 0; yy < t.OutSize; yy++)
        {
            acc.Fill(Half);
            int start = t.Start[yy] - first;
            int n = t.Count[yy];
            ReadOnlySpan<int> weights = t.Weights.AsSpan(yy * t.Stride, n);
            for (int k = 0; k < n; k++)
            {
                int wk = weights[k];
                ReadOnlySpan<int> row = inter.AsSpan((start + k) * width, width);
                int x = 0;
                if (Vector.IsHardwareAccelerated)
                {
                    for (; x <= width - Vector<int>.Count; x += Vector<int>.Count)
                    {
                        var v = new Vector<int>(acc[x..]) + new Vector<int>(row[x..]) * wk;
                        v.CopyTo(acc[x..]);
                    }
                }
                for (; x < width; x++) acc[x] += row[x] * wk;
            }
            Span<byte> o = output.Slice(yy * width, width);
            for (int x = 0; x < width; x++) o[x] = (byte)Clip8(acc[x]);
        }
    }

    /// <summary>Pillow's <c>clip8</c>: the fixed-point sum shifted down (rounding toward −∞) and clamped to 0..255.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Clip8(int sum) => Math.Clamp(sum >> PrecisionBits, 0, 255);

    private static Table TableFor(int inSize, int outSize)
    {
        long key = ((long)inSize << 32) | (uint)outSize;
        if (Tables.TryGetValue(key, out var t)) return t;
        if (Tables.Count > 256) Tables.Clear();
        t = new Table(inSize, outSize);
        Tables[key] = t;
        return t;
    }

    /// <summary>Pillow's <c>lanczos_filter</c>: sinc(x)·sinc(x/3) on [−3, 3), zero elsewhere.</summary>
    internal static double Lanczos(double x) => -3.0 <= x && x < 3.0 ? Sinc(x) * Sinc(x / 3) : 0.0;

    private static double Sinc(double x)
    {
        if (x == 0.0) return 1.0;
        x *= Math.PI;
        return Math.Sin(x) / x;
    }

    /// <summary>
    /// Pillow's <c>precompute_coeffs</c> followed by <c>normalize_coeffs_8bpc</c> for one axis: for
    /// each output pixel, the first input pixel it reads, how many it reads, and their weights.
    /// </summary>
    private sealed class Table
    {
        public Table(int inSize, int outSize)
        {
            OutSize = outSize;
            double scale = (double)inSize / outSize;
            double filterScale = Math.Max(scale, 1.0);
            double support = LanczosSupport * filterScale;
            int ksize = (int)Math.Ceiling(support) * 2 + 1;
            Stride = (ksize + Pad - 1) / Pad * Pad;
            Start = new int[outSize];
            Count = new int[outSize];
            Weights = new int[outSize * Stride];
            var k = new double[ksize];
            for (int xx = 0; xx < outSize; xx++)
            {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = (int)(center - support + 0.5);
                if (xmin < 0) xmin = 0;
                int xmax = (int)(center + support + 0.5);
                if (xmax > inSize) xmax = inSize;
                xmax -= xmin;
                double ww = 0.0;
                for (int x = 0; x < xmax; x++)
                {
                    double w = Lanczos((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++)
                {
                    if (ww != 0.0) k[x] /= ww;
                    double f = k[x] * (1 << PrecisionBits);
                    Weights[xx * Stride + x] = k[x] < 0 ? (int)(-0.5 + f) : (int)(0.5 + f);
                }
                Start[xx] = xmin;
                Count[xx] = xmax;
                ReadLength = Math.Max(ReadLength, xmin + Stride);
            }
        }

        public int OutSize { get; }

        /// <summary>Ints per output pixel in <see cref="Weights"/>: the filter length rounded up to a whole number of blocks.</summary>
        public int Stride { get; }

        public int[] Start { get; }

        public int[] Count { get; }

        /// <summary>Fixed-point weights, zero past each output pixel's count.</summary>
        public int[] Weights { get; }

        /// <summary>How long an input row buffer must be for the vector loop's whole blocks.</summary>
        public int ReadLength { get; }
    }
}

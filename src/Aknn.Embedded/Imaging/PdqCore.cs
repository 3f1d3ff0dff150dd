using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Aknn.Embedded.Imaging;

/// <summary>
/// PDQ's float pipeline (Meta's ThreatExchange <c>pdq</c>, hashing.pdf): luma, a tent filter built
/// from two passes of row and column box filters (Jarosz), decimation to 64×64, the quality
/// score, and the 16×16 block of DCT coefficients 1..16 in each direction. Every step performs the
/// reference's single-precision operations in the reference's order (vector lanes run independent
/// copies of the same sum), so the same pixels give the same coefficients.
/// </summary>
internal static class PdqCore
{
    /// <summary>Images narrower or shorter than this get an all-zero hash of quality 0, as in the reference.</summary>
    public const int MinDimension = 5;

    /// <summary>Rows of the box-filter pass handled together, so that their running sums overlap in the CPU.</summary>
    private const int RowGroup = 4;

    /// <summary>DCT basis rows 1..16 of a 64-point DCT-II, scaled by √(2/64): 16 rows of 64, row-major.</summary>
    private static readonly float[] Dct = BuildDct();

    /// <summary><see cref="Dct"/> transposed: 64 rows of 16.</summary>
    private static readonly float[] DctTransposed = Transpose(Dct, 16, 64);

    /// <summary>
    /// Computes the 16×16 DCT block (row-major: row = vertical frequency, column = horizontal) and the
    /// quality. Returns false, leaving the block untouched, for images smaller than
    /// <see cref="MinDimension"/> in either direction.
    /// </summary>
    public static bool Coefficients(PixelImage image, Span<float> dct16, out int quality)
    {
        int width = image.Width, height = image.Height;
        quality = 0;
        if (width < MinDimension || height < MinDimension) return false;

        Span<float> small = stackalloc float[64 * 64];
        int n = width * height;
        float[] a = ArrayPool<float>.Shared.Rent(n);
        float[] b = ArrayPool<float>.Shared.Rent(n);
        try
        {
            for (int y = 0; y < height; y++) Grayscale.PdqRow(image.Row(y), image.Format, a.AsSpan(y * width, width));
            if (width == 64 && height == 64)
            {
                // Already the working size: the reference skips the filter.
                a.AsSpan(0, 4096).CopyTo(small);
            }
            else
            {
                Downsample(a, b, height, width, small);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(a);
            ArrayPool<float>.Shared.Return(b);
        }

        quality = Quality(small);
        Dct64To16(small, dct16);
        return true;
    }

    /// <summary>
    /// The Jarosz tent filter (rows, columns, rows, columns) and the decimation to 64×64 that keeps
    /// the pixel at each block's centre. The second pair of passes is computed only where the
    /// decimation reads: every running sum still walks the whole row or column, but divisions and
    /// the last column pass are limited to the 64 sampled columns.
    /// </summary>
    private static void Downsample(float[] a, float[] b, int height, int width, Span<float> small)
    {
        int alongRows = WindowSize(width);
        int alongCols = WindowSize(height);
        Span<int> sampledRows = stackalloc int[64];
        Span<int> sampledCols = stackalloc int[64];
        for (int i = 0; i < 64; i++)
        {
            sampledRows[i] = (int)((i + 0.5) * height / 64);
            sampledCols[i] = (int)((i + 0.5) * width / 64);
        }

        // Pass 1: rows a → b, columns b → a.
        BoxRows(a, b, height, width, alongRows);
        BoxColumns(b, a, height, width, width, alongCols, default);

        // Pass 2: rows a → running sums, kept (divided) only at the sampled columns: a height × 64 strip ...
        float[] counts = ArrayPool<float>.Shared.Rent(width);
        float[] sums = ArrayPool<float>.Shared.Rent(RowGroup * width);
        float[] strip = ArrayPool<float>.Shared.Rent(height * 64);
        try
        {
            WindowCounts(width, alongRows, counts);
            for (int y0 = 0; y0 < height; y0 += RowGroup)
            {
                int rows = Math.Min(RowGroup, height - y0);
                RunningSums(a, y0, rows, width, alongRows, sums, 0);
                for (int r = 0; r < rows; r++)
                {
                    int src = r * width;
                    int dst = (y0 + r) * 64;
                    for (int j = 0; j < 64; j++)
                    {
                        int x = sampledCols[j];
                        strip[dst + j] = sums[src + x] / counts[x];
                    }
                }
            }

            // ... then the columns of that strip, written only at the sampled rows.
            BoxColumns(strip, small, height, 64, 64, alongCols, sampledRows);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(counts);
            ArrayPool<float>.Shared.Return(sums);
            ArrayPool<float>.Shared.Return(strip);
        }
    }

    /// <summary>The reference's <c>computeJaroszFilterWindowSize(n, 64)</c>: ⌈n / 128⌉.</summary>
    internal static int WindowSize(int dimension) => (dimension + 2 * 64 - 1) / (2 * 64);

    /// <summary>
    /// How many samples the box filter averages at each output position: the window grows from half
    /// its size at the start, stays full, and shrinks again at the end (the reference's four phases).
    /// </summary>
    private static void WindowCounts(int length, int window, Span<float> counts)
    {
        int half = (window + 2) / 2;
        int grow = window - half + 1;
        int full = length - window;
        int o = 0;
        for (int i = 0; i < grow; i++) counts[o++] = half + i;
        for (int i = 0; i < full; i++) counts[o++] = window;
        for (int i = 0; i < half - 1; i++) counts[o++] = window - 1 - i;
    }

    /// <summary>The box filter along every row: running sums, then one division per sample.</summary>
    private static void BoxRows(float[] input, float[] output, int height, int width, int window)
    {
        float[] counts = ArrayPool<float>.Shared.Rent(width);
        try
        {
            WindowCounts(width, window, counts);
            for (int y0 = 0; y0 < height; y0 += RowGroup)
            {
                int rows = Math.Min(RowGroup, height - y0);
                RunningSums(input, y0, rows, width, window, output, y0 * width);
                for (int r = 0; r < rows; r++) Divide(output.AsSpan((y0 + r) * width, width), counts.AsSpan(0, width));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(counts);
        }
    }

    /// <summary>
    /// The reference's <c>box1DFloat</c> running sums (not yet divided) for rows
    /// <paramref name="y0"/>.. of <paramref name="input"/>, written row after row from
    /// <paramref name="outputOffset"/>. Groups of <see cref="RowGroup"/> rows advance together.
    /// </summary>
    private static void RunningSums(float[] input, int y0, int rows, int width, int window, float[] output, int outputOffset)
    {
        int half = (window + 2) / 2;
        int phase1 = half - 1, phase2 = window - half + 1, phase3 = width - window, phase4 = half - 1;
        if (rows == RowGroup)
        {
            ref float i0 = ref input[y0 * width];
            ref float i1 = ref Unsafe.Add(ref i0, width);
            ref float i2 = ref Unsafe.Add(ref i1, width);
            ref float i3 = ref Unsafe.Add(ref i2, width);
            ref float o0 = ref output[outputOffset];
            ref float o1 = ref Unsafe.Add(ref o0, width);
            ref float o2 = ref Unsafe.Add(ref o1, width);
            ref float o3 = ref Unsafe.Add(ref o2, width);
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int ri = 0, li = 0, oi = 0;
            for (int i = 0; i < phase1; i++, ri++)
            {
                s0 += Unsafe.Add(ref i0, ri); s1 += Unsafe.Add(ref i1, ri); s2 += Unsafe.Add(ref i2, ri); s3 += Unsafe.Add(ref i3, ri);
            }
            for (int i = 0; i < phase2; i++, ri++, oi++)
            {
                s0 += Unsafe.Add(ref i0, ri); s1 += Unsafe.Add(ref i1, ri); s2 += Unsafe.Add(ref i2, ri); s3 += Unsafe.Add(ref i3, ri);
                Unsafe.Add(ref o0, oi) = s0; Unsafe.Add(ref o1, oi) = s1; Unsafe.Add(ref o2, oi) = s2; Unsafe.Add(ref o3, oi) = s3;
            }
            for (int i = 0; i < phase3; i++, ri++, li++, oi++)
            {
                s0 += Unsafe.Add(ref i0, ri); s1 += Unsafe.Add(ref i1, ri); s2 += Unsafe.Add(ref i2, ri); s3 += Unsafe.Add(ref i3, ri);
                s0 -= Unsafe.Add(ref i0, li); s1 -= Unsafe.Add(ref i1, li); s2 -= Unsafe.Add(ref i2, li); s3 -= Unsafe.Add(ref i3, li);
                Unsafe.Add(ref o0, oi) = s0; Unsafe.Add(ref o1, oi) = s1; Unsafe.Add(ref o2, oi) = s2; Unsafe.Add(ref o3, oi) = s3;
            }
            for (int i = 0; i < phase4; i++, li++, oi++)
            {
                s0 -= Unsafe.Add(ref i0, li); s1 -= Unsafe.Add(ref i1, li); s2 -= Unsafe.Add(ref i2, li); s3 -= Unsafe.Add(ref i3, li);
                Unsafe.Add(ref o0, oi) = s0; Unsafe.Add(ref o1, oi) = s1; Unsafe.Add(ref o2, oi) = s2; Unsafe.Add(ref o3, oi) = s3;
            }
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = input.AsSpan((y0 + r) * width, width);
            Span<float> o = output.AsSpan(outputOffset + r * width, width);
            float s = 0;
            int ri = 0, li = 0, oi = 0;
            for (int i = 0; i < phase1; i++) s += row[ri++];
            for (int i = 0; i < phase2; i++) { s += row[ri++]; o[oi++] = s; }
            for (int i = 0; i < phase3; i++) { s += row[ri++]; s -= row[li++]; o[oi++] = s; }
            for (int i = 0; i < phase4; i++) { s -= row[li++]; o[oi++] = s; }
        }
    }

    /// <summary>values[i] /= counts[i], one IEEE division per element (vector lanes round exactly like scalar code).</summary>
    private static void Divide(Span<float> values, ReadOnlySpan<float> counts)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                (new Vector<float>(values[i..]) / new Vector<float>(counts[i..])).CopyTo(values[i..]);
            }
        }
        for (; i < values.Length; i++) values[i] /= counts[i];
    }

    /// <summary>
    /// The box filter down every column of a height × <paramref name="stride"/> matrix (the first
    /// <paramref name="width"/> columns), walking the rows once with one running sum per column.
    /// With <paramref name="keepRows"/> empty every output row is written; otherwise only those rows,
    /// packed one after another.
    /// </summary>
    private static void BoxColumns(ReadOnlySpan<float> input, Span<float> output, int height, int width, int stride, int window, ReadOnlySpan<int> keepRows)
    {
        int half = (window + 2) / 2;
        int phase1 = half - 1, phase2 = window - half + 1, phase3 = height - window, phase4 = half - 1;
        float[] sumsArray = ArrayPool<float>.Shared.Rent(width);
        Span<float> sums = sumsArray.AsSpan(0, width);
        sums.Clear();
        try
        {
            int ri = 0, li = 0, oi = 0, kept = 0, count = 0;
            for (int i = 0; i < phase1; i++, ri++, count++) Add(sums, input.Slice(ri * stride, width));
            for (int i = 0; i < phase2; i++, ri++, oi++)
            {
                count++;
                Add(sums, input.Slice(ri * stride, width));
                Emit(sums, output, oi, count, width, keepRows, ref kept);
            }
            for (int i = 0; i < phase3; i++, ri++, li++, oi++)
            {
                AddSubtract(sums, input.Slice(ri * stride, width), input.Slice(li * stride, width));
                Emit(sums, output, oi, count, width, keepRows, ref kept);
            }
            for (int i = 0; i < phase4; i++, li++, oi++)
            {
                count--;
                Subtract(sums, input.Slice(li * stride, width));
                Emit(sums, output, oi, count, width, keepRows, ref kept);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(sumsArray);
        }
    }

    private static void Emit(ReadOnlySpan<float> sums, Span<float> output, int row, int count, int width, ReadOnlySpan<int> keepRows, ref int kept)
    {
        if (keepRows.IsEmpty)
        {
            DivideInto(sums, count, output.Slice(row * width, width));
            return;
        }
        // Several sampled rows can coincide when the image is shorter than 64 pixels.
        while (kept < keepRows.Length && keepRows[kept] == row)
        {
            DivideInto(sums, count, output.Slice(kept * width, width));
            kept++;
        }
    }

    private static void DivideInto(ReadOnlySpan<float> sums, int count, Span<float> output)
    {
        float c = count;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vc = new Vector<float>(c);
            for (; i <= sums.Length - Vector<float>.Count; i += Vector<float>.Count) (new Vector<float>(sums[i..]) / vc).CopyTo(output[i..]);
        }
        for (; i < sums.Length; i++) output[i] = sums[i] / c;
    }

    private static void Add(Span<float> sums, ReadOnlySpan<float> row)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= sums.Length - Vector<float>.Count; i += Vector<float>.Count) (new Vector<float>(sums[i..]) + new Vector<float>(row[i..])).CopyTo(sums[i..]);
        }
        for (; i < sums.Length; i++) sums[i] += row[i];
    }

    private static void Subtract(Span<float> sums, ReadOnlySpan<float> row)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= sums.Length - Vector<float>.Count; i += Vector<float>.Count) (new Vector<float>(sums[i..]) - new Vector<float>(row[i..])).CopyTo(sums[i..]);
        }
        for (; i < sums.Length; i++) sums[i] -= row[i];
    }

    /// <summary>sums = (sums + added) − removed, in that order, as the reference's phase 3.</summary>
    private static void AddSubtract(Span<float> sums, ReadOnlySpan<float> added, ReadOnlySpan<float> removed)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= sums.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                ((new Vector<float>(sums[i..]) + new Vector<float>(added[i..])) - new Vector<float>(removed[i..])).CopyTo(sums[i..]);
            }
        }
        for (; i < sums.Length; i++)
        {
            float s = sums[i] + added[i];
            sums[i] = s - removed[i];
        }
    }

    /// <summary>
    /// The reference's quality score: the sum over horizontally and vertically adjacent pixel pairs
    /// of |trunc((u − v)·100 / 255)|, divided by 90 and capped at 100.
    /// </summary>
    internal static int Quality(ReadOnlySpan<float> small)
    {
        int gradientSum = 0;
        for (int i = 0; i < 63; i++)
        {
            for (int j = 0; j < 64; j++)
            {
                float u = small[i * 64 + j], v = small[(i + 1) * 64 + j];
                gradientSum += Math.Abs((int)((u - v) * 100f / 255f));
            }
        }
        for (int i = 0; i < 64; i++)
        {
            for (int j = 0; j < 63; j++)
            {
                float u = small[i * 64 + j], v = small[i * 64 + j + 1];
                gradientSum += Math.Abs((int)((u - v) * 100f / 255f));
            }
        }
        return Math.Min(gradientSum / 90, 100);
    }

    /// <summary>
    /// B = D·A·Dᵀ for the 64×64 image A and the 16×64 basis D, as T = D·A then B = T·Dᵀ with every
    /// sum accumulated over k = 0..63 in order.
    /// </summary>
    internal static void Dct64To16(ReadOnlySpan<float> a, Span<float> output)
    {
        Span<float> t = stackalloc float[16 * 64];
        ReadOnlySpan<float> d = Dct;
        ReadOnlySpan<float> dt = DctTransposed;
        for (int i = 0; i < 16; i++)
        {
            Span<float> ti = t.Slice(i * 64, 64);
            ti.Clear();
            for (int k = 0; k < 64; k++) MultiplyAdd(ti, d[i * 64 + k], a.Slice(k * 64, 64));
        }
        for (int i = 0; i < 16; i++)
        {
            Span<float> bi = output.Slice(i * 16, 16);
            bi.Clear();
            for (int k = 0; k < 64; k++) MultiplyAdd(bi, t[i * 64 + k], dt.Slice(k * 16, 16));
        }
    }

    /// <summary>acc[j] = acc[j] + (s · row[j]): a multiply then an add, never fused, as the reference.</summary>
    private static void MultiplyAdd(Span<float> acc, float s, ReadOnlySpan<float> row)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vs = new Vector<float>(s);
            for (; j <= acc.Length - Vector<float>.Count; j += Vector<float>.Count)
            {
                (new Vector<float>(acc[j..]) + vs * new Vector<float>(row[j..])).CopyTo(acc[j..]);
            }
        }
        for (; j < acc.Length; j++) acc[j] += s * row[j];
    }

    /// <summary>The 128th smallest of the 256 coefficients: what the reference's Torben median returns for an even count.</summary>
    internal static float Median(ReadOnlySpan<float> dct16)
    {
        Span<float> sorted = stackalloc float[256];
        dct16.CopyTo(sorted);
        sorted.Sort();
        return sorted[127];
    }

    /// <summary>Bit i·16 + j is set where coefficient (i, j) exceeds the median; bit k lands in word k / 64 at bit k % 64.</summary>
    internal static void Bits(ReadOnlySpan<float> dct16, Span<ulong> words)
    {
        float median = Median(dct16);
        words.Clear();
        for (int k = 0; k < 256; k++)
        {
            if (dct16[k] > median) words[k >> 6] |= 1UL << (k & 63);
        }
    }

    /// <summary>
    /// The coefficients of a rotated or mirrored image, derived from the original's: a mirror negates
    /// the odd-frequency basis functions (frequency index i + 1 is odd where i is even), a transpose
    /// swaps the axes. The same sign patterns and transposes as the reference.
    /// </summary>
    internal static void Transform(ReadOnlySpan<float> a, DihedralTransform transform, Span<float> b)
    {
        for (int i = 0; i < 16; i++)
        {
            for (int j = 0; j < 16; j++)
            {
                float v = a[i * 16 + j];
                bool iEven = (i & 1) == 0, jEven = (j & 1) == 0;
                switch (transform)
                {
                    case DihedralTransform.Original: b[i * 16 + j] = v; break;
                    case DihedralTransform.Rotate90: b[j * 16 + i] = jEven ? -v : v; break;
                    case DihedralTransform.Rotate180: b[i * 16 + j] = iEven != jEven ? -v : v; break;
                    case DihedralTransform.Rotate270: b[j * 16 + i] = iEven ? -v : v; break;
                    case DihedralTransform.FlipX: b[i * 16 + j] = iEven ? -v : v; break;
                    case DihedralTransform.FlipY: b[i * 16 + j] = jEven ? -v : v; break;
                    case DihedralTransform.FlipPlus1: b[j * 16 + i] = v; break;
                    case DihedralTransform.FlipMinus1: b[j * 16 + i] = iEven != jEven ? -v : v; break;
                    default: throw new ArgumentOutOfRangeException(nameof(transform));
                }
            }
        }
    }

    private static float[] BuildDct()
    {
        // As the reference: a single-precision scale factor times a double-precision cosine, stored as float.
        float scale = (float)Math.Sqrt(2.0 / 64.0);
        var d = new float[16 * 64];
        for (int i = 0; i < 16; i++)
        {
            for (int j = 0; j < 64; j++)
            {
                d[i * 64 + j] = (float)(scale * Math.Cos(Math.PI / 2.0 / 64.0 * (i + 1) * (2 * j + 1)));
            }
        }
        return d;
    }

    private static float[] Transpose(float[] m, int rows, int cols)
    {
        var t = new float[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                t[j * rows + i] = m[i * cols + j];
        return t;
    }
}

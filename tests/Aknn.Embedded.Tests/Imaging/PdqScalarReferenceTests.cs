using Aknn.Embedded.Imaging;
using FsCheck;
using FsCheck.Fluent;

namespace Aknn.Embedded.Tests.Imaging;

/// <summary>
/// The library's PDQ (vector lanes, grouped rows, partial last passes) against a plain scalar
/// transcription of the published algorithm written for this test: the same float operations in
/// the same order, one pixel at a time, on whole buffers. The hashes and qualities must be identical.
/// </summary>
public class PdqScalarReferenceTests
{
    [Fact]
    public void Vectorised_pipeline_equals_the_scalar_algorithm_on_random_pictures()
    {
        var sizes = Gen.Choose(5, 300).Two().Select(t => (t.Item1, t.Item2));
        Prop.ForAll(Arb.From(sizes), Arb.From(Gen.Choose(0, int.MaxValue)), (size, seed) =>
        {
            var (w, h) = size;
            var rng = new Random(seed);
            var px = new byte[w * h * 3];
            rng.NextBytes(px);
            // Blur the noise a little along rows so that the picture has structure at several scales.
            for (int i = 3; i < px.Length; i++) px[i] = (byte)((px[i] + px[i - 3] * 3) / 4);
            var image = new PixelImage(px, w, h, PixelFormat.Rgb24);
            var fast = PerceptualHash.Pdq(image);
            var (hex, quality) = ScalarPdq(px, w, h);
            return fast.ToHex() == hex && fast.Quality == quality;
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData(1023, 767)]
    [InlineData(640, 129)]
    [InlineData(64, 64)]
    [InlineData(65, 63)]
    public void Vectorised_pipeline_equals_the_scalar_algorithm_at_chosen_sizes(int w, int h)
    {
        var px = new byte[w * h * 3];
        for (int i = 0; i < px.Length; i++) px[i] = (byte)(i * 7919 % 251 + (i / (3 * w)) % 5);
        var fast = PerceptualHash.Pdq(new PixelImage(px, w, h, PixelFormat.Rgb24));
        var (hex, quality) = ScalarPdq(px, w, h);
        Assert.Equal(hex, fast.ToHex());
        Assert.Equal(quality, fast.Quality);
    }

    /// <summary>PDQ step by step, scalar, on an Rgb24 buffer.</summary>
    private static (string Hex, int Quality) ScalarPdq(byte[] rgb, int w, int h)
    {
        var a = new float[w * h];
        for (int i = 0; i < w * h; i++) a[i] = 0.299f * rgb[3 * i] + 0.587f * rgb[3 * i + 1] + 0.114f * rgb[3 * i + 2];
        var small = new float[64 * 64];
        if (w == 64 && h == 64)
        {
            Array.Copy(a, small, 4096);
        }
        else
        {
            var b = new float[w * h];
            int alongRows = (w + 127) / 128, alongCols = (h + 127) / 128;
            for (int pass = 0; pass < 2; pass++)
            {
                for (int y = 0; y < h; y++) Box(a, y * w, b, w, 1, alongRows);
                for (int x = 0; x < w; x++) Box(b, x, a, h, w, alongCols);
            }
            for (int i = 0; i < 64; i++)
                for (int j = 0; j < 64; j++)
                    small[i * 64 + j] = a[(int)((i + 0.5) * h / 64) * w + (int)((j + 0.5) * w / 64)];
        }

        int gradient = 0;
        for (int i = 0; i < 63; i++)
            for (int j = 0; j < 64; j++)
                gradient += Math.Abs((int)((small[i * 64 + j] - small[(i + 1) * 64 + j]) * 100 / 255));
        for (int i = 0; i < 64; i++)
            for (int j = 0; j < 63; j++)
                gradient += Math.Abs((int)((small[i * 64 + j] - small[i * 64 + j + 1]) * 100 / 255));
        int quality = Math.Min(gradient / 90, 100);

        var d = new float[16, 64];
        float scale = (float)Math.Sqrt(2.0 / 64);
        for (int i = 0; i < 16; i++)
            for (int k = 0; k < 64; k++)
                d[i, k] = (float)(scale * Math.Cos(Math.PI / 2 / 64 * (i + 1) * (2 * k + 1)));
        var t = new float[16, 64];
        for (int i = 0; i < 16; i++)
            for (int j = 0; j < 64; j++)
            {
                float s = 0;
                for (int k = 0; k < 64; k++) s += d[i, k] * small[k * 64 + j];
                t[i, j] = s;
            }
        var coefficients = new float[256];
        for (int i = 0; i < 16; i++)
            for (int j = 0; j < 16; j++)
            {
                float s = 0;
                for (int k = 0; k < 64; k++) s += t[i, k] * d[j, k];
                coefficients[i * 16 + j] = s;
            }
        float median = coefficients.Order().ElementAt(127);
        var bits = new char[256];
        for (int k = 0; k < 256; k++) bits[255 - k] = coefficients[k] > median ? '1' : '0';
        string hex = string.Concat(Enumerable.Range(0, 64).Select(n => Convert.ToInt32(new string(bits, n * 4, 4), 2).ToString("x")));
        return (hex, quality);
    }

    /// <summary>One box filter along a row or column: grow, slide, shrink, dividing by the samples summed.</summary>
    private static void Box(float[] input, int start, float[] output, int length, int stride, int window)
    {
        int half = (window + 2) / 2;
        float sum = 0;
        int ri = start, li = start, oi = start, size = 0;
        for (int i = 0; i < half - 1; i++) { sum += input[ri]; size++; ri += stride; }
        for (int i = 0; i < window - half + 1; i++) { sum += input[ri]; size++; output[oi] = sum / size; ri += stride; oi += stride; }
        for (int i = 0; i < length - window; i++) { sum += input[ri]; sum -= input[li]; output[oi] = sum / size; ri += stride; li += stride; oi += stride; }
        for (int i = 0; i < half - 1; i++) { sum -= input[li]; size--; output[oi] = sum / size; li += stride; oi += stride; }
    }
}

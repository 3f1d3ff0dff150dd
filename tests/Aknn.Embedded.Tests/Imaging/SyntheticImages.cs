using Aknn.Embedded.Imaging;

namespace Aknn.Embedded.Tests.Imaging;

/// <summary>Pictures defined by integer formulas (the same ones reference_hashes.py uses) and pixel-buffer helpers.</summary>
public static class SyntheticImages
{
    /// <summary>Name → (width, height, colour of pixel (x, y)); keep in step with SYNTHETIC in reference_hashes.py.</summary>
    public static readonly IReadOnlyDictionary<string, (int Width, int Height, Func<int, int, (int R, int G, int B)> Color)> Formulas =
        new Dictionary<string, (int, int, Func<int, int, (int, int, int)>)>
        {
            ["weave-97x61"] = (97, 61, (x, y) => ((x * x + 3 * y) % 256, x * y % 256, (5 * x + 11 * y * y) % 256)),
            ["rings-300x200"] = (300, 200, (x, y) => (((x - 150) * (x - 150) + (y - 90) * (y - 90)) / 37 % 256, (x + 2 * y) % 256, 7 * x * y / 13 % 256)),
            ["tiny-7x5"] = (7, 5, (x, y) => ((x * 37 + y * 91) % 256, (x * 53 + y * 17) % 256, x * y * 29 % 256)),
            ["exact-32x32"] = (32, 32, (x, y) => ((x * 13 + y * y * 5) % 256, (x * x + y * 7) % 256, (x ^ y) * 9 % 256)),
            ["exact-9x8"] = (9, 8, (x, y) => ((x * 29 + y * 41) % 256, (x * 71 + y * 3) % 256, (x * y * 19 + 7) % 256)),
            ["tall-40x333"] = (40, 333, (x, y) => ((y * y / 7 + x) % 256, (y * 3 + x * x) % 256, x * y / 5 % 256)),
            ["strip-150x2"] = (150, 2, (x, y) => ((x * 17 + y * 100) % 256, x * x / 3 % 256, (x * 5 + y * 60) % 256)),
            ["dot-1x1"] = (1, 1, (_, _) => (200, 100, 50)),
        };

    public static DecodedImage Formula(string name)
    {
        var (w, h, color) = Formulas[name];
        return FromColors(w, h, color);
    }

    public static DecodedImage FromColors(int width, int height, Func<int, int, (int R, int G, int B)> color)
    {
        var px = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = color(x, y);
                int o = (y * width + x) * 3;
                px[o] = (byte)r;
                px[o + 1] = (byte)g;
                px[o + 2] = (byte)b;
            }
        }
        return new DecodedImage(px, width, height, PixelFormat.Rgb24);
    }

    public static DecodedImage Grey(int width, int height, Func<int, int, int> level)
    {
        var px = new byte[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                px[y * width + x] = (byte)level(x, y);
        return new DecodedImage(px, width, height, PixelFormat.Gray8);
    }

    /// <summary>The same RGB picture in another format; alpha gets <paramref name="alpha"/>(x, y) so tests can show it is ignored.</summary>
    public static DecodedImage Convert(DecodedImage rgb, PixelFormat format, Func<int, int, byte>? alpha = null)
    {
        if (rgb.Format != PixelFormat.Rgb24) throw new ArgumentException("expects Rgb24");
        int bpp = PixelImage.BytesPerPixelOf(format);
        var px = new byte[rgb.Width * rgb.Height * bpp];
        for (int y = 0; y < rgb.Height; y++)
        {
            for (int x = 0; x < rgb.Width; x++)
            {
                int i = (y * rgb.Width + x) * 3, o = (y * rgb.Width + x) * bpp;
                byte r = rgb.Pixels[i], g = rgb.Pixels[i + 1], b = rgb.Pixels[i + 2];
                byte a = alpha?.Invoke(x, y) ?? 255;
                switch (format)
                {
                    case PixelFormat.Gray8: px[o] = (byte)((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16); break;
                    case PixelFormat.Rgb24: px[o] = r; px[o + 1] = g; px[o + 2] = b; break;
                    case PixelFormat.Rgba32: px[o] = r; px[o + 1] = g; px[o + 2] = b; px[o + 3] = a; break;
                    case PixelFormat.Bgra32: px[o] = b; px[o + 1] = g; px[o + 2] = r; px[o + 3] = a; break;
                }
            }
        }
        return rgb with { Pixels = px, Format = format };
    }

    /// <summary>Copies the rows into a buffer with <paramref name="padding"/> extra bytes per row, filled with noise.</summary>
    public static (byte[] Pixels, int Stride) Padded(DecodedImage image, int padding, int seed = 1)
    {
        int row = image.Width * PixelImage.BytesPerPixelOf(image.Format);
        int stride = row + padding;
        var px = new byte[stride * image.Height];
        new Random(seed).NextBytes(px);
        for (int y = 0; y < image.Height; y++) image.Pixels.AsSpan(y * row, row).CopyTo(px.AsSpan(y * stride));
        return (px, stride);
    }

    /// <summary>The picture rotated or mirrored as <see cref="DihedralTransform"/> documents, done on the pixels.</summary>
    public static DecodedImage Transform(DecodedImage image, DihedralTransform transform)
    {
        int w = image.Width, h = image.Height, bpp = PixelImage.BytesPerPixelOf(image.Format);
        bool swap = transform is DihedralTransform.Rotate90 or DihedralTransform.Rotate270 or DihedralTransform.FlipPlus1 or DihedralTransform.FlipMinus1;
        int ow = swap ? h : w, oh = swap ? w : h;
        var px = new byte[ow * oh * bpp];
        for (int r = 0; r < oh; r++)
        {
            for (int c = 0; c < ow; c++)
            {
                var (sr, sc) = transform switch
                {
                    DihedralTransform.Original => (r, c),
                    DihedralTransform.Rotate90 => (c, w - 1 - r),
                    DihedralTransform.Rotate180 => (h - 1 - r, w - 1 - c),
                    DihedralTransform.Rotate270 => (h - 1 - c, r),
                    DihedralTransform.FlipX => (h - 1 - r, c),
                    DihedralTransform.FlipY => (r, w - 1 - c),
                    DihedralTransform.FlipPlus1 => (c, r),
                    DihedralTransform.FlipMinus1 => (h - 1 - c, w - 1 - r),
                    _ => throw new ArgumentOutOfRangeException(nameof(transform)),
                };
                image.Pixels.AsSpan((sr * w + sc) * bpp, bpp).CopyTo(px.AsSpan((r * ow + c) * bpp));
            }
        }
        return image with { Pixels = px, Width = ow, Height = oh };
    }
}

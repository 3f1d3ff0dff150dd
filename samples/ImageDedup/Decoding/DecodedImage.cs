using Aknn.Embedded.Imaging;

namespace ImageDedup.Decoding;

/// <summary>
/// Decoded pixels of one image, upright (EXIF orientation applied): 8 bits per channel, rows
/// packed without padding.
/// </summary>
/// <param name="Pixels">The pixel bytes, at least <paramref name="Width"/> × <paramref name="Height"/> × channels (a pooled buffer may be longer).</param>
/// <param name="Width">Width in pixels of the decoded (possibly scaled-down) picture.</param>
/// <param name="Height">Height in pixels of the decoded picture.</param>
/// <param name="Format">The pixel layout (<see cref="PixelFormat.Rgba32"/> from <see cref="SkiaImageDecoder"/>).</param>
/// <param name="SourceWidth">Width of the upright image at full resolution (what the file holds).</param>
/// <param name="SourceHeight">Height of the upright image at full resolution.</param>
public sealed record DecodedImage(byte[] Pixels, int Width, int Height, PixelFormat Format, int SourceWidth, int SourceHeight)
{
    /// <summary>A view of the pixels for <see cref="PerceptualHash"/>.</summary>
    public PixelImage AsPixelImage() => new(Pixels.AsSpan(0, Width * Height * PixelImage.BytesPerPixelOf(Format)), Width, Height, Format);

    /// <summary>
    /// A view of the rectangle <paramref name="x"/>, <paramref name="y"/>, <paramref name="width"/> ×
    /// <paramref name="height"/> (a crop without copying: the rows keep the full image's stride).
    /// </summary>
    /// <param name="x">Left edge, in pixels.</param>
    /// <param name="y">Top edge, in pixels.</param>
    /// <param name="width">Width of the crop.</param>
    /// <param name="height">Height of the crop.</param>
    public PixelImage Crop(int x, int y, int width, int height)
    {
        int bpp = PixelImage.BytesPerPixelOf(Format);
        int stride = Width * bpp;
        if (x < 0 || y < 0 || width < 1 || height < 1 || x + width > Width || y + height > Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"The crop {x},{y} {width}×{height} does not lie inside the {Width}×{Height} image.");
        int start = y * stride + x * bpp;
        int length = (height - 1) * stride + width * bpp;
        return new PixelImage(Pixels.AsSpan(start, length), width, height, stride, Format);
    }

    /// <summary>The rectangle <paramref name="x"/>, <paramref name="y"/>, <paramref name="width"/> × <paramref name="height"/> copied into packed rows.</summary>
    /// <param name="x">Left edge, in pixels.</param>
    /// <param name="y">Top edge, in pixels.</param>
    /// <param name="width">Width of the crop.</param>
    /// <param name="height">Height of the crop.</param>
    public DecodedImage CropCopy(int x, int y, int width, int height)
    {
        PixelImage view = Crop(x, y, width, height);
        int bpp = PixelImage.BytesPerPixelOf(Format), row = width * bpp, stride = Width * bpp;
        var pixels = new byte[row * height];
        ReadOnlySpan<byte> source = Pixels.AsSpan((y * Width + x) * bpp);
        for (int r = 0; r < height; r++) source.Slice(r * stride, row).CopyTo(pixels.AsSpan(r * row, row));
        _ = view; // Crop checked the rectangle
        return new DecodedImage(pixels, width, height, Format, SourceWidth, SourceHeight);
    }

    /// <summary>
    /// A grey copy (<see cref="PixelFormat.Gray8"/>, ITU-R 601 luma in 8-bit fixed point) shrunk by
    /// an integer factor with a box filter: each output pixel is the rounded mean luma of a
    /// factor × factor block (a partial block at the right or bottom edge is dropped), with the
    /// smallest factor that brings the shorter side to <paramref name="maxShortSide"/> or below.
    /// One pass over the pixels: Skia's mipmapped scaling took 18 ms for a 600×377 picture here,
    /// more than decoding it, and hashing grey bytes skips the hash's own colour conversion.
    /// </summary>
    /// <param name="maxShortSide">The largest shorter side the copy may have.</param>
    /// <exception cref="NotSupportedException">The image is not <see cref="PixelFormat.Rgba32"/>.</exception>
    public DecodedImage ReduceToGrey(int maxShortSide)
    {
        if (Format != PixelFormat.Rgba32) throw new NotSupportedException($"Only Rgba32 pictures are reduced, not {Format}.");
        int small = Math.Min(Width, Height);
        int f = Math.Max(1, (small + maxShortSide - 1) / maxShortSide);
        int w = Width / f, h = Height / f;
        var pixels = new byte[w * h];
        var sums = new int[w];
        int area = f * f, half = area / 2;
        for (int y = 0; y < h; y++)
        {
            Array.Clear(sums);
            for (int dy = 0; dy < f; dy++)
            {
                int row = (y * f + dy) * Width * 4;
                for (int x = 0; x < w; x++)
                {
                    int p = row + x * f * 4, sum = 0;
                    for (int dx = 0; dx < f; dx++, p += 4)
                        sum += (77 * Pixels[p] + 150 * Pixels[p + 1] + 29 * Pixels[p + 2] + 128) >> 8;
                    sums[x] += sum;
                }
            }
            int o = y * w;
            for (int x = 0; x < w; x++) pixels[o + x] = (byte)((sums[x] + half) / area);
        }
        return new DecodedImage(pixels, w, h, PixelFormat.Gray8, SourceWidth, SourceHeight);
    }
}

using Aknn.Embedded.Imaging;
using SkiaSharp;

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

    /// <summary>
    /// A copy shrunk by area averaging (Skia's mipmaps, then linear filtering) so that its shorter
    /// side is <paramref name="shortSide"/>; this image itself when it is already that small.
    /// </summary>
    /// <param name="shortSide">The shorter side of the copy, in pixels.</param>
    public DecodedImage Reduce(int shortSide)
    {
        int small = Math.Min(Width, Height);
        if (small <= shortSide || Format != PixelFormat.Rgba32) return this;
        double scale = (double)shortSide / small;
        int w = Math.Max(1, (int)Math.Round(Width * scale)), h = Math.Max(1, (int)Math.Round(Height * scale));
        var info = new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var target = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var pixels = new byte[target.BytesSize64];
        unsafe
        {
            fixed (byte* src = Pixels)
            fixed (byte* dst = pixels)
            {
                using var from = new SKPixmap(info, (IntPtr)src, info.RowBytes);
                using var to = new SKPixmap(target, (IntPtr)dst, target.RowBytes);
                if (!from.ScalePixels(to, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)))
                    throw new InvalidOperationException($"Skia could not scale a {Width}×{Height} picture to {w}×{h}.");
            }
        }
        return new DecodedImage(pixels, w, h, Format, SourceWidth, SourceHeight);
    }
}

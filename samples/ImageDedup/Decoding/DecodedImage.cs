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
}

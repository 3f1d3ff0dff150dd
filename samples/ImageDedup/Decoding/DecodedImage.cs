using Aknn.Embedded.Imaging;

namespace ImageDedup.Decoding;

/// <summary>Decoded pixels of one image: 8 bits per channel, rows packed without padding.</summary>
/// <param name="Pixels">The pixel bytes, <paramref name="Width"/> × <paramref name="Height"/> × channels.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Format"><see cref="PixelFormat.Rgb24"/> or <see cref="PixelFormat.Gray8"/>.</param>
public sealed record DecodedImage(byte[] Pixels, int Width, int Height, PixelFormat Format)
{
    /// <summary>A view of the pixels for <see cref="PerceptualHash"/>.</summary>
    public PixelImage AsPixelImage() => new(Pixels, Width, Height, Format);
}

namespace Aknn.Embedded.Imaging;

/// <summary>The byte layout of one pixel in a <see cref="PixelImage"/>. Every format has 8 bits per channel.</summary>
public enum PixelFormat
{
    /// <summary>One byte per pixel: the grey level, 0 = black, 255 = white.</summary>
    Gray8 = 1,

    /// <summary>Three bytes per pixel in the order red, green, blue.</summary>
    Rgb24 = 2,

    /// <summary>Four bytes per pixel in the order red, green, blue, alpha. Alpha is ignored by the hashes.</summary>
    Rgba32 = 3,

    /// <summary>Four bytes per pixel in the order blue, green, red, alpha (the usual Windows and GPU layout). Alpha is ignored by the hashes.</summary>
    Bgra32 = 4,
}

using Aknn.Embedded.Imaging;
using ImageDedup.Decoding;

namespace Aknn.Embedded.Tests.Imaging;

/// <summary>Decoded pixels owned by a test.</summary>
public sealed record DecodedImage(byte[] Pixels, int Width, int Height, PixelFormat Format)
{
    public PixelImage View() => new(Pixels, Width, Height, Format);
}

/// <summary>
/// Decodes the reference pictures in-process with SkiaSharp (the ImageDedup sample's decoder, at
/// full resolution, EXIF orientation applied), as 8-bit RGB: alpha is dropped, as the hashes'
/// reference tools drop it. Needs nothing but the .NET SDK, so no image test is ever skipped.
/// </summary>
public static class TestImages
{
    private static readonly Lazy<IReadOnlyDictionary<string, DecodedImage>> PdqImages = new(DecodePdqFolder);

    /// <summary>The folder holding the PDQ reference data copied next to the test assembly.</summary>
    public static string PdqData => Path.Combine(AppContext.BaseDirectory, "TestData", "pdq");

    /// <summary>
    /// A picture of TestData/pdq by its path relative to that folder, e.g. "images/c.png". The whole
    /// folder is decoded once; tests share the pixels and must not change them.
    /// </summary>
    public static DecodedImage DecodePdq(string relativePath) => PdqImages.Value[relativePath];

    /// <summary>The first frame of the file at <paramref name="path"/> as 8-bit RGB pixels, full size.</summary>
    public static DecodedImage Decode(string path)
    {
        ImageDedup.Decoding.DecodedImage rgba = new SkiaImageDecoder().Decode(path);
        int n = rgba.Width * rgba.Height;
        var rgb = new byte[n * 3];
        for (int i = 0; i < n; i++)
        {
            rgb[3 * i] = rgba.Pixels[4 * i];
            rgb[3 * i + 1] = rgba.Pixels[4 * i + 1];
            rgb[3 * i + 2] = rgba.Pixels[4 * i + 2];
        }
        return new DecodedImage(rgb, rgba.Width, rgba.Height, PixelFormat.Rgb24);
    }

    private static IReadOnlyDictionary<string, DecodedImage> DecodePdqFolder() =>
        new[] { "images", "bridge-mods" }
            .SelectMany(folder => Directory.GetFiles(Path.Combine(PdqData, folder)).Select(f => folder + "/" + Path.GetFileName(f)))
            .Order(StringComparer.Ordinal)
            .ToDictionary(r => r, r => Decode(Path.Combine(PdqData, r)));
}

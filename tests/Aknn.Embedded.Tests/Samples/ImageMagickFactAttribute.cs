using ImageDedup.Decoding;

namespace Aknn.Embedded.Tests.Samples;

/// <summary>
/// A fact that needs ImageMagick: skipped, with the install command as the reason, where neither
/// <c>magick</c> nor <c>convert</c> is on PATH. (xunit 2 has no dynamic skip, so the check runs
/// when the test is discovered.)
/// </summary>
public sealed class ImageMagickFactAttribute : FactAttribute
{
    public ImageMagickFactAttribute()
    {
        if (ImageMagickDecoder.Locate() is null) Skip = ImageMagickSkip.Reason;
    }
}

/// <summary>A theory that needs ImageMagick; see <see cref="ImageMagickFactAttribute"/>.</summary>
public sealed class ImageMagickTheoryAttribute : TheoryAttribute
{
    public ImageMagickTheoryAttribute()
    {
        if (ImageMagickDecoder.Locate() is null) Skip = ImageMagickSkip.Reason;
    }
}

internal static class ImageMagickSkip
{
    public const string Reason =
        "ImageMagick is not installed (no 'magick' or 'convert' on PATH); install it to run this test: " +
        "sudo apt-get install imagemagick (macOS: brew install imagemagick).";
}

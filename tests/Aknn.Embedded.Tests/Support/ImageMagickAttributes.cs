using Aknn.Embedded.Tests.Imaging;

namespace Aknn.Embedded.Tests.Support;

// xunit 2 has no dynamic skip, so whether ImageMagick is present is checked when tests are
// discovered, and the reason names the install command.

/// <summary>A fact that needs ImageMagick: skipped, with the install command as the reason, where it is missing.</summary>
public sealed class ImageMagickFactAttribute : FactAttribute
{
    public ImageMagickFactAttribute()
    {
        if (ImageMagick.MissingReason is { } why) Skip = why;
    }
}

/// <summary>A theory that needs ImageMagick; see <see cref="ImageMagickFactAttribute"/>.</summary>
public sealed class ImageMagickTheoryAttribute : TheoryAttribute
{
    public ImageMagickTheoryAttribute()
    {
        if (ImageMagick.MissingReason is { } why) Skip = why;
    }
}

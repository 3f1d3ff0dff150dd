namespace ImageDedup.Decoding;

/// <summary>ImageMagick, which decodes the images, is not installed or not where it was said to be.</summary>
public sealed class ImageMagickNotFoundException : Exception
{
    /// <summary>How to install ImageMagick on each platform; part of every message of this exception.</summary>
    public const string InstallHint =
        "Install ImageMagick and run again:\n" +
        "  Debian/Ubuntu:     sudo apt-get install imagemagick\n" +
        "  macOS (Homebrew):  brew install imagemagick\n" +
        "  Windows:           the installer from https://imagemagick.org/script/download.php#windows\n" +
        "                     (keep \"Add application directory to your system path\" ticked)\n" +
        "or pass the executable's path with --magick PATH.";

    /// <summary>Creates the exception.</summary>
    /// <param name="problem">What was looked for and not found.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public ImageMagickNotFoundException(string problem, Exception? inner = null)
        : base(problem + "\n" + InstallHint, inner)
    {
    }
}

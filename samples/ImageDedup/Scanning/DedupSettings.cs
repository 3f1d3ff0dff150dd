using ImageDedup.Hashing;

namespace ImageDedup.Scanning;

/// <summary>What to scan and how; see <see cref="DedupScanner.Open"/>.</summary>
public sealed class DedupSettings
{
    /// <summary>The folder to scan, recursively.</summary>
    public required string Folder { get; init; }

    /// <summary>The perceptual hash. Default: <see cref="HashKind.Pdq"/>.</summary>
    public HashKind Hash { get; init; } = HashKind.Pdq;

    /// <summary>
    /// The largest Hamming distance that joins two images; null for the hash's default
    /// (<see cref="HashKinds.DefaultRadius"/>).
    /// </summary>
    public int? Radius { get; init; }

    /// <summary>
    /// The cache folder that holds one index per hash kind; null for the per-user default
    /// (<see cref="IndexLocation.DefaultRoot"/>).
    /// </summary>
    public string? IndexRoot { get; init; }

    /// <summary>The ImageMagick executable; null to look for <c>magick</c> or <c>convert</c> on PATH.</summary>
    public string? MagickExecutable { get; init; }

    /// <summary>How many images are decoded and hashed at once. Default: one per processor.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;
}

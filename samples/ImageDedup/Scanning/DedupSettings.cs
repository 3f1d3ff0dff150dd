using ImageDedup.Hashing;

namespace ImageDedup.Scanning;

/// <summary>What to scan and how; see <see cref="DedupScanner.Open"/>.</summary>
public sealed class DedupSettings
{
    /// <summary>
    /// The shortest side kept when JPEGs are decoded scaled down, used when
    /// <see cref="DecodeMinimumSide"/> is not set. 256 keeps PDQ within a few bits of a
    /// full-resolution decode (see the README) at a fraction of the cost.
    /// </summary>
    public const int DefaultDecodeMinimumSide = 256;

    /// <summary>The PDQ quality below which a hash is flagged and, by default, links nothing (PDQ's authors discard such hashes).</summary>
    public const int MinimumQuality = 50;

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

    /// <summary>How many images are decoded and hashed at once. Default: one per processor.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Whether PDQ hashes of quality below <see cref="MinimumQuality"/> (flat or tiny pictures,
    /// whose hashes say little) may link images into groups. Default false: they are flagged only.
    /// </summary>
    public bool IncludeLowQuality { get; init; }

    /// <summary>
    /// Whether each image also gets hashes of crops of itself (<see cref="CropRegions.Default"/>),
    /// so that cropped copies are found. Default true.
    /// </summary>
    public bool CropHashes { get; init; } = true;

    /// <summary>
    /// The shortest side kept when JPEGs are decoded scaled down; 0 decodes at full resolution.
    /// Default <see cref="DefaultDecodeMinimumSide"/>.
    /// </summary>
    public int DecodeMinimumSide { get; init; } = DefaultDecodeMinimumSide;
}

namespace ImageDedup.Scanning;

/// <summary>What <see cref="DedupScanner.FindGroups"/> found.</summary>
/// <param name="Groups">The groups, largest first.</param>
/// <param name="LowQuality">Paths of the images whose PDQ quality is below <see cref="DedupSettings.MinimumQuality"/>, ordered.</param>
/// <param name="LowQualityLinks">Whether low-quality hashes were allowed to link images.</param>
public sealed record GroupingResult(IReadOnlyList<ImageGroup> Groups, IReadOnlyList<string> LowQuality, bool LowQualityLinks);

namespace ImageDedup.Hashing;

/// <summary>The sets of regions hashed per image (see the README's "Crops" section for the measurements behind them).</summary>
public static class CropRegions
{
    /// <summary>Only the full frame: one code per image.</summary>
    public static IReadOnlyList<CropRegion> FullFrameOnly { get; } = [CropRegion.Full];

    /// <summary>
    /// The full frame and ten crops of it: the centre at 95% and 90% of each side, 90% of one
    /// side cut from the left, right, top or bottom, and the four corners at 90% × 90%. Both
    /// sides of a comparison have them, so a copy cropped by up to 10% of a dimension in one of
    /// these ways matches a crop of the original (PDQ's full frame already misses a copy with 2.5%
    /// cut from each side, so the windows must line up closely; see the README).
    /// </summary>
    public static IReadOnlyList<CropRegion> Default { get; } =
    [
        CropRegion.Full,
        new("c95", 0.025, 0.025, 0.025, 0.025),
        new("c90", 0.05, 0.05, 0.05, 0.05),
        new("l90", 0.10, 0, 0, 0),
        new("r90", 0, 0, 0.10, 0),
        new("t90", 0, 0.10, 0, 0),
        new("b90", 0, 0, 0, 0.10),
        new("tl90", 0.10, 0.10, 0, 0),
        new("tr90", 0, 0.10, 0.10, 0),
        new("bl90", 0.10, 0, 0, 0.10),
        new("br90", 0, 0, 0.10, 0.10),
    ];

    /// <summary>The names of <paramref name="regions"/>, comma-separated, as stored in <see cref="Scanning.FileRecord.Regions"/>.</summary>
    /// <param name="regions">The regions.</param>
    public static string Names(IReadOnlyList<CropRegion> regions) => string.Join(',', regions.Select(r => r.Name));
}

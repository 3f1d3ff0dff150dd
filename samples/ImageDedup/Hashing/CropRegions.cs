namespace ImageDedup.Hashing;

/// <summary>The sets of regions hashed per image (see the README's "Crops" section for the measurements behind them).</summary>
public static class CropRegions
{
    /// <summary>Only the full frame: one code per image.</summary>
    public static IReadOnlyList<CropRegion> FullFrameOnly { get; } = [CropRegion.Full];

    /// <summary>
    /// The full frame and the nine windows of 90% of each side anchored at the corners, edges and
    /// centre: a crop that removes up to 10% of each dimension anywhere is then at most 5% of a
    /// side away from one of them.
    /// </summary>
    public static IReadOnlyList<CropRegion> Default { get; } = Grid(0.10);

    /// <summary>The full frame and a 3×3 grid of windows that cut <paramref name="cut"/> of each dimension.</summary>
    /// <param name="cut">The fraction of each side left out (0.1 keeps 90%).</param>
    public static IReadOnlyList<CropRegion> Grid(double cut)
    {
        var regions = new List<CropRegion> { CropRegion.Full };
        int percent = (int)Math.Round(100 * (1 - cut));
        string[] rows = ["t", "m", "b"], columns = ["l", "c", "r"];
        for (int row = 0; row < 3; row++)
        {
            for (int column = 0; column < 3; column++)
            {
                double left = cut * column / 2, top = cut * row / 2;
                regions.Add(new CropRegion($"{rows[row]}{columns[column]}{percent}", left, top, cut - left, cut - top));
            }
        }
        return regions;
    }

    /// <summary>The names of <paramref name="regions"/>, comma-separated, as stored in <see cref="Scanning.FileRecord.Regions"/>.</summary>
    /// <param name="regions">The regions.</param>
    public static string Names(IReadOnlyList<CropRegion> regions) => string.Join(',', regions.Select(r => r.Name));
}

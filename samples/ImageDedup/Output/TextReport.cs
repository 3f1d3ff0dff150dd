using System.Globalization;
using ImageDedup.Scanning;

namespace ImageDedup.Output;

/// <summary>The human-readable report on standard output.</summary>
public static class TextReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// Writes each group as a <c>group N: M images</c> line followed by its members, the keeper
    /// first and marked <c>*</c>: the Hamming distance to the keeper, the pixel size, the file
    /// size, the PDQ quality (with <c>low</c> below 50) and the path.
    /// </summary>
    /// <param name="output">Where to write.</param>
    /// <param name="groups">The groups, largest first.</param>
    public static void WriteGroups(TextWriter output, IReadOnlyList<ImageGroup> groups)
    {
        for (int g = 0; g < groups.Count; g++)
        {
            ImageGroup group = groups[g];
            if (g > 0) output.WriteLine();
            output.WriteLine(string.Create(Invariant, $"group {g + 1}: {group.Count} images, keep {group.Keeper.Path}"));
            foreach (GroupMember member in group.Members)
            {
                string mark = member.IsKeeper ? "*" : " ";
                string pixels = member.Width > 0 ? string.Create(Invariant, $"{member.Width}x{member.Height}") : "?";
                string quality = member.Quality is int q ? string.Create(Invariant, $"q{q}{(member.LowQuality ? " low" : "")}") : "";
                output.WriteLine(string.Create(Invariant, $" {mark}{member.Distance,4}  {pixels,11}  {Size(member.Size),9}  {quality,-7}  {member.Path}"));
            }
        }
    }

    /// <summary>Writes the closing summary line, and a line about low-quality hashes when there are any.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="scan">What the scan did.</param>
    /// <param name="result">The groups found and the low-quality images.</param>
    /// <param name="hashName">The hash's name.</param>
    /// <param name="radius">The radius used.</param>
    /// <param name="elapsed">Total time.</param>
    public static void WriteSummary(TextWriter output, ScanSummary scan, GroupingResult result, string hashName, int radius, TimeSpan elapsed)
    {
        IReadOnlyList<ImageGroup> groups = result.Groups;
        int images = groups.Sum(g => g.Count);
        string found = groups.Count switch
        {
            0 => "no near-duplicates",
            1 => $"1 group with {images} images",
            _ => $"{groups.Count:N0} groups with {images:N0} images",
        };
        if (groups.Count > 0) output.WriteLine();
        output.WriteLine(string.Create(Invariant,
            $"{scan.FilesFound:N0} files scanned ({scan.HashedNow:N0} hashed now, {scan.Reused:N0} reused from the index, " +
            $"{scan.Removed:N0} removed, {scan.Failures.Count:N0} not hashed); {found} ({hashName}, radius {radius}); {elapsed.TotalSeconds:0.0} s"));
        if (scan.HashedNow > 0)
        {
            output.WriteLine(string.Create(Invariant,
                $"first scan of {scan.HashedNow:N0} images: {scan.HashedNow / scan.Elapsed.TotalSeconds:0} images/s; per image {scan.DecodeTime.TotalMilliseconds / scan.HashedNow:0.0} ms decoding, {scan.HashTime.TotalMilliseconds / scan.HashedNow:0.0} ms hashing, {scan.StoreTime.TotalMilliseconds / scan.HashedNow:0.0} ms storing (summed over the workers)"));
        }
        if (result.LowQuality.Count > 0)
        {
            int n = result.LowQuality.Count;
            string flagged = n == 1 ? "1 image has" : $"{n.ToString("N0", Invariant)} images have";
            output.WriteLine(result.LowQualityLinks
                ? $"{flagged} PDQ quality below 50 (flat or tiny pictures); {(n == 1 ? "it was" : "they were")} allowed to link groups (--include-low-quality)."
                : $"{flagged} PDQ quality below 50 (flat or tiny pictures) and link nothing; --include-low-quality lets them.");
        }
    }

    /// <summary>A file size in B, KB, MB or GB (powers of 1024).</summary>
    /// <param name="bytes">The size.</param>
    public static string Size(long bytes)
    {
        if (bytes < 1024) return string.Create(Invariant, $"{bytes} B");
        double value = bytes;
        string[] units = ["KB", "MB", "GB", "TB"];
        int unit = -1;
        do
        {
            value /= 1024;
            unit++;
        }
        while (value >= 1024 && unit < units.Length - 1);
        return string.Create(Invariant, $"{value:0.0} {units[unit]}");
    }
}

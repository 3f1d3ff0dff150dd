namespace ImageDedup.Scanning;

/// <summary>An image file found by a scan.</summary>
/// <param name="FullPath">The absolute path.</param>
/// <param name="RelativePath">The path relative to the scanned folder, with '/' separators.</param>
/// <param name="Size">File size in bytes.</param>
/// <param name="ModifiedUtc">Last write time, UTC.</param>
public sealed record ImageFile(string FullPath, string RelativePath, long Size, DateTime ModifiedUtc);

/// <summary>Finds image files by extension.</summary>
public static class ImageFiles
{
    /// <summary>The extensions scanned (case-insensitive). Whether a format decodes depends on the SkiaSharp build (HEIC and AVIF need a platform codec; elsewhere they are reported as not hashed).</summary>
    public static IReadOnlySet<string> Extensions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".heic", ".heif", ".avif",
    };

    /// <summary>
    /// Every image file under <paramref name="root"/>, recursively, ordered by relative path.
    /// Hidden and system files and folders (on Unix, names starting with a dot) and unreadable
    /// folders are skipped, and so is everything under <paramref name="exclude"/>.
    /// </summary>
    /// <param name="root">The folder to scan.</param>
    /// <param name="exclude">A folder to leave out (the cache, when it lies inside the scanned folder), or null.</param>
    /// <param name="found">Called now and then with the number of files found so far.</param>
    /// <param name="cancellationToken">Stops the listing.</param>
    public static List<ImageFile> Find(string root, string? exclude, Action<int>? found, CancellationToken cancellationToken)
    {
        root = Path.GetFullPath(root);
        string? excludePrefix = exclude is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(exclude)) + Path.DirectorySeparatorChar;
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
        };
        var files = new List<ImageFile>();
        foreach (FileInfo info in new DirectoryInfo(root).EnumerateFiles("*", options))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!Extensions.Contains(info.Extension)) continue;
            if (excludePrefix is not null && info.FullName.StartsWith(excludePrefix, StringComparison.Ordinal)) continue;
            string relative = Path.GetRelativePath(root, info.FullName);
            if (Path.DirectorySeparatorChar != '/') relative = relative.Replace(Path.DirectorySeparatorChar, '/');
            files.Add(new ImageFile(info.FullName, relative, info.Length, info.LastWriteTimeUtc));
            if (files.Count % 1000 == 0) found?.Invoke(files.Count);
        }
        files.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        return files;
    }
}

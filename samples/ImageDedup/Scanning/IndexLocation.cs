using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ImageDedup.Hashing;

namespace ImageDedup.Scanning;

/// <summary>
/// Where the hash cache lives. A cache folder holds one index per hash kind (<c>pdq/</c>,
/// <c>phash/</c>), so hashes of one kind are never compared with another, and a marker file
/// (<c>imagededup.json</c>) that keeps the program from taking over a folder it did not make.
/// </summary>
public static class IndexLocation
{
    /// <summary>The marker file's name.</summary>
    public const string MarkerFileName = "imagededup.json";

    private const string ToolName = "Aknn.Embedded ImageDedup";
    private const int FormatVersion = 1;

    /// <summary>
    /// The per-user cache folder for <paramref name="scannedFolder"/>:
    /// <c>&lt;cache&gt;/aknn-imagededup/&lt;folder name&gt;-&lt;16 hex digits of the SHA-256 of its full path&gt;</c>,
    /// where <c>&lt;cache&gt;</c> is <c>$XDG_CACHE_HOME</c> or <c>~/.cache</c> on Linux,
    /// <c>~/Library/Caches</c> on macOS and <c>%LOCALAPPDATA%</c> on Windows.
    /// </summary>
    /// <param name="scannedFolder">The folder being scanned.</param>
    public static string DefaultRoot(string scannedFolder)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(scannedFolder));
        string key = OperatingSystem.IsWindows() ? full.ToUpperInvariant() : full;
        string digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];
        string name = Path.GetFileName(full);
        var safe = new StringBuilder();
        foreach (char c in name.Length == 0 ? "root" : name)
        {
            if (safe.Length == 40) break;
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }
        return Path.Combine(UserCacheFolder(), "aknn-imagededup", $"{safe}-{digest}");
    }

    /// <summary>The platform's per-user cache folder.</summary>
    public static string UserCacheFolder()
    {
        if (OperatingSystem.IsWindows()) return Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS()) return Path.Combine(home, "Library", "Caches");
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        return !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg) ? xdg : Path.Combine(home, ".cache");
    }

    /// <summary>
    /// Creates the cache folder (or checks that an existing one is this program's) and returns
    /// the index folder for <paramref name="kind"/> inside it.
    /// </summary>
    /// <param name="root">The cache folder.</param>
    /// <param name="scannedFolder">The folder being scanned, recorded in the marker.</param>
    /// <param name="kind">The hash kind.</param>
    /// <exception cref="InvalidOperationException">The folder holds other files and no marker.</exception>
    public static string Prepare(string root, string scannedFolder, HashKind kind)
    {
        root = Path.GetFullPath(root);
        string marker = Path.Combine(root, MarkerFileName);
        if (Directory.Exists(root) && !File.Exists(marker) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw new InvalidOperationException(
                $"The index folder '{root}' already holds files that ImageDedup did not write (it has no {MarkerFileName}). " +
                "Pass --index with a new or empty folder.");
        }
        Directory.CreateDirectory(root);
        var content = new CacheMarker(ToolName, FormatVersion, Path.GetFullPath(scannedFolder));
        File.WriteAllBytes(marker, JsonSerializer.SerializeToUtf8Bytes(content, ScanJsonContext.Default.CacheMarker));
        return Path.Combine(root, kind.Name());
    }
}

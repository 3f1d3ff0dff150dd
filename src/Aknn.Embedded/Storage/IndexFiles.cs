using System.Globalization;

namespace Aknn.Embedded.Storage;

/// <summary>The names of an index folder's numbered files (docs/file-format.md, "Files"), and quiet deletion of leftovers.</summary>
internal static class IndexFiles
{
    public static string SegmentName(long n) => $"seg-{n:D6}.seg";

    public static string LogName(long n) => $"log-{n:D6}.wal";

    public static string DeletionName(long segment, long n) => $"seg-{segment:D6}-{n:D6}.del";

    /// <summary>
    /// The file number in a name such as log-000012.wal or seg-000004.seg, or the second number of
    /// a deletion file such as seg-000004-000009.del (its own); -1 for other names.
    /// </summary>
    public static long FileNumber(string name)
    {
        int dot = name.IndexOf('.');
        if (dot <= 4) return -1;
        ReadOnlySpan<char> digits = name.AsSpan(4, dot - 4);
        int dash = digits.LastIndexOf('-');
        if (dash >= 0) digits = digits[(dash + 1)..];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : -1;
    }

    /// <summary>Whether a file name is one of the index's own numbered or temporary files.</summary>
    public static bool IsOurs(string name) =>
        name.EndsWith(".tmp", StringComparison.Ordinal)
        || (name.StartsWith("seg-", StringComparison.Ordinal) && (name.EndsWith(".seg", StringComparison.Ordinal) || name.EndsWith(".del", StringComparison.Ordinal)))
        || (name.StartsWith("log-", StringComparison.Ordinal) && name.EndsWith(".wal", StringComparison.Ordinal));

    /// <summary>Deletes a file whose removal is a clean-up, not a step that must succeed.</summary>
    public static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

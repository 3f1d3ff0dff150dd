using ImageDedup.Cli;

namespace ImageDedup.Output;

/// <summary>Checks, before a scan, that a report file can be written afterwards.</summary>
public static class OutputFile
{
    /// <summary>
    /// Throws when <paramref name="path"/> cannot be created or replaced: its folder is missing,
    /// it names a folder, or it cannot be opened for writing. An existing file is left as it is;
    /// a file created by the check is removed again.
    /// </summary>
    /// <param name="path">The report file.</param>
    /// <param name="option">The option that named it, for the message ("--json").</param>
    /// <exception cref="UsageException">The file cannot be written; the message says why.</exception>
    public static void CheckWritable(string path, string option)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new UsageException($"{option} '{path}' is a folder; give a file name, for example '{Path.Combine(path, "report" + Extension(option))}'.");
        string? folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
            throw new UsageException($"{option} '{path}': the folder '{folder}' does not exist; create it or write the report elsewhere.");
        bool existed = File.Exists(full);
        try
        {
            using (new FileStream(full, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option} '{path}' cannot be written: {e.Message}");
        }
        if (!existed) File.Delete(full);
    }

    private static string Extension(string option) => option == "--html" ? ".html" : ".json";
}

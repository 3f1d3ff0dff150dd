namespace Aknn.Embedded;

/// <summary>Base class of the storage errors this library raises (corruption, locks, full disks, format problems).</summary>
public class AknnException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened and what to do.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public AknnException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// A file of the index is damaged: a checksum does not match, a structure is out of range, or a
/// file is shorter than its header says. Nothing from the damaged part is ever served.
/// </summary>
public sealed class IndexCorruptedException : AknnException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The damaged file.</param>
    /// <param name="offset">Byte offset in the file where the damage was found.</param>
    /// <param name="detail">What is wrong there.</param>
    public IndexCorruptedException(string filePath, long offset, string detail)
        : base($"The index file '{filePath}' is corrupted at byte offset {offset}: {detail}. " +
               "Restore the index folder from a backup, or rebuild the index from its source data.")
    {
        FilePath = filePath;
        Offset = offset;
    }

    /// <summary>The damaged file.</summary>
    public string FilePath { get; }

    /// <summary>Byte offset in <see cref="FilePath"/> where the damage was found.</summary>
    public long Offset { get; }
}

/// <summary>The folder given to <see cref="VectorIndex.Open(string, OpenOptions?)"/> holds no index.</summary>
public sealed class NotAnIndexException : AknnException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The folder.</param>
    /// <param name="detail">Why it is not an index.</param>
    public NotAnIndexException(string path, string detail)
        : base($"'{path}' is not an Aknn index: {detail}. Use VectorIndex.Create to make a new index there, or pass the folder of an existing index.")
    {
        Path = path;
    }

    /// <summary>The folder or file that was opened.</summary>
    public string Path { get; }
}

/// <summary>An index file was written by a newer version of this library, with a format this version cannot read.</summary>
public sealed class UnsupportedFormatVersionException : AknnException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The file.</param>
    /// <param name="found">The format version the file declares.</param>
    /// <param name="supported">The newest version this library reads.</param>
    public UnsupportedFormatVersionException(string filePath, int found, int supported)
        : base($"'{filePath}' uses format version {found}, but this version of Aknn.Embedded reads versions up to {supported}. " +
               "Upgrade the Aknn.Embedded package to open this index.")
    {
        FilePath = filePath;
        FoundVersion = found;
        SupportedVersion = supported;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>The version the file declares.</summary>
    public int FoundVersion { get; }

    /// <summary>The newest version this library reads.</summary>
    public int SupportedVersion { get; }
}

/// <summary>Another writer (in this or another process) holds the index open for writing.</summary>
public sealed class IndexLockedException : AknnException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The index folder.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public IndexLockedException(string path, Exception? inner = null)
        : base($"The index at '{path}' is already open for writing by another VectorIndex, in this process or another. " +
               "Only one writer is allowed at a time: dispose the other instance, or open this one with OpenOptions { ReadOnly = true }.", inner)
    {
        Path = path;
    }

    /// <summary>The index folder.</summary>
    public string Path { get; }
}

/// <summary>
/// A write failed because the disk is full or refused the write. The failed write was not applied;
/// everything stored before it is intact and the index stays usable once space is freed.
/// </summary>
public sealed class StorageFullException : AknnException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The file being written.</param>
    /// <param name="inner">The underlying I/O error.</param>
    public StorageFullException(string filePath, Exception inner)
        : this(filePath, inner, "The write was not applied and everything stored before it is intact: free disk space and retry.")
    {
    }

    /// <summary>Creates the exception with a custom account of what was applied.</summary>
    /// <param name="filePath">The file being written.</param>
    /// <param name="inner">The underlying I/O error.</param>
    /// <param name="whatWasApplied">Which writes were applied and what to do.</param>
    public StorageFullException(string filePath, Exception inner, string whatWasApplied)
        : base($"Writing '{filePath}' failed ({inner.Message}); the disk is probably full. {whatWasApplied}", inner)
    {
        FilePath = filePath;
    }

    /// <summary>The file being written.</summary>
    public string FilePath { get; }
}

/// <summary>A write was attempted on an index opened with <see cref="OpenOptions.ReadOnly"/>.</summary>
public sealed class IndexReadOnlyException : AknnException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The index folder.</param>
    public IndexReadOnlyException(string path)
        : base($"The index at '{path}' was opened read-only; open it without OpenOptions.ReadOnly to write.")
    {
    }
}

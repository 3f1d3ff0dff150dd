using Microsoft.Win32.SafeHandles;

namespace Aknn.Embedded.Storage;

/// <summary>
/// The open, append-only log file. Every append is one positioned write of whole records, so a
/// failed write (a full disk) is undone by cutting the file back to its previous length: the log
/// never keeps half a record that the caller was told failed.
/// </summary>
internal sealed class LogFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly IFaultInjector? _faults;
    private long _length;
    private long _durable;

    private LogFile(string path, SafeFileHandle handle, long length, IFaultInjector? faults)
    {
        Path = path;
        _handle = handle;
        _length = length;
        _durable = length;
        _faults = faults;
    }

    public string Path { get; }

    /// <summary>How many bytes of the file are known to be on disk.</summary>
    public long DurableLength => Volatile.Read(ref _durable);

    /// <summary>True when writes were appended since the last <see cref="Sync"/>.</summary>
    public bool HasUnsyncedData => Volatile.Read(ref _durable) < Volatile.Read(ref _length);

    public static LogFile Create(string path, long generation, IFaultInjector? faults)
    {
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        var log = new LogFile(path, handle, 0, faults);
        try
        {
            Span<byte> header = stackalloc byte[LogFormat.HeaderSize];
            LogFormat.WriteHeader(header, generation);
            log.Append(header);
            log.Sync();
            FileSync.FlushFolder(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            return log;
        }
        catch
        {
            log.Dispose();
            try { File.Delete(path); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>
    /// Opens an existing log for appending after <paramref name="validLength"/>, cutting off
    /// anything beyond it (a torn tail). The file is flushed once: a writer that crashed may have
    /// left records only in the page cache, and from here on they count as durable.
    /// </summary>
    public static LogFile OpenForAppend(string path, long validLength, IFaultInjector? faults)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        if (RandomAccess.GetLength(handle) != validLength) RandomAccess.SetLength(handle, validLength);
        FileSync.FlushData(handle, path);
        return new LogFile(path, handle, validLength, faults);
    }

    /// <summary>Appends whole records. On failure the file is cut back and <see cref="StorageFullException"/> (or the I/O error) is thrown.</summary>
    public void Append(ReadOnlySpan<byte> records)
    {
        long at = _length;
        try
        {
            _faults?.BeforeWrite(Path, at, records.Length);
            RandomAccess.Write(_handle, records, at);
        }
        catch (IOException e)
        {
            try { RandomAccess.SetLength(_handle, at); }
            catch (IOException) { /* the cut failed too; replay will still stop at the bad record */ }
            throw new StorageFullException(Path, e);
        }
        Volatile.Write(ref _length, at + records.Length);
    }

    /// <summary>Makes everything appended so far durable. Safe to call from a background flusher while appends go on.</summary>
    public void Sync()
    {
        long upTo = Volatile.Read(ref _length);
        if (Volatile.Read(ref _durable) >= upTo) return;
        FileSync.FlushData(_handle, Path);
        long seen;
        do
        {
            seen = Volatile.Read(ref _durable);
            if (seen >= upTo) break;
        } while (Interlocked.CompareExchange(ref _durable, upTo, seen) != seen);
    }

    public void Dispose() => _handle.Dispose();
}

namespace Aknn.Embedded.Storage;

/// <summary>
/// Keeps a second writer out of an index folder: an exclusive lock on the folder's LOCK file
/// (flock on Unix, a share-none open on Windows) against other processes, and a registry of
/// folders open in this process, since some platforms let one process lock a file twice.
/// The operating system drops the lock when the process dies, so a crash never leaves it stuck.
/// </summary>
internal sealed class WriterLock : IDisposable
{
    public const string FileName = "LOCK";
    private static readonly HashSet<string> OpenHere = new(StringComparer.Ordinal);
    private readonly FileStream _file;
    private readonly string _key;

    private WriterLock(FileStream file, string key)
    {
        _file = file;
        _key = key;
    }

    public static WriterLock Acquire(string folder)
    {
        string key = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        lock (OpenHere)
        {
            if (!OpenHere.Add(key)) throw new IndexLockedException(folder);
        }
        try
        {
            var file = new FileStream(Path.Combine(folder, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new WriterLock(file, key);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            lock (OpenHere) OpenHere.Remove(key);
            throw new IndexLockedException(folder, e);
        }
        catch
        {
            lock (OpenHere) OpenHere.Remove(key);
            throw;
        }
    }

    public void Dispose()
    {
        _file.Dispose();
        lock (OpenHere) OpenHere.Remove(_key);
    }
}

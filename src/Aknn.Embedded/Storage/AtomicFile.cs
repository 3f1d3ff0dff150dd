namespace Aknn.Embedded.Storage;

/// <summary>Replaces a small file atomically: write a temporary file, sync it, rename it over the target, sync the folder.</summary>
internal static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> bytes, IFaultInjector? faults)
    {
        string temp = path + ".tmp";
        try
        {
            using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                faults?.BeforeWrite(temp, 0, bytes.Length);
                f.Write(bytes);
                f.Flush(flushToDisk: false);
                FileSync.FlushData(f.SafeFileHandle, temp);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        FileSync.FlushFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
}

namespace Aknn.Embedded.Storage;

/// <summary>
/// Reads a whole file while another process may hold it open for writing or delete it (a writer
/// next to a read-only reader). <see cref="File.ReadAllBytes"/> refuses to share write access on Windows.
/// </summary>
internal static class SharedRead
{
    public static byte[] AllBytes(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        long length = f.Length;
        if (length > Array.MaxLength)
            throw new IOException($"'{path}' is {length} bytes long, more than one read can hold.");
        var bytes = new byte[length];
        f.ReadExactly(bytes);
        return bytes;
    }
}

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Aknn.Perf;

/// <summary>The few libc calls the harness needs (Linux).</summary>
internal static partial class Native
{
    private const int PosixFadvDontNeed = 4;

    /// <summary>fdatasync on Linux, the runtime's full flush elsewhere.</summary>
    public static void FlushData(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }
        if (fdatasync((int)handle.DangerousGetHandle()) != 0)
            throw new IOException($"fdatasync failed with errno {Marshal.GetLastPInvokeError()}.");
    }

    /// <summary>
    /// Asks the kernel to drop the cached pages of every file in <paramref name="folder"/>, so that
    /// the next read comes from the disk. Returns false where that is not possible.
    /// </summary>
    public static bool DropFromPageCache(string folder)
    {
        if (!OperatingSystem.IsLinux()) return false;
        bool all = true;
        foreach (string path in Directory.EnumerateFiles(folder)) all &= DropFileFromPageCache(path);
        return all;
    }

    /// <summary>Asks the kernel to drop one file's cached pages; false where that is not possible.</summary>
    public static bool DropFileFromPageCache(string path)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return posix_fadvise((int)handle.DangerousGetHandle(), 0, 0, PosixFadvDontNeed) == 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(int fd);

    [LibraryImport("libc")]
    private static partial int posix_fadvise(int fd, long offset, long length, int advice);
}

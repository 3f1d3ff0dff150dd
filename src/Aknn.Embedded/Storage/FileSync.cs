using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Aknn.Embedded.Storage;

/// <summary>Flushes files and folders to stable storage.</summary>
internal static partial class FileSync
{
    /// <summary>
    /// Makes the file's data durable. On Linux this is fdatasync (the file's size is data, so an
    /// append is covered); elsewhere the runtime's full flush.
    /// </summary>
    public static void FlushData(SafeFileHandle handle, string path)
    {
        if (OperatingSystem.IsLinux())
        {
            bool added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                if (fdatasync((int)handle.DangerousGetHandle()) != 0)
                    throw new IOException($"fdatasync of '{path}' failed with errno {Marshal.GetLastPInvokeError()}.");
            }
            finally
            {
                if (added) handle.DangerousRelease();
            }
        }
        else
        {
            RandomAccess.FlushToDisk(handle);
        }
    }

    /// <summary>
    /// Makes a rename or a new file inside <paramref name="folder"/> durable by syncing the folder
    /// itself (POSIX). Windows has no folder handle to sync; NTFS journals the rename.
    /// </summary>
    public static void FlushFolder(string folder)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = open(folder, 0 /* O_RDONLY */);
        if (fd < 0) return; // some filesystems refuse; the data files themselves are already synced
        try { fsync(fd); }
        finally { close(fd); }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}

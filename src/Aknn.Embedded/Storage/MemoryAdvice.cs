using System.Runtime.InteropServices;

namespace Aknn.Embedded.Storage;

/// <summary>Access-pattern hints for memory-mapped files and large in-memory tables (madvise on Linux; ignored elsewhere).</summary>
internal static partial class MemoryAdvice
{
    public const int Normal = 0;     // MADV_NORMAL: default read-ahead
    public const int Random = 1;     // MADV_RANDOM: read only the touched pages
    public const int HugePage = 14;  // MADV_HUGEPAGE: back the range with 2 MB pages where the kernel allows (THP "madvise" mode)

    public static unsafe void Apply(byte* start, long length, int advice)
    {
        if (!OperatingSystem.IsLinux() || length <= 0) return;
        long page = Environment.SystemPageSize;
        long aligned = (long)start & ~(page - 1); // madvise wants a page-aligned start
        _ = madvise((nint)aligned, (nuint)(length + ((long)start - aligned)), advice); // a hint: failure is harmless
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int madvise(nint address, nuint length, int advice);
}

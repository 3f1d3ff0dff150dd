using System.Runtime.InteropServices;

namespace Aknn.Embedded.Storage;

/// <summary>Access-pattern hints for memory-mapped files and large in-memory tables (madvise on Linux; ignored elsewhere).</summary>
internal static partial class MemoryAdvice
{
    public const int Normal = 0;     // MADV_NORMAL: default read-ahead
    public const int Random = 1;     // MADV_RANDOM: read only the touched pages
    private const int HugePage = 14; // MADV_HUGEPAGE: back the range with 2 MB pages where the kernel allows (THP "madvise" mode)

    /// <summary>The size of a transparent huge page on x64 and arm64 Linux.</summary>
    public const long HugePageBytes = 2 << 20;

    /// <summary>
    /// Below this size an in-memory table is not worth huge pages: rounding it to whole 2 MB pages
    /// would waste more than its few TLB misses cost.
    /// </summary>
    public const long HugePageMinBytes = 4 * HugePageBytes;

    /// <summary>
    /// Advises the whole 2 MB pages inside [<paramref name="start"/>, start + <paramref name="length"/>)
    /// for transparent huge pages; call it before the range is first touched, so the faults that
    /// follow bring in huge pages.
    /// </summary>
    public static unsafe void AdviseHugePages(byte* start, long length)
    {
        long first = ((long)start + HugePageBytes - 1) & ~(HugePageBytes - 1), end = ((long)start + length) & ~(HugePageBytes - 1);
        if (end > first) Apply((byte*)first, end - first, HugePage);
    }

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

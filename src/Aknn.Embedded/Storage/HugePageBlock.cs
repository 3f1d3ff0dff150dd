using System.Runtime.InteropServices;

namespace Aknn.Embedded.Storage;

/// <summary>
/// A block of native memory aligned to 2 MB and advised for transparent huge pages, for in-memory
/// tables that searches read at random rows (the compact vector copy): with 4 KB pages nearly every
/// row read there is also a TLB miss, which software prefetch does not hide; with 2 MB pages a few
/// dozen TLB entries cover the whole table. Where the kernel does not grant huge pages the block is
/// ordinary memory, and so are blocks under <see cref="MemoryAdvice.HugePageMinBytes"/>. Freed by
/// <see cref="Dispose"/> or, failing that, by the finalizer.
/// </summary>
internal sealed unsafe class HugePageBlock : IDisposable
{
    private const nuint Alignment = (nuint)MemoryAdvice.HugePageBytes;

    private byte* _start;
    private readonly bool _aligned;
    private readonly long _pressure;

    /// <summary>Allocates <paramref name="length"/> zeroed bytes.</summary>
    public HugePageBlock(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        Length = length;
        // A small block (a small segment's copy) is a plain allocation, not rounded up to 2 MB pages.
        if (length < MemoryAdvice.HugePageMinBytes)
        {
            _start = (byte*)NativeMemory.AllocZeroed((nuint)length);
            _pressure = length;
        }
        else
        {
            // Rounded up to whole huge pages, so the last one can be a huge page too.
            nuint rounded = ((nuint)length + Alignment - 1) & ~(Alignment - 1);
            _start = (byte*)NativeMemory.AlignedAlloc(rounded, Alignment);
            _aligned = true;
            MemoryAdvice.AdviseHugePages(_start, (long)rounded);
            NativeMemory.Clear(_start, rounded);
            _pressure = (long)rounded;
        }
        GC.AddMemoryPressure(_pressure);
    }

    /// <summary>The usable length in bytes.</summary>
    public long Length { get; }

    /// <summary>The first byte (valid until the block is disposed).</summary>
    public byte* Start => _start != null ? _start : throw new ObjectDisposedException(nameof(HugePageBlock));

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~HugePageBlock() => Free();

    private void Free()
    {
        if (_start == null) return;
        if (_aligned) NativeMemory.AlignedFree(_start);
        else NativeMemory.Free(_start);
        _start = null;
        GC.RemoveMemoryPressure(_pressure);
    }
}

using System.Runtime.InteropServices;

namespace Aknn.Embedded.Compute.OpenCl;

/// <summary>
/// Owns one reference to an OpenCL object and releases it with the matching <c>clRelease*</c>
/// call when disposed or finalised. Created only from a non-null handle that a <c>clCreate*</c>
/// call returned with CL_SUCCESS.
/// </summary>
internal abstract class ClHandle : SafeHandle
{
    protected ClHandle(nint handle) : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    /// <summary>The raw handle for a native call; valid while this object is alive and not disposed.</summary>
    public nint Raw => IsClosed ? throw new ObjectDisposedException(GetType().Name) : handle;
}

/// <summary>An OpenCL context (<c>cl_context</c>).</summary>
internal sealed class ClContext(nint handle) : ClHandle(handle)
{
    protected override bool ReleaseHandle() => OpenClNative.clReleaseContext(handle) == OpenClNative.CL_SUCCESS;
}

/// <summary>An in-order command queue (<c>cl_command_queue</c>).</summary>
internal sealed class ClQueue(nint handle) : ClHandle(handle)
{
    protected override bool ReleaseHandle() => OpenClNative.clReleaseCommandQueue(handle) == OpenClNative.CL_SUCCESS;
}

/// <summary>A built program (<c>cl_program</c>).</summary>
internal sealed class ClProgram(nint handle) : ClHandle(handle)
{
    protected override bool ReleaseHandle() => OpenClNative.clReleaseProgram(handle) == OpenClNative.CL_SUCCESS;
}

/// <summary>A kernel of a built program (<c>cl_kernel</c>). Setting its arguments is not thread-safe: callers serialise.</summary>
internal sealed class ClKernel(nint handle) : ClHandle(handle)
{
    protected override bool ReleaseHandle() => OpenClNative.clReleaseKernel(handle) == OpenClNative.CL_SUCCESS;
}

/// <summary>A device buffer (<c>cl_mem</c>) with its size; counts the live buffers of the process.</summary>
internal sealed class ClBuffer : ClHandle
{
    private static long s_live;

    public ClBuffer(nint handle, long bytes) : base(handle)
    {
        Bytes = bytes;
        Interlocked.Increment(ref s_live);
    }

    /// <summary>The buffer's size in bytes.</summary>
    public long Bytes { get; }

    /// <summary>Device buffers currently allocated by this process (all indexes).</summary>
    public static long Live => Interlocked.Read(ref s_live);

    protected override bool ReleaseHandle()
    {
        Interlocked.Decrement(ref s_live);
        return OpenClNative.clReleaseMemObject(handle) == OpenClNative.CL_SUCCESS;
    }
}

using System.Reflection;
using System.Runtime.InteropServices;

namespace Aknn.Embedded.Compute.OpenCl;

/// <summary>
/// The OpenCL 1.2 entry points the back end calls, bound with <c>[LibraryImport]</c> to the ICD
/// loader: <c>libOpenCL.so.1</c> on Linux, <c>OpenCL.dll</c> on Windows, the OpenCL framework on
/// macOS. The library is located by <see cref="TryLoad"/>, which a resolver then hands to every
/// import, so a missing runtime is found once, up front, and reported instead of thrown.
/// </summary>
/// <remarks>
/// Handles of OpenCL objects cross this boundary as <see cref="nint"/> and are wrapped at once into
/// the <see cref="ClHandle"/> types, which release them; platform and device ids are not reference
/// counted by OpenCL and stay plain values.
/// </remarks>
internal static unsafe partial class OpenClNative
{
    private const string Library = "AknnOpenCL";

    // Error codes and constants from cl.h (OpenCL 1.2).
    public const int CL_SUCCESS = 0;
    public const int CL_DEVICE_NOT_FOUND = -1;
    public const int CL_MEM_OBJECT_ALLOCATION_FAILURE = -4;
    public const int CL_OUT_OF_RESOURCES = -5;
    public const int CL_OUT_OF_HOST_MEMORY = -6;
    public const int CL_BUILD_PROGRAM_FAILURE = -11;
    public const int CL_PLATFORM_NOT_FOUND_KHR = -1001;

    public const ulong CL_DEVICE_TYPE_CPU = 1 << 1;
    public const ulong CL_DEVICE_TYPE_GPU = 1 << 2;
    public const ulong CL_DEVICE_TYPE_ACCELERATOR = 1 << 3;
    public const ulong CL_DEVICE_TYPE_ALL = 0xFFFFFFFF;

    public const uint CL_DEVICE_TYPE = 0x1000;
    public const uint CL_DEVICE_MAX_COMPUTE_UNITS = 0x1002;
    public const uint CL_DEVICE_MAX_WORK_GROUP_SIZE = 0x1004;
    public const uint CL_DEVICE_GLOBAL_MEM_SIZE = 0x101F;
    public const uint CL_DEVICE_MAX_MEM_ALLOC_SIZE = 0x1010;
    public const uint CL_DEVICE_NAME = 0x102B;
    public const uint CL_DEVICE_VENDOR = 0x102C;
    public const uint CL_DEVICE_VERSION = 0x102F;
    public const uint CL_PLATFORM_NAME = 0x0902;
    public const uint CL_PROGRAM_BUILD_LOG = 0x1183;

    public const ulong CL_MEM_READ_WRITE = 1 << 0;
    public const ulong CL_MEM_WRITE_ONLY = 1 << 1;
    public const ulong CL_MEM_READ_ONLY = 1 << 2;

    private static nint s_handle;
    private static int s_resolverSet;

    /// <summary>
    /// Loads the first of <paramref name="names"/> that the system can load and routes the imports
    /// to it. Only the first successful load routes the imports; later calls only tell whether a
    /// library loads.
    /// </summary>
    /// <returns>Null on success, otherwise why no library loaded.</returns>
    public static string? TryLoad(IReadOnlyList<string> names, out nint handle)
    {
        handle = 0;
        foreach (string name in names)
        {
            if (NativeLibrary.TryLoad(name, out handle)) break;
        }
        if (handle == 0)
            return $"no OpenCL runtime: none of {string.Join(", ", names.Select(n => "'" + n + "'"))} could be loaded (install a GPU driver, or PoCL on Linux: apt-get install pocl-opencl-icd ocl-icd-libopencl1)";
        if (Interlocked.CompareExchange(ref s_handle, handle, 0) == 0 && Interlocked.Exchange(ref s_resolverSet, 1) == 0)
            NativeLibrary.SetDllImportResolver(typeof(OpenClNative).Assembly, Resolve);
        return null;
    }

    /// <summary>Whether the imports are routed to a loaded library.</summary>
    public static bool IsBound => Volatile.Read(ref s_handle) != 0;

    /// <summary>The library names tried by default on this operating system.</summary>
    public static string[] DefaultNames() =>
        OperatingSystem.IsWindows() ? ["OpenCL.dll"]
        : OperatingSystem.IsMacOS() ? ["/System/Library/Frameworks/OpenCL.framework/OpenCL"]
        : ["libOpenCL.so.1", "libOpenCL.so"];

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == Library ? Volatile.Read(ref s_handle) : 0;

    [LibraryImport(Library)]
    public static partial int clGetPlatformIDs(uint numEntries, nint* platforms, uint* numPlatforms);

    [LibraryImport(Library)]
    public static partial int clGetPlatformInfo(nint platform, uint param, nuint size, void* value, nuint* sizeRet);

    [LibraryImport(Library)]
    public static partial int clGetDeviceIDs(nint platform, ulong deviceType, uint numEntries, nint* devices, uint* numDevices);

    [LibraryImport(Library)]
    public static partial int clGetDeviceInfo(nint device, uint param, nuint size, void* value, nuint* sizeRet);

    [LibraryImport(Library)]
    public static partial nint clCreateContext(nint* properties, uint numDevices, nint* devices, nint notify, nint userData, int* errcode);

    [LibraryImport(Library)]
    public static partial nint clCreateCommandQueue(nint context, nint device, ulong properties, int* errcode);

    [LibraryImport(Library)]
    public static partial nint clCreateProgramWithSource(nint context, uint count, byte** strings, nuint* lengths, int* errcode);

    [LibraryImport(Library)]
    public static partial int clBuildProgram(nint program, uint numDevices, nint* devices, byte* options, nint notify, nint userData);

    [LibraryImport(Library)]
    public static partial int clGetProgramBuildInfo(nint program, nint device, uint param, nuint size, void* value, nuint* sizeRet);

    [LibraryImport(Library)]
    public static partial nint clCreateKernel(nint program, byte* name, int* errcode);

    [LibraryImport(Library)]
    public static partial int clSetKernelArg(nint kernel, uint index, nuint size, void* value);

    [LibraryImport(Library)]
    public static partial nint clCreateBuffer(nint context, ulong flags, nuint size, void* hostPtr, int* errcode);

    [LibraryImport(Library)]
    public static partial int clEnqueueWriteBuffer(nint queue, nint buffer, uint blocking, nuint offset, nuint size, void* ptr, uint numEvents, nint* waitList, nint* evt);

    [LibraryImport(Library)]
    public static partial int clEnqueueReadBuffer(nint queue, nint buffer, uint blocking, nuint offset, nuint size, void* ptr, uint numEvents, nint* waitList, nint* evt);

    [LibraryImport(Library)]
    public static partial int clEnqueueNDRangeKernel(nint queue, nint kernel, uint workDim, nuint* globalOffset, nuint* globalSize, nuint* localSize, uint numEvents, nint* waitList, nint* evt);

    [LibraryImport(Library)]
    public static partial int clFinish(nint queue);

    [LibraryImport(Library)]
    public static partial int clReleaseMemObject(nint mem);

    [LibraryImport(Library)]
    public static partial int clReleaseKernel(nint kernel);

    [LibraryImport(Library)]
    public static partial int clReleaseProgram(nint program);

    [LibraryImport(Library)]
    public static partial int clReleaseCommandQueue(nint queue);

    [LibraryImport(Library)]
    public static partial int clReleaseContext(nint context);

    /// <summary>An OpenCL error code by its cl.h name, for messages.</summary>
    public static string ErrorName(int code) => code switch
    {
        0 => "CL_SUCCESS",
        -1 => "CL_DEVICE_NOT_FOUND",
        -2 => "CL_DEVICE_NOT_AVAILABLE",
        -3 => "CL_COMPILER_NOT_AVAILABLE",
        -4 => "CL_MEM_OBJECT_ALLOCATION_FAILURE",
        -5 => "CL_OUT_OF_RESOURCES",
        -6 => "CL_OUT_OF_HOST_MEMORY",
        -11 => "CL_BUILD_PROGRAM_FAILURE",
        -30 => "CL_INVALID_VALUE",
        -34 => "CL_INVALID_CONTEXT",
        -36 => "CL_INVALID_COMMAND_QUEUE",
        -38 => "CL_INVALID_MEM_OBJECT",
        -46 => "CL_INVALID_KERNEL_NAME",
        -48 => "CL_INVALID_KERNEL",
        -49 => "CL_INVALID_ARG_INDEX",
        -50 => "CL_INVALID_ARG_VALUE",
        -51 => "CL_INVALID_ARG_SIZE",
        -52 => "CL_INVALID_KERNEL_ARGS",
        -54 => "CL_INVALID_WORK_GROUP_SIZE",
        -61 => "CL_INVALID_BUFFER_SIZE",
        -1001 => "CL_PLATFORM_NOT_FOUND_KHR",
        _ => "OpenCL error " + code,
    };
}

/// <summary>An OpenCL call failed; the message names the call and the error code.</summary>
internal sealed class OpenClException(string call, int code)
    : Exception($"{call} failed with {OpenClNative.ErrorName(code)} ({code}).")
{
    /// <summary>The OpenCL error code.</summary>
    public int Code { get; } = code;

    /// <summary>Whether the device ran out of memory (the caller may fall back to the CPU).</summary>
    public bool IsOutOfMemory => Code is OpenClNative.CL_MEM_OBJECT_ALLOCATION_FAILURE or OpenClNative.CL_OUT_OF_RESOURCES or OpenClNative.CL_OUT_OF_HOST_MEMORY;

    /// <summary>Throws when <paramref name="code"/> is not CL_SUCCESS.</summary>
    public static void Check(int code, string call)
    {
        if (code != OpenClNative.CL_SUCCESS) throw new OpenClException(call, code);
    }
}

using System.Text;
using static Aknn.Embedded.Compute.OpenCl.OpenClNative;

namespace Aknn.Embedded.Compute.OpenCl;

/// <summary>
/// The process's OpenCL device: found once (library, platforms, devices), then, on first use,
/// given a context, an in-order queue and the kernels of <c>DeviceSource/aknn.cl</c> (OpenCL C, compiled by the driver at run time) built for it.
/// Every index of the process shares it; <see cref="Sync"/> serialises the commands, because a
/// kernel's arguments are state on the kernel object.
/// </summary>
internal sealed unsafe class OpenClRuntime : IDisposable
{
    /// <summary>Entries each work-item of a top-k kernel keeps (the kernels' <c>AKNN_P</c>).</summary>
    public const int PartialK = 16;

    /// <summary>Environment variable that picks the OpenCL device whose name contains its value.</summary>
    public const string DeviceVariable = "AKNN_OPENCL_DEVICE";

    private static readonly Lazy<OpenClRuntime> s_shared = new(() => Discover(DefaultNames(), Environment.GetEnvironmentVariable(DeviceVariable)));

    /// <summary>The process-wide runtime (discovered on first access; nothing is built yet).</summary>
    public static OpenClRuntime Shared => s_shared.Value;

    private readonly object _buildLock = new();
    private nint _platform;
    private nint _device;
    private ClContext? _context;
    private ClQueue? _queue;
    private ClProgram? _program;
    private bool _built;
    private string? _buildError;

    private OpenClRuntime() { }

    /// <summary>Why no device can be used; null when one was found (building may still fail, see <see cref="EnsureBuilt"/>).</summary>
    public string? Unavailable { get; private set; }

    /// <summary>The chosen device's name, with its platform ("NVIDIA H100 80GB HBM3 (NVIDIA CUDA)").</summary>
    public string? DeviceName { get; private set; }

    /// <summary>The chosen device's OpenCL type: CPU (for example PoCL), GPU or accelerator.</summary>
    public ulong DeviceType { get; private set; }

    /// <summary>Whether the device is a GPU or an accelerator rather than a CPU.</summary>
    public bool IsGpu => (DeviceType & (CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR)) != 0;

    /// <summary>Largest single buffer the device allows, in bytes.</summary>
    public long MaxAllocation { get; private set; }

    /// <summary>The device's global memory, in bytes.</summary>
    public long GlobalMemory { get; private set; }

    /// <summary>Held while commands are enqueued and their results read.</summary>
    public object Sync { get; } = new();

    public ClContext Context => _context ?? throw new InvalidOperationException("The OpenCL runtime is not built.");
    public ClQueue Queue => _queue ?? throw new InvalidOperationException("The OpenCL runtime is not built.");

    public ClKernel FloatTopK { get; private set; } = null!;
    public ClKernel CodeTopK { get; private set; } = null!;
    public ClKernel FloatRadius { get; private set; } = null!;
    public ClKernel CodeRadius { get; private set; } = null!;

    /// <summary>A 16-byte buffer passed where a kernel's optional buffer (the norms) is unused.</summary>
    public ClBuffer Dummy { get; private set; } = null!;

    /// <summary>
    /// Loads the first loadable library of <paramref name="libraryNames"/>, lists every device of
    /// every platform and picks one: the first whose name contains <paramref name="deviceFilter"/>
    /// when given, otherwise the first GPU, then accelerator, then CPU. Never throws: a failure is
    /// kept in <see cref="Unavailable"/>.
    /// </summary>
    public static OpenClRuntime Discover(IReadOnlyList<string> libraryNames, string? deviceFilter)
    {
        var rt = new OpenClRuntime();
        try
        {
            string? why = TryLoad(libraryNames, out _);
            if (why is not null)
            {
                rt.Unavailable = why;
                return rt;
            }
            rt.PickDevice(deviceFilter);
        }
        catch (Exception e) when (e is OpenClException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            rt.Unavailable = "the OpenCL runtime could not be queried: " + e.Message;
        }
        return rt;
    }

    private void PickDevice(string? filter)
    {
        uint platforms;
        int rc = clGetPlatformIDs(0, null, &platforms);
        if (rc == CL_PLATFORM_NOT_FOUND_KHR || (rc == CL_SUCCESS && platforms == 0))
        {
            Unavailable = "no OpenCL device: the OpenCL loader found no platform (no ICD is installed; on Linux, apt-get install pocl-opencl-icd for the CPU or a GPU driver)";
            return;
        }
        OpenClException.Check(rc, "clGetPlatformIDs");
        var ids = new nint[platforms];
        fixed (nint* p = ids) OpenClException.Check(clGetPlatformIDs(platforms, p, null), "clGetPlatformIDs");

        var found = new List<(nint Platform, nint Device, ulong Type, string Name)>();
        foreach (nint platform in ids)
        {
            uint count;
            rc = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, &count);
            if (rc == CL_DEVICE_NOT_FOUND || count == 0) continue;
            OpenClException.Check(rc, "clGetDeviceIDs");
            var devices = new nint[count];
            fixed (nint* d = devices) OpenClException.Check(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, count, d, null), "clGetDeviceIDs");
            string platformName = PlatformString(platform, CL_PLATFORM_NAME);
            foreach (nint device in devices)
                found.Add((platform, device, DeviceULong(device, CL_DEVICE_TYPE), $"{DeviceString(device, CL_DEVICE_NAME)} ({platformName})"));
        }
        if (found.Count == 0)
        {
            Unavailable = "no OpenCL device: the installed OpenCL platforms list no device";
            return;
        }
        (nint Platform, nint Device, ulong Type, string Name)? pick = null;
        if (!string.IsNullOrWhiteSpace(filter))
        {
            pick = found.FirstOrDefault(f => f.Name.Contains(filter, StringComparison.OrdinalIgnoreCase));
            if (pick.Value.Device == 0)
            {
                Unavailable = $"no OpenCL device: {DeviceVariable}='{filter}' matches none of {string.Join("; ", found.Select(f => f.Name))}";
                return;
            }
        }
        pick ??= found.OrderBy(f => (f.Type & CL_DEVICE_TYPE_GPU) != 0 ? 0 : (f.Type & CL_DEVICE_TYPE_ACCELERATOR) != 0 ? 1 : 2).First();
        _platform = pick.Value.Platform;
        _device = pick.Value.Device;
        DeviceType = pick.Value.Type;
        DeviceName = pick.Value.Name;
        MaxAllocation = (long)DeviceULong(_device, CL_DEVICE_MAX_MEM_ALLOC_SIZE);
        GlobalMemory = (long)DeviceULong(_device, CL_DEVICE_GLOBAL_MEM_SIZE);
    }

    /// <summary>
    /// Creates the context and queue and builds the kernels, once; later calls return the first
    /// outcome. Returns null when the runtime is ready, otherwise why it is not (including the
    /// compiler's log when the build fails).
    /// </summary>
    public string? EnsureBuilt()
    {
        if (Unavailable is not null) return Unavailable;
        lock (_buildLock)
        {
            if (_built) return _buildError;
            try
            {
                Build();
            }
            catch (OpenClException e)
            {
                _buildError = $"the OpenCL device {DeviceName} could not be set up: {e.Message}";
                DisposeObjects();
            }
            _built = true;
            return _buildError;
        }
    }

    private void Build()
    {
        int err;
        nint device = _device;
        nint* props = stackalloc nint[3] { 0x1084 /* CL_CONTEXT_PLATFORM */, _platform, 0 };
        nint ctx = clCreateContext(props, 1, &device, 0, 0, &err);
        OpenClException.Check(err, "clCreateContext");
        _context = new ClContext(ctx);
        nint queue = clCreateCommandQueue(ctx, device, 0, &err);
        OpenClException.Check(err, "clCreateCommandQueue");
        _queue = new ClQueue(queue);

        byte[] source = KernelSource();
        nint program;
        fixed (byte* s = source)
        {
            byte* strings = s;
            nuint length = (nuint)source.Length;
            program = clCreateProgramWithSource(ctx, 1, &strings, &length, &err);
        }
        OpenClException.Check(err, "clCreateProgramWithSource");
        _program = new ClProgram(program);
        byte[] options = Encoding.ASCII.GetBytes($"-D AKNN_P={PartialK}\0");
        fixed (byte* o = options) err = clBuildProgram(program, 1, &device, o, 0, 0);
        if (err != CL_SUCCESS)
        {
            string log = BuildLog(program, device);
            throw new OpenClException($"clBuildProgram (compiler log: {log.Trim()})", err);
        }
        FloatTopK = CreateKernel(program, "float_topk");
        CodeTopK = CreateKernel(program, "code_topk");
        FloatRadius = CreateKernel(program, "float_radius");
        CodeRadius = CreateKernel(program, "code_radius");
        Dummy = CreateBuffer(16, CL_MEM_READ_ONLY);
    }

    /// <summary>The kernels' OpenCL C source, an embedded resource of this assembly.</summary>
    internal static byte[] KernelSource()
    {
        using Stream? s = typeof(OpenClRuntime).Assembly.GetManifestResourceStream("Aknn.Embedded.Compute.OpenCl.DeviceSource.aknn.cl")
            ?? throw new InvalidOperationException("The embedded OpenCL kernel source aknn.cl is missing from the assembly; rebuild Aknn.Embedded.");
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    private static ClKernel CreateKernel(nint program, string name)
    {
        int err;
        byte[] utf8 = Encoding.ASCII.GetBytes(name + "\0");
        nint k;
        fixed (byte* n = utf8) k = clCreateKernel(program, n, &err);
        OpenClException.Check(err, "clCreateKernel(" + name + ")");
        return new ClKernel(k);
    }

    /// <summary>Allocates a device buffer; throws <see cref="OpenClException"/> (out of memory among others).</summary>
    public ClBuffer CreateBuffer(long bytes, ulong flags)
    {
        int err;
        nint mem = clCreateBuffer(Context.Raw, flags, (nuint)Math.Max(bytes, 4), null, &err);
        OpenClException.Check(err, "clCreateBuffer");
        return new ClBuffer(mem, bytes);
    }

    /// <summary>Copies host memory into a buffer and waits for the copy.</summary>
    public void Write(ClBuffer buffer, void* data, long bytes, long offset = 0)
    {
        if (bytes == 0) return;
        OpenClException.Check(clEnqueueWriteBuffer(Queue.Raw, buffer.Raw, 1, (nuint)offset, (nuint)bytes, data, 0, null, null), "clEnqueueWriteBuffer");
    }

    /// <summary>Copies a buffer's first bytes into host memory, waiting for the queue's earlier commands.</summary>
    public void Read(ClBuffer buffer, void* data, long bytes)
    {
        if (bytes == 0) return;
        OpenClException.Check(clEnqueueReadBuffer(Queue.Raw, buffer.Raw, 1, 0, (nuint)bytes, data, 0, null, null), "clEnqueueReadBuffer");
    }

    public static void SetArg(ClKernel kernel, uint index, ClBuffer buffer)
    {
        nint raw = buffer.Raw;
        OpenClException.Check(clSetKernelArg(kernel.Raw, index, (nuint)sizeof(nint), &raw), "clSetKernelArg");
    }

    public static void SetArg(ClKernel kernel, uint index, int value) =>
        OpenClException.Check(clSetKernelArg(kernel.Raw, index, sizeof(int), &value), "clSetKernelArg");

    /// <summary>Enqueues a kernel over a one- or two-dimensional range (the runtime picks the work-group size).</summary>
    public void Launch(ClKernel kernel, long global0, long global1 = 1)
    {
        nuint* global = stackalloc nuint[2] { (nuint)global0, (nuint)global1 };
        OpenClException.Check(clEnqueueNDRangeKernel(Queue.Raw, kernel.Raw, global1 > 1 ? 2u : 1u, null, global, null, 0, null, null), "clEnqueueNDRangeKernel");
    }

    public void Finish() => OpenClException.Check(clFinish(Queue.Raw), "clFinish");

    private static string BuildLog(nint program, nint device)
    {
        nuint size;
        if (clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, null, &size) != CL_SUCCESS || size == 0) return "(no log)";
        var bytes = new byte[size];
        fixed (byte* b = bytes) clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, size, b, null);
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0');
    }

    private static string DeviceString(nint device, uint param)
    {
        nuint size;
        OpenClException.Check(clGetDeviceInfo(device, param, 0, null, &size), "clGetDeviceInfo");
        var bytes = new byte[size];
        fixed (byte* b = bytes) OpenClException.Check(clGetDeviceInfo(device, param, size, b, null), "clGetDeviceInfo");
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0').Trim();
    }

    private static ulong DeviceULong(nint device, uint param)
    {
        ulong value = 0;
        OpenClException.Check(clGetDeviceInfo(device, param, sizeof(ulong), &value, null), "clGetDeviceInfo");
        return value;
    }

    private static string PlatformString(nint platform, uint param)
    {
        nuint size;
        OpenClException.Check(clGetPlatformInfo(platform, param, 0, null, &size), "clGetPlatformInfo");
        var bytes = new byte[size];
        fixed (byte* b = bytes) OpenClException.Check(clGetPlatformInfo(platform, param, size, b, null), "clGetPlatformInfo");
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0').Trim();
    }

    private void DisposeObjects()
    {
        Dummy?.Dispose();
        FloatTopK?.Dispose();
        CodeTopK?.Dispose();
        FloatRadius?.Dispose();
        CodeRadius?.Dispose();
        _program?.Dispose();
        _queue?.Dispose();
        _context?.Dispose();
    }

    /// <summary>Releases the kernels, program, queue and context.</summary>
    public void Dispose() => DisposeObjects();
}

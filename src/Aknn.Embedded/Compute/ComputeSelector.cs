using Aknn.Embedded.Compute.OpenCl;

namespace Aknn.Embedded.Compute;

/// <summary>
/// Chooses the back end of one index's batch searches, per segment. The OpenCL runtime is looked
/// at only when a batch could use it (never under <see cref="ComputeMode.Cpu"/>, and under
/// <see cref="ComputeMode.Auto"/> only from the size threshold on), so opening an index stays cheap.
/// </summary>
internal sealed class ComputeSelector
{
    /// <summary>The environment variable that overrides <see cref="ComputeMode.Auto"/>.</summary>
    public const string ModeVariable = "AKNN_COMPUTE";

    private readonly Func<OpenClRuntime> _runtime;
    private readonly string _modeReason;
    private readonly object _lock = new();
    private bool _probed;
    private OpenClBackend? _device;
    private OpenClRuntime? _found;
    private string? _why;

    /// <param name="option">The option set on <see cref="IndexOptions"/> or <see cref="OpenOptions"/>.</param>
    /// <param name="environment">The value of <c>AKNN_COMPUTE</c>, or null.</param>
    /// <param name="runtime">Finds the OpenCL runtime (the process's shared one outside tests).</param>
    public ComputeSelector(ComputeMode option, string? environment, Func<OpenClRuntime> runtime)
    {
        _runtime = runtime;
        if (!Enum.IsDefined(option))
            throw new ArgumentOutOfRangeException(nameof(option), option, "Choose ComputeMode.Auto, Cpu or Gpu.");
        if (option != ComputeMode.Auto)
        {
            Mode = option;
            _modeReason = $"ComputeMode.{option} set in the options";
            return;
        }
        string env = environment?.Trim() ?? "";
        (Mode, _modeReason) = env.ToLowerInvariant() switch
        {
            "" or "auto" => (ComputeMode.Auto, "ComputeMode.Auto"),
            "cpu" => (ComputeMode.Cpu, $"{ModeVariable}=cpu"),
            "gpu" => (ComputeMode.Gpu, $"{ModeVariable}=gpu"),
            _ => (ComputeMode.Auto, $"ComputeMode.Auto ({ModeVariable}='{env}' is not cpu, gpu or auto and was ignored)"),
        };
    }

    /// <summary>The mode in force.</summary>
    public ComputeMode Mode { get; }

    /// <summary>The device back end, set up on first need; null when the CPU must serve.</summary>
    public OpenClBackend? Device()
    {
        if (Mode == ComputeMode.Cpu) return null;
        lock (_lock)
        {
            if (_probed) return _device;
            _probed = true;
            try
            {
                OpenClRuntime rt = _runtime();
                _found = rt;
                if (rt.Unavailable is { } missing) _why = missing;
                else if (Mode == ComputeMode.Auto && !rt.IsGpu)
                    _why = $"the OpenCL device {rt.DeviceName} is a CPU, where the SIMD CPU path is faster; set {ModeVariable}=gpu or ComputeMode.Gpu to use it anyway";
                else if (rt.EnsureBuilt() is { } failed) _why = failed;
                else _device = new OpenClBackend(rt);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or OpenClException)
            {
                _why = "the OpenCL runtime failed: " + e.Message;
            }
            return _device;
        }
    }

    /// <summary>The back end for one segment of a batch.</summary>
    /// <param name="rows">Rows of the segment.</param>
    /// <param name="rowBytes">Bytes per row.</param>
    /// <param name="queries">Queries in the batch.</param>
    public IComputeBackend For(long rows, int rowBytes, int queries)
    {
        switch (Mode)
        {
            case ComputeMode.Cpu:
                return CpuBackend.Instance;
            case ComputeMode.Gpu:
                return Device() ?? (IComputeBackend)CpuBackend.Instance;
            default:
                if (rows * rowBytes * queries < ComputeDiagnostics.AutoThresholdBytes) return CpuBackend.Instance;
                return Device() ?? (IComputeBackend)CpuBackend.Instance;
        }
    }

    /// <summary>The diagnostics record; looks for the device if no batch has yet (except under <see cref="ComputeMode.Cpu"/>).</summary>
    public ComputeDiagnostics Diagnostics()
    {
        OpenClBackend? device = Device();
        string reason;
        if (Mode == ComputeMode.Cpu) reason = $"the CPU serves: forced by {_modeReason}";
        else if (device is null) reason = $"the CPU serves ({_modeReason}): {_why}";
        else if (Mode == ComputeMode.Gpu) reason = $"the OpenCL device serves every segment ({_modeReason})";
        else reason = $"the OpenCL GPU serves segments where rows × queries × bytes per row reach {ComputeDiagnostics.AutoThresholdBytes >> 20} MiB, the CPU the rest ({_modeReason})";
        return new ComputeDiagnostics
        {
            Mode = Mode,
            DeviceInUse = device is not null,
            DeviceName = _found?.DeviceName,
            DeviceIsGpu = _found?.IsGpu ?? false,
            Reason = reason,
            DeviceScans = device?.DeviceScans ?? 0,
            HostFallbacks = device?.HostFallbacks ?? 0,
            CpuSegments = device?.CpuSegments ?? 0,
            LastFallbackReason = device?.LastFallbackReason,
        };
    }
}

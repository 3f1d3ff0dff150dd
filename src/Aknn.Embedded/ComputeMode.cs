namespace Aknn.Embedded;

/// <summary>
/// Where the batch searches (<see cref="VectorIndex.SearchBatch"/> and its code and radius
/// variants) compute distances. A runtime setting of <see cref="IndexOptions"/> and
/// <see cref="OpenOptions"/>; it is not stored in the index.
/// </summary>
public enum ComputeMode
{
    /// <summary>
    /// The default: a segment goes to an OpenCL GPU when one is present and the batch is large
    /// enough for the device to win (see <see cref="ComputeDiagnostics.AutoThresholdBytes"/>),
    /// otherwise the SIMD CPU path serves. The environment variable <c>AKNN_COMPUTE</c>
    /// (<c>cpu</c>, <c>gpu</c> or <c>auto</c>) overrides this setting, and only this one.
    /// </summary>
    Auto,

    /// <summary>Always the SIMD CPU path; OpenCL is never loaded.</summary>
    Cpu,

    /// <summary>
    /// Every segment goes to the OpenCL device, whatever the batch size and even when the device
    /// is a CPU (such as PoCL). Where no OpenCL runtime or device exists the CPU serves, and
    /// <see cref="VectorIndex.GetComputeDiagnostics"/> says why: this is never an error.
    /// </summary>
    Gpu,
}

/// <summary>
/// What serves an index's batch searches and why: see <see cref="VectorIndex.GetComputeDiagnostics"/>. The
/// counters cover this <see cref="VectorIndex"/> object since it was opened.
/// </summary>
public sealed record ComputeDiagnostics
{
    /// <summary>Bytes of compared data (rows × queries × bytes per row) from which <see cref="ComputeMode.Auto"/> sends a segment to a GPU.</summary>
    public const long AutoThresholdBytes = 256L << 20;

    /// <summary>The mode in force: the option, or <c>AKNN_COMPUTE</c> where the option is <see cref="ComputeMode.Auto"/>.</summary>
    public required ComputeMode Mode { get; init; }

    /// <summary>Whether an OpenCL device is set up and serves batch searches (all segments under <see cref="ComputeMode.Gpu"/>, large batches under <see cref="ComputeMode.Auto"/>).</summary>
    public required bool DeviceInUse { get; init; }

    /// <summary>The OpenCL device and platform, when one was found (also when it is not used), otherwise null.</summary>
    public string? DeviceName { get; init; }

    /// <summary>Whether that device is a GPU or accelerator (false for a CPU device such as PoCL).</summary>
    public bool DeviceIsGpu { get; init; }

    /// <summary>
    /// In words, why the back end is what it is: the option or environment variable that forced
    /// the CPU, the missing OpenCL library, the absence of a device, the compiler's log when the
    /// kernels did not build, or how <see cref="ComputeMode.Auto"/> decides.
    /// </summary>
    public required string Reason { get; init; }

    /// <summary>Segment scans run on the device (one per segment per batch, or per launch when a batch is split).</summary>
    public long DeviceScans { get; init; }

    /// <summary>Query-and-segment pairs rescanned on the CPU because the device's selection could not be proven complete (many of the nearest rows deleted, filtered out or tied).</summary>
    public long HostFallbacks { get; init; }

    /// <summary>Segment scans the device back end handed to the CPU (K above 1024, a segment too large for the device, an OpenCL error).</summary>
    public long CpuSegments { get; init; }

    /// <summary>Why the last of <see cref="CpuSegments"/> went to the CPU; null when none did.</summary>
    public string? LastFallbackReason { get; init; }
}

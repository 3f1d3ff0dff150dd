using Aknn.Embedded.Compute.OpenCl;

namespace Aknn.Embedded.Tests.Compute;

// xunit 2 has no dynamic skip: whether an OpenCL runtime with a device exists is decided when the
// tests are discovered. Only a missing library or a missing device skips; a device whose kernels
// fail to build makes the tests fail.

/// <summary>Why OpenCL tests cannot run here, or null when a runtime with a device exists.</summary>
internal static class OpenClAvailability
{
    public static string? MissingReason => OpenClRuntime.Shared.Unavailable is { } why
        ? $"no OpenCL runtime (apt-get install pocl-opencl-icd ocl-icd-libopencl1): {why}"
        : null;
}

/// <summary>A fact that runs the OpenCL device path: skipped, with the install command as the reason, where no OpenCL runtime or device exists.</summary>
public sealed class OpenClFactAttribute : FactAttribute
{
    public OpenClFactAttribute()
    {
        if (OpenClAvailability.MissingReason is { } why) Skip = why;
    }
}

/// <summary>A theory that runs the OpenCL device path; see <see cref="OpenClFactAttribute"/>.</summary>
public sealed class OpenClTheoryAttribute : TheoryAttribute
{
    public OpenClTheoryAttribute()
    {
        if (OpenClAvailability.MissingReason is { } why) Skip = why;
    }
}

/// <summary>The tests that use the process's OpenCL device run one at a time (they count its buffers).</summary>
[CollectionDefinition(Name)]
public sealed class OpenClCollection
{
    public const string Name = "OpenCL device";
}

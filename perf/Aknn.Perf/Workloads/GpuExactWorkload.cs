using Aknn.Embedded;
using Aknn.Embedded.Compute.OpenCl;
using CommunityToolkit.HighPerformance;

namespace Aknn.Perf.Workloads;

/// <summary>
/// The OpenCL back end against the CPU back end on the same index: <see cref="VectorIndex.SearchBatch"/>,
/// exact L2 with K = 10, of Q queries (default 200) over N vectors (default 200,000 × 128, the
/// perf data set's clustered Gaussian vectors, in the segments the index seals them into). The CPU
/// back end runs one query per core at a time with the SIMD kernels. <c>qps</c> is Q over the median
/// time of one batch; <c>rows_per_s</c> is Q × N over that time; <c>speedup</c> is the device's rate over the CPU's; <c>device=</c> names the
/// OpenCL device.
/// </summary>
internal static class GpuExactWorkload
{
    public static void Run(PerfContext ctx)
    {
        int n = ctx.Options.N ?? 200_000;
        int dim = ctx.Options.Dim ?? 128;
        int q = ctx.Options.QueryCount ?? 200;
        int runs = ctx.RunsOr(3);
        OpenClRuntime rt = GpuCommon.Runtime(ctx);
        float[] queries = ctx.Store.Queries(q, dim);
        Console.WriteLine($"gpu-exact: {n:N0} x {dim} L2, {q} queries, K = 10, {runs} runs; device {rt.DeviceName ?? "none: " + rt.Unavailable}");
        string folder = IndexBuilder.Ensure(ctx, n, dim);
        using var index = VectorIndex.Open(folder, new OpenOptions { ReadOnly = true, Compute = ComputeMode.Gpu });
        var options = new SearchOptions { K = 10 };
        GpuCommon.Compare(ctx, index, "gpu-exact", n, dim, q, runs, "rows_per_s",
            () => index.SearchBatch(new ReadOnlySpan2D<float>(queries, q, dim), options));
    }
}

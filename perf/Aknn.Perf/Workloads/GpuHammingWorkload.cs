using System.Diagnostics;
using Aknn.Embedded;
using Aknn.Embedded.Compute;
using Aknn.Embedded.Compute.OpenCl;
using Aknn.Embedded.Search;
using Aknn.Embedded.Storage;
using CommunityToolkit.HighPerformance;

namespace Aknn.Perf.Workloads;

/// <summary>
/// The OpenCL back end against the CPU back end on the same index: <see cref="VectorIndex.SearchCodeRadiusBatch"/>
/// of Q codes (default 100) over N codes (default 10,000,000 × 64 bits, one segment, loaded with
/// BulkLoadCodes), radius 8. <c>codes_per_s</c> is Q × N over the median time of one batch; the
/// <c>form=kernel</c> row times the device's radius kernel alone (upload of the queries, the scan,
/// the read-back of the matches), without the host's per-match work. The RESULT lines name the
/// OpenCL device as <c>device=</c>; <c>speedup</c> is the device's rate over the CPU's.
/// </summary>
internal static class GpuHammingWorkload
{
    public static void Run(PerfContext ctx)
    {
        int n = ctx.Options.N ?? 10_000_000;
        int bits = ctx.Options.Bits;
        int words = bits / 64;
        int radius = ctx.Options.Radius;
        int q = ctx.Options.QueryCount ?? 100;
        int runs = ctx.RunsOr(3);
        OpenClRuntime rt = GpuCommon.Runtime(ctx);
        ulong[] codes = ctx.Store.Codes(n, bits);
        ulong[] queries = ctx.Store.CodeQueries(q, n, bits, codes);
        Console.WriteLine($"gpu-hamming: {n:N0} codes of {bits} bits, {q} queries, radius {radius}, {runs} runs; device {rt.DeviceName ?? "none: " + rt.Unavailable}");

        string folder = Path.Combine(ctx.Store.Folder, $"tmp-gpu-hamming-b{bits}-n{n}-s{ctx.Store.Seed}-p{Environment.ProcessId}");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        try
        {
            using var index = VectorIndex.Create(folder, new IndexOptions
            {
                Dimensions = bits, Metric = Metric.Hamming, Model = IndexModel.Exact, Durability = Durability.Manual, Compute = ComputeMode.Gpu,
            });
            long t = Stopwatch.GetTimestamp();
            index.BulkLoadCodes(InsertWorkload.MakeIds(n), new ReadOnlySpan2D<ulong>(codes, n, words));
            ResultPrinter.Note($"loaded in {Stats.MsSince(t) / 1000:F1} s");
            var forms = GpuCommon.Compare(ctx, index, "gpu-hamming", n, bits, q, runs, "codes_per_s",
                () => index.SearchCodeRadiusBatch(new ReadOnlySpan2D<ulong>(queries, q, words), radius));
            if (forms.Device is { } device && rt.Unavailable is null)
            {
                // The kernel alone on the resident segment.
                var prepared = Enumerable.Range(0, q)
                    .Select(i => SearchQuery.Nearest(Metric.Hamming, System.Runtime.InteropServices.MemoryMarshal.AsBytes(queries.AsSpan(i * words, words)), null))
                    .ToArray();
                var times = new List<double>();
                long matches = 0;
                index.WithSnapshot(s =>
                {
                    Segment seg = s.Segments.Items[0];
                    SegmentResidency res = device.Resident(seg)!;
                    for (int r = 0; r <= runs; r++)
                    {
                        long k = Stopwatch.GetTimestamp();
                        lock (rt.Sync) matches = device.LaunchRadius(res, seg, prepared, radius, out _, out _);
                        if (r > 0) times.Add(Stats.MsSince(k));   // the first run warms up
                    }
                    return 0;
                });
                double rate = (double)q * n / (Stats.Median(times) / 1000);
                ctx.Printer.Emit(new ResultRow("aknn-opencl", "gpu-hamming", n, bits)
                    .Add("form", "kernel").Add("device", rt.DeviceName ?? "none").Add("queries", q).Add("radius", radius)
                    .Add("ms", Stats.Median(times)).Add("codes_per_s", rate).Add("matches", matches)
                    .Add("speedup", rate / forms.CpuRate));
            }
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>What the two GPU workloads share: the device choice, and timing one batch on each back end.</summary>
internal static class GpuCommon
{
    /// <summary>The process's OpenCL runtime, with <c>--device</c> applied before it is first looked at.</summary>
    public static OpenClRuntime Runtime(PerfContext ctx)
    {
        if (ctx.Options.Device is { } name) Environment.SetEnvironmentVariable(OpenClRuntime.DeviceVariable, name);
        OpenClRuntime rt = OpenClRuntime.Shared;
        if (rt.Unavailable is null && rt.EnsureBuilt() is { } failed) ResultPrinter.Note("warning: " + failed);
        return rt;
    }

    /// <summary>
    /// Times <paramref name="search"/> <paramref name="runs"/> times (after one warm-up, which also
    /// uploads the segments) under the OpenCL back end and under the CPU back end, checks that both
    /// return the same hits, and prints one RESULT line per back end.
    /// </summary>
    public static (OpenClBackend? Device, double CpuRate) Compare(PerfContext ctx, VectorIndex index, string workload, int n, int dim, int q, int runs,
        string rateKey, Func<IReadOnlyList<IReadOnlyList<Hit>>> search)
    {
        OpenClRuntime rt = OpenClRuntime.Shared;
        var results = new Dictionary<string, (double Ms, IReadOnlyList<IReadOnlyList<Hit>> Hits)>();
        OpenClBackend? device = null;
        foreach (ComputeMode mode in new[] { ComputeMode.Gpu, ComputeMode.Cpu })
        {
            var selector = new ComputeSelector(mode, null, () => rt);
            index.ComputeSelector = selector;
            if (mode == ComputeMode.Gpu)
            {
                device = selector.Device();
                if (device is null)
                {
                    ResultPrinter.Note($"no OpenCL device: {selector.Diagnostics().Reason}");
                    continue;
                }
            }
            IReadOnlyList<IReadOnlyList<Hit>> hits = search();   // warm-up (and upload)
            var times = new List<double>();
            for (int r = 0; r < runs; r++)
            {
                Stats.Settle();
                long t = Stopwatch.GetTimestamp();
                hits = search();
                times.Add(Stats.MsSince(t));
            }
            results[mode == ComputeMode.Gpu ? "opencl" : "cpu"] = (Stats.Median(times), hits);
            if (mode == ComputeMode.Gpu)
            {
                ComputeDiagnostics d = index.GetComputeDiagnostics();
                ResultPrinter.Note($"device scans {d.DeviceScans}, host rescans {d.HostFallbacks}, segments sent to the CPU {d.CpuSegments}");
            }
        }
        double cpuMs = results["cpu"].Ms;
        double cpuRate = (double)q * n / (cpuMs / 1000);
        bool same = !results.TryGetValue("opencl", out var gpu) || Same(gpu.Hits, results["cpu"].Hits);
        long matches = results["cpu"].Hits.Sum(h => (long)h.Count);
        foreach (var (name, (ms, _)) in results)
        {
            var row = new ResultRow("aknn-" + name, workload, n, dim)
                .Add("form", "batch").Add("device", name == "opencl" ? rt.DeviceName ?? "none" : "cpu-simd")
                .Add("queries", q).Add("runs", runs).Add("threads", Environment.ProcessorCount)
                .Add("ms", ms).Add("qps", q / (ms / 1000)).Add(rateKey, (double)q * n / (ms / 1000))
                .Add("speedup", cpuMs / ms).Add("hits", matches).Add("identical", same ? "yes" : "NO")
                .Add("loadavg", Stats.LoadAverage());
            ctx.Printer.Emit(row);
        }
        if (!same) ResultPrinter.Note("warning: the OpenCL and CPU back ends returned different hits");
        return (device, cpuRate);
    }

    private static bool Same(IReadOnlyList<IReadOnlyList<Hit>> a, IReadOnlyList<IReadOnlyList<Hit>> b)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i].Count != b[i].Count) return false;
            for (int j = 0; j < a[i].Count; j++)
                if (a[i][j].Id != b[i][j].Id || !a[i][j].Distance.Equals(b[i][j].Distance)) return false;
        }
        return true;
    }
}

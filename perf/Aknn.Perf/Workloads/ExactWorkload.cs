using System.Diagnostics;
using System.Globalization;
using Aknn.Embedded;
using Aknn.Perf.Data;
using Aknn.Perf.Peers;

namespace Aknn.Perf.Workloads;

/// <summary>
/// Exact K=10 search, one query per call on one thread. Latency is compared with the time one
/// thread needs just to read the same vectors from memory, and with FAISS's IndexFlatL2 on the same
/// files. The machine is shared, so its bandwidth moves while the workload runs: the read time used
/// for <c>ratio_to_read</c> is measured interleaved with searches (see <see cref="Paired"/>);
/// <c>ratio_to_1gib_read</c> uses the bandwidth workload's 1 GiB figure instead.
/// </summary>
internal static class ExactWorkload
{
    private const double TargetRatio = 1.15;
    private const int Warmup = 20;

    /// <summary>Warm-up lasts at least this long, so that the JIT's optimised tier is in place before timing.</summary>
    private const double WarmupMs = 1500;

    public static void Run(PerfContext ctx)
    {
        var sizes = ctx.Options.N is null && ctx.Options.Dim is null
            ? new[] { (200_000, 128), (1_000_000, 25) }
            : [(ctx.Options.N ?? 200_000, ctx.Options.Dim ?? 128)];
        foreach (var (n, dim) in sizes) One(ctx, n, dim);
    }

    /// <summary>
    /// Paired diagnostics, immune to the machine's load changing between measurements: for each of
    /// <paramref name="count"/> queries, one search, then one pass of the library's own batch kernel
    /// (<c>FloatKernels.SquaredL2Batch</c>, in the blocks exact search uses) over the same vectors held
    /// in a managed array, then one plain read (sum) of those vectors. Returns the medians of the
    /// kernel pass, of the read, and of the per-query ratio search / read.
    /// </summary>
    private static (double KernelMs, double ReadMs, double Ratio) Paired(VectorIndex index, float[] rows, float[] queries, int dim, int count)
    {
        int n = rows.Length / dim;
        int blockRows = Math.Clamp(32768 / (dim * sizeof(float)), 8, 1024);
        var distances = new float[blockRows];
        var options = new SearchOptions { K = DataStore.K };
        var kernel = new List<double>();
        var read = new List<double>();
        var ratio = new List<double>();
        float sink = 0;
        long warm = Stopwatch.GetTimestamp();
        for (int i = 0, measured = 0; measured < count; i++)
        {
            ReadOnlySpan<float> query = queries.AsSpan(i % count * dim, dim);
            long t = Stopwatch.GetTimestamp();
            index.Search(query, options);
            double searchMs = Stats.MsSince(t);
            t = Stopwatch.GetTimestamp();
            for (int start = 0; start < n; start += blockRows)
            {
                int b = Math.Min(blockRows, n - start);
                Embedded.Kernels.FloatKernels.SquaredL2Batch(query, rows.AsSpan(start * dim, b * dim), distances.AsSpan(0, b));
                sink += distances[0];
            }
            double kernelMs = Stats.MsSince(t);
            t = Stopwatch.GetTimestamp();
            sink += BandwidthWorkload.SumFloats(rows);
            double readMs = Stats.MsSince(t);
            if (i < 5 || Stats.MsSince(warm) < WarmupMs) continue; // warm-up
            measured++;
            kernel.Add(kernelMs);
            read.Add(readMs);
            ratio.Add(searchMs / readMs);
        }
        GC.KeepAlive(sink);
        return (Stats.Median(kernel), Stats.Median(read), Stats.Median(ratio));
    }

    private static void One(PerfContext ctx, int n, int dim)
    {
        int q = ctx.Options.Queries;
        int rounds = ctx.RunsOr(3);
        float[] rows = ctx.Store.Base(n, dim);
        float[] queries = ctx.Store.Queries(q, dim);
        int[] truth = ctx.Store.Truth(n, dim, rows, queries);
        string folder = IndexBuilder.Ensure(ctx, n, dim, rows);
        double readGbps = ctx.ReadGbps;
        double bytes = (double)n * dim * sizeof(float);
        double floorMs = bytes / (readGbps * 1e9) * 1000;
        Console.WriteLine($"exact: {n:N0} x {dim}, {q} queries x {rounds} rounds, K={DataStore.K}; reading the vectors at {readGbps:F2} GB/s takes {floorMs:F2} ms");

        var options = new SearchOptions { K = DataStore.K };
        var p50 = new List<double>();
        var p99 = new List<double>();
        var qps = new List<double>();
        var hitsOfFirstRound = new List<IReadOnlyList<Hit>>();
        (double KernelMs, double ReadMs, double Ratio) paired;
        var gcPause = new List<double>();
        var allocated = new List<double>();
        using (var index = VectorIndex.Open(folder))
        {
            long warm = Stopwatch.GetTimestamp();
            for (int i = 0; i < Warmup || Stats.MsSince(warm) < WarmupMs; i++) index.Search(queries.AsSpan(i % q * dim, dim), options);
            paired = Paired(index, rows, queries, dim, Math.Min(q, 100));
            for (int round = 0; round < rounds; round++)
            {
                Stats.Settle();
                var latency = new double[q];
                var gc = GcMeter.Start();
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < q; i++)
                {
                    long t = Stopwatch.GetTimestamp();
                    var hits = index.Search(queries.AsSpan(i * dim, dim), options);
                    latency[i] = Stats.MsSince(t);
                    if (round == 0) hitsOfFirstRound.Add(hits);
                }
                qps.Add(q / (Stats.MsSince(start) / 1000));
                gcPause.Add(gc.PauseMs);
                allocated.Add((double)gc.Allocated / q);
                p50.Add(Stats.Percentile(latency, 50));
                p99.Add(Stats.Percentile(latency, 99));
            }
        }
        var found = hitsOfFirstRound.Select(hits => hits.Select(h => int.Parse(h.Id, CultureInfo.InvariantCulture)).ToArray()).ToList();
        double recall = GroundTruth.Recall(truth, DataStore.K, found, rows, queries, dim, tieAware: true);
        double strict = GroundTruth.Recall(truth, DataStore.K, found, rows, queries, dim, tieAware: false);
        double medianP50 = Stats.Median(p50);
        ctx.Printer.Emit(new ResultRow("machine", "exact", n, dim)
            .Add("read_gbps", readGbps).Add("read_floor_ms", floorMs)
            .Add("scan_read_gbps", bytes / (paired.ReadMs / 1000) / 1e9).Add("scan_read_ms", paired.ReadMs)
            .Add("loadavg", Stats.LoadAverage()));
        ctx.Printer.Emit(new ResultRow("aknn", "exact", n, dim)
            .Add("k", DataStore.K).Add("queries", q).Add("rounds", rounds).Add("threads", 1)
            .Add("p50_ms", medianP50)
            .Add("p99_ms", Stats.Median(p99))
            .Add("qps", Stats.Median(qps))
            .Add("recall", recall)
            .Add("recall_strict", strict)
            .Add("ratio_to_read", medianP50 / paired.ReadMs)
            .Add("ratio_to_read_paired", paired.Ratio)
            .Add("ratio_to_1gib_read", medianP50 / floorMs)
            .Add("kernel_ms", paired.KernelMs)
            .Add("gc_pause_ms", Stats.Median(gcPause))
            .Add("allocated_per_query", Stats.Median(allocated))
            .Add("target_ratio", TargetRatio)
            .Add("meets_target", medianP50 / paired.ReadMs <= TargetRatio && recall >= 1.0 ? "yes" : "no"));

        if (ctx.Options.Peers)
        {
            var peer = FaissPeer.Run(ctx, "exact", "--base", ctx.Store.BasePath(n, dim), "--queries", ctx.Store.QueryPath(q, dim),
                "--truth", ctx.Store.TruthPath(n, q, dim), "--k", DataStore.K.ToString(CultureInfo.InvariantCulture),
                "--warmup", Warmup.ToString(CultureInfo.InvariantCulture), "--rounds", rounds.ToString(CultureInfo.InvariantCulture),
                "--read-floor-ms", paired.ReadMs.ToString("R", CultureInfo.InvariantCulture));
            foreach (var p in peer.Where(p => p.Workload == "exact" && p.Number("p50_ms") is > 0))
            {
                ctx.Printer.Emit(new ResultRow("aknn-over-" + p.System, "exact", n, dim)
                    .Add("p50_ratio", medianP50 / p.Number("p50_ms")!.Value)
                    .Add("qps_ratio", Stats.Median(qps) / p.Number("qps")!.Value));
            }
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using Aknn.Embedded;
using Aknn.Perf.Peers;
using CommunityToolkit.HighPerformance;

namespace Aknn.Perf.Workloads;

/// <summary>
/// Bulk load: N vectors upserted with <c>UpsertBatch</c> in batches under group commit, then
/// <c>Commit</c>. Measures vectors per second, the bytes each vector costs on disk and in writes,
/// and how close the write rate comes to the disk's own sequential bandwidth.
/// </summary>
internal static class InsertWorkload
{
    /// <summary>A variant of the library's settings, to see what each part of the write path costs.</summary>
    private sealed record Config(string Name, Durability Durability, long? SealThresholdBytes);

    public static void Run(PerfContext ctx)
    {
        int n = ctx.Options.N ?? 1_000_000;
        int dim = ctx.Options.Dim ?? 128;
        int batch = ctx.Options.Batch;
        double target = dim <= 32 ? 500_000 : 250_000;
        float[] rows = ctx.Store.Base(n, dim);
        string[] ids = MakeIds(n);
        double diskMbps = ctx.DiskMbps;
        Console.WriteLine($"insert: {n:N0} x {dim} in batches of {batch:N0}; disk write bandwidth {diskMbps:F0} MB/s");

        var group = Durability.Batched(TimeSpan.FromMilliseconds(10));
        var configs = new List<Config>();
        for (int r = 0; r < ctx.RunsOr(5); r++) configs.Add(new Config("default", group, null));
        configs.Add(new Config("no-seal", group, long.MaxValue / 2));
        configs.Add(new Config("manual", Durability.Manual, null));
        bool parts = ctx.Options.Config is null or "parts";
        if (ctx.Options.Config is { } only) configs.RemoveAll(c => c.Name != only);
        if (configs.Count == 0 && !parts) throw new ArgumentException($"Unknown insert configuration '{ctx.Options.Config}'; use default, no-seal, manual or parts.");

        // An untimed warm-up load, so that the first timed run does not pay for the JIT.
        Once(ctx, new Config("warm-up", group, null), rows, ids, Math.Min(n, 100_000), dim, batch, diskMbps);

        var measured = new List<(Config Config, ResultRow Row)>();
        foreach (var config in configs)
        {
            var row = Once(ctx, config, rows, ids, n, dim, batch, diskMbps);
            measured.Add((config, row));
            Console.WriteLine($"  {config.Name,-8} {row.Get("vectors_per_s"),10} vectors/s  total {row.Get("ms")} ms  seals {row.Get("seals")}  seal {row.Get("seal_ms")} ms  commit {row.Get("commit_ms")} ms  dispose {row.Get("dispose_ms")} ms");
        }

        // The default configuration's median is the headline; the variants follow as diagnostics.
        var defaults = measured.Where(m => m.Config.Name == "default").Select(m => m.Row).ToList();
        ResultRow? median = defaults.OrderBy(r => r.Number("vectors_per_s")).ElementAtOrDefault(defaults.Count / 2);
        if (median is not null)
        {
            ctx.Printer.Emit(median.Add("runs", defaults.Count)
                .Add("best_vectors_per_s", defaults.Max(r => r.Number("vectors_per_s")!.Value))
                .Add("target_vectors_per_s", target)
                .Add("meets_target", median.Number("vectors_per_s") >= target ? "yes" : "no"));
        }
        foreach (var (_, row) in measured.Where(m => m.Config.Name != "default"))
            ctx.Printer.Emit(row);
        if (parts)
        {
            var row = WritePathParts.Measure(ctx, rows, ids, n, dim);
            Console.WriteLine($"  parts    encode {row.Get("encode_ms")} ms, log write+sync {row.Get("log_write_sync_ms")} ms, apply {row.Get("apply_ms")} ms, seal {row.Get("seal_ms")} ms");
            ctx.Printer.Emit(row);
        }
        ctx.Printer.Emit(new ResultRow("machine", "insert", n, dim).Add("disk_write_mbps", diskMbps).Add("loadavg", Stats.LoadAverage()));

        if (ctx.Options.Peers && median is not null)
        {
            string faissFile = ctx.Store.IndexPath("faiss-insert", n, dim) + ".index";
            var peer = FaissPeer.Run(ctx, "insert", "--base", ctx.Store.BasePath(n, dim), "--batch", batch.ToString(CultureInfo.InvariantCulture),
                "--out", faissFile, "--disk-mbps", diskMbps.ToString("F1", CultureInfo.InvariantCulture));
            File.Delete(faissFile);
            foreach (var p in peer.Where(p => p.Workload == "insert" && p.Number("vectors_per_s") is not null))
            {
                ctx.Printer.Emit(new ResultRow("aknn-over-" + p.System, "insert", n, dim)
                    .Add("vectors_per_s_ratio", median.Number("vectors_per_s")!.Value / p.Number("vectors_per_s")!.Value));
            }
        }
    }

    public static string[] MakeIds(int n)
    {
        var ids = new string[n];
        for (int i = 0; i < n; i++) ids[i] = i.ToString(CultureInfo.InvariantCulture);
        return ids;
    }

    private static ResultRow Once(PerfContext ctx, Config config, float[] rows, string[] ids, int n, int dim, int batch, double diskMbps)
    {
        string folder = ctx.Store.IndexPath("insert", n, dim);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var options = new IndexOptions
        {
            Dimensions = dim,
            Durability = config.Durability,
            SealThresholdBytes = config.SealThresholdBytes ?? new IndexOptions().SealThresholdBytes,
        };
        Stats.Settle();
        var index = VectorIndex.Create(folder, options);
        var clock = new InsertClock(folder);
        long? written0 = Stats.ProcessWriteBytes();
        var gc = GcMeter.Start();
        long t0 = Stopwatch.GetTimestamp();
        for (int start = 0; start < n; start += batch)
        {
            int count = Math.Min(batch, n - start);
            var block = new ReadOnlySpan2D<float>(rows, start * dim, count, dim, 0);
            clock.BeginCall();
            index.UpsertBatch(new ArraySegment<string>(ids, start, count), block, progress: clock);
        }
        long tCommit = Stopwatch.GetTimestamp();
        index.Commit();
        long tEnd = Stopwatch.GetTimestamp();
        long? written = Stats.ProcessWriteBytes() - written0;
        double gcPauseMs = gc.PauseMs, allocated = gc.Allocated;
        int gen0 = gc.Gen0, gen1 = gc.Gen1, gen2 = gc.Gen2;
        long folderAfterCommit = Stats.FolderBytes(folder);
        index.Dispose();
        double disposeMs = Stats.MsSince(tEnd);
        long? writtenTotal = Stats.ProcessWriteBytes() - written0;
        long folderBytes = Stats.FolderBytes(folder);

        double ms = Stats.Ms(t0, tEnd);
        double writtenBytes = written ?? folderAfterCommit;
        double mbps = writtenBytes / 1e6 / (ms / 1000);
        var row = new ResultRow("aknn", "insert", n, dim)
            .Add("config", config.Name)
            .Add("durability", config.Durability.ToString())
            .Add("batch", batch)
            .Add("vectors_per_s", n / (ms / 1000))
            .Add("ms", ms)
            .Add("write_mbps", mbps)
            .Add("ratio_to_disk", mbps / diskMbps)
            .Add("written_per_vector", writtenBytes / n)
            .AddIf("written_total_per_vector", writtenTotal / (double)n)
            .Add("bytes_per_vector", (double)folderBytes / n)
            .Add("raw_bytes_per_vector", dim * 4.0)
            .Add("log_apply_ms", Stats.Ms(t0, tCommit) - clock.SealMs)
            .Add("seals", clock.Seals)
            .Add("seal_ms", clock.SealMs)
            .Add("commit_ms", Stats.Ms(tCommit, tEnd))
            .Add("max_stall_ms", clock.MaxGroupMs)
            .Add("row_us_no_segment", clock.MicrosPerRowBySegments.First)
            .Add("row_us_most_segments", clock.MicrosPerRowBySegments.Last)
            .Add("most_segments", clock.MicrosPerRowBySegments.Segments)
            .Add("gc_pause_ms", gcPauseMs)
            .Add("gcs", $"{gen0}/{gen1}/{gen2}")
            .Add("allocated_per_vector", allocated / n)
            .Add("dispose_ms", disposeMs);
        Directory.Delete(folder, recursive: true);
        return row;
    }
}

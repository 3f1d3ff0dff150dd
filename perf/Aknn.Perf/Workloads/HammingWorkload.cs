using System.Diagnostics;
using System.Globalization;
using Aknn.Embedded;
using Aknn.Perf.Data;
using Aknn.Perf.Peers;
using CommunityToolkit.HighPerformance;

namespace Aknn.Perf.Workloads;

/// <summary>
/// Radius search over binary codes through the public API, one query per call on one thread: an
/// index of N random codes (default 10,000,000 × 64 bits) is built in a temporary folder under the
/// data folder, and each of Q queries (default 1,000; stored codes with 0 … 8 bits flipped) asks
/// <see cref="VectorIndex.SearchCodeRadius"/> for every code within the radius. Recall is the
/// share of all true neighbours found, against ground truth from the brute-force scan kernel.
/// Peers: FAISS IndexBinaryFlat and IndexBinaryMultiHash range search on the same files.
/// </summary>
internal static class HammingWorkload
{
    private const int Warmup = 20;
    private const double WarmupMs = 1500;

    /// <summary>The index this workload measures: the one line to change when the index model changes.</summary>
    public static VectorIndex CreateIndex(string folder, int bits) =>
        VectorIndex.Create(folder, new IndexOptions { Dimensions = bits, Metric = Metric.Hamming, Model = IndexModel.MultiIndexHashing(), Durability = Durability.Manual });

    public static void Run(PerfContext ctx)
    {
        int n = ctx.Options.N ?? 10_000_000;
        int bits = ctx.Options.Bits;
        int words = bits / 64;
        int radius = ctx.Options.Radius;
        int q = ctx.Options.QueryCount ?? 1000;
        int batch = ctx.Options.Batch;
        ulong[] codes = ctx.Store.Codes(n, bits);
        ulong[] queries = ctx.Store.CodeQueries(q, n, bits, codes);
        int[][] truth = ctx.Store.CodeTruth(n, bits, radius, codes, queries);
        long trueCount = truth.Sum(t => (long)t.Length);
        Console.WriteLine($"hamming: {n:N0} codes of {bits} bits, {q} queries, radius {radius}, {trueCount:N0} true neighbours; UpsertCodeBatch in batches of {batch:N0}");

        // --config bulk (default): BulkLoadCodes; --config upsert: UpsertCodeBatch, Commit, Compact.
        string build = ctx.Options.Config ?? "bulk";
        if (build is not ("bulk" or "upsert")) throw new ArgumentException($"hamming: --config is bulk or upsert, not '{build}'.");
        string folder = Path.Combine(ctx.Store.Folder, $"tmp-hamming-b{bits}-n{n}-s{ctx.Store.Seed}-p{Environment.ProcessId}");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        string[] ids = InsertWorkload.MakeIds(n);
        var latency = new double[q];
        var found = new int[q][];
        double buildS, insertS, commitS, compactS, qps;
        string model;
        string stages = "";
        try
        {
            long t = Stopwatch.GetTimestamp();
            using var index = CreateIndex(folder, bits);
            if (build == "bulk")
            {
                // The initial-load path: one segment written straight from the rows, with the time of
                // each stage (the engine's internal diagnostics hook).
                Aknn.Embedded.Storage.BuildStages.Start();
                index.BulkLoadCodes(ids, new ReadOnlySpan2D<ulong>(codes, n, words));
                insertS = Stats.MsSince(t) / 1000;
                stages = string.Join(", ", Aknn.Embedded.Storage.BuildStages.Stop().Select(s => $"{s.Stage} {s.Ms / 1000:F2} s ({s.CpuMs / 1000:F2} s cpu)"));
                ResultPrinter.Note("bulk load stages, wall (process cpu): " + stages);
                commitS = compactS = 0;
            }
            else
            {
                for (int start = 0; start < n; start += batch)
                {
                    int count = Math.Min(batch, n - start);
                    index.UpsertCodeBatch(new ArraySegment<string>(ids, start, count), new ReadOnlySpan2D<ulong>(codes, start * words, count, words, 0));
                }
                insertS = Stats.MsSince(t) / 1000;
                long phase = Stopwatch.GetTimestamp();
                index.Commit();
                commitS = Stats.MsSince(phase) / 1000;
                phase = Stopwatch.GetTimestamp();
                index.Compact();
                compactS = Stats.MsSince(phase) / 1000;
            }
            model = index.Model.ToString();
            buildS = Stats.MsSince(t) / 1000;
            ResultPrinter.Note($"built in {buildS:F1} s (insert {insertS:F1} s, commit {commitS:F1} s, compact {compactS:F1} s)");

            long warm = Stopwatch.GetTimestamp();
            for (int i = 0; i < Warmup || Stats.MsSince(warm) < WarmupMs; i++) index.SearchCodeRadius(queries.AsSpan(i % q * words, words), radius);
            Stats.Settle();
            long all = Stopwatch.GetTimestamp();
            for (int i = 0; i < q; i++)
            {
                long s = Stopwatch.GetTimestamp();
                var hits = index.SearchCodeRadius(queries.AsSpan(i * words, words), radius);
                latency[i] = Stats.MsSince(s);
                found[i] = hits.Select(h => int.Parse(h.Id, CultureInfo.InvariantCulture)).ToArray();
            }
            qps = q / (Stats.MsSince(all) / 1000);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }

        long hitsFound = 0, foundCount = 0;
        for (int i = 0; i < q; i++)
        {
            var want = new HashSet<int>(truth[i]);
            foundCount += found[i].Length;
            hitsFound += found[i].Distinct().Count(want.Contains);
        }
        double recall = trueCount == 0 ? double.NaN : (double)hitsFound / trueCount;
        double p50 = Stats.Percentile(latency, 50);
        ctx.Printer.Emit(new ResultRow("aknn", "hamming", n, bits)
            .Add("model", model).Add("build", build).Add("bits", bits).Add("radius", radius).Add("queries", q).Add("threads", 1)
            .Add("p50_ms", p50)
            .Add("p99_ms", Stats.Percentile(latency, 99))
            .Add("qps", qps)
            .Add("recall", recall)
            .Add("true_neighbours", trueCount)
            .Add("found", foundCount)
            .Add("build_s", buildS)
            .Add("insert_s", insertS)
            .Add("commit_s", commitS)
            .Add("compact_s", compactS)
            .Add("loadavg", Stats.LoadAverage()));

        if (ctx.Options.Peers)
        {
            var peer = FaissPeer.RunBinary(ctx, "hamming", "--codes", ctx.Store.CodesPath(n, bits), "--queries", ctx.Store.CodeQueryPath(q, n, bits),
                "--truth", ctx.Store.CodeTruthPath(q, n, bits, radius), "--radius", radius.ToString(CultureInfo.InvariantCulture),
                "--warmup", Warmup.ToString(CultureInfo.InvariantCulture));
            foreach (var p in peer.Where(p => p.Workload == "hamming" && p.Number("p50_ms") is > 0))
            {
                ctx.Printer.Emit(new ResultRow("aknn-over-" + p.System, "hamming", n, bits)
                    .Add("p50_ratio", p50 / p.Number("p50_ms")!.Value)
                    .Add("qps_ratio", qps / p.Number("qps")!.Value)
                    .Add("build_ratio", buildS / p.Number("build_s")!.Value));
            }
        }
    }
}

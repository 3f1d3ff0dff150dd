using System.Diagnostics;
using System.Globalization;
using Aknn.Embedded;
using Aknn.Perf.Peers;

namespace Aknn.Perf.Workloads;

/// <summary>
/// Time to open: <c>VectorIndex.Open</c> plus the first <c>Count</c> of an index that was built and
/// disposed, with its files in the page cache (warm) and, where the kernel lets us drop them,
/// from the disk (cold). Also times the first search after opening, which checks the segments'
/// checksums on first use.
/// </summary>
internal static class OpenWorkload
{
    private const double TargetMs = 10;

    public static void Run(PerfContext ctx)
    {
        int dim = ctx.Options.Dim ?? 128;
        int[] sizes = ctx.Options.N is { } n ? [n] : [100_000, 1_000_000];
        int reopens = ctx.RunsOr(9);
        foreach (int size in sizes) One(ctx, size, dim, reopens);
    }

    private static void One(PerfContext ctx, int n, int dim, int reopens)
    {
        Console.WriteLine($"open: {n:N0} x {dim}, {reopens} warm reopens");
        string folder = IndexBuilder.Ensure(ctx, n, dim);
        float[] query = ctx.Store.Queries(1, dim);
        var search = new SearchOptions { K = 10 };

        // One untimed open and search first, so the runtime's own first-call costs are not counted.
        using (var first = VectorIndex.Open(folder)) first.Search(query);

        var openMs = new List<double>();
        var firstSearchMs = new List<double>();
        var secondSearchMs = new List<double>();
        int segments = 0;
        for (int i = 0; i < reopens; i++)
        {
            Stats.Settle();
            long t = Stopwatch.GetTimestamp();
            var index = VectorIndex.Open(folder);
            long count = index.Count;
            openMs.Add(Stats.MsSince(t));
            if (count != n) throw new InvalidOperationException($"The index holds {count} vectors, not {n}.");
            t = Stopwatch.GetTimestamp();
            index.Search(query, search);
            firstSearchMs.Add(Stats.MsSince(t));
            t = Stopwatch.GetTimestamp();
            index.Search(query, search);
            secondSearchMs.Add(Stats.MsSince(t));
            segments = index.GetStatistics().SegmentCount;
            index.Dispose();
        }

        // Cold: drop the index's files from the page cache before each open.
        var coldMs = new List<double>();
        var coldSearchMs = new List<double>();
        var coldReadBytes = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            if (!Native.DropFromPageCache(folder)) break;
            long? read0 = Stats.ProcessReadBytes();
            long t = Stopwatch.GetTimestamp();
            using var index = VectorIndex.Open(folder);
            _ = index.Count;
            coldMs.Add(Stats.MsSince(t));
            if (Stats.ProcessReadBytes() - read0 is { } read) coldReadBytes.Add(read);
            t = Stopwatch.GetTimestamp();
            index.Search(query, search);
            coldSearchMs.Add(Stats.MsSince(t));
        }

        double median = Stats.Median(openMs);
        var row = new ResultRow("aknn", "open", n, dim)
            .Add("ms", median)
            .Add("min_ms", openMs.Min())
            .Add("max_ms", openMs.Max())
            .Add("reopens", reopens)
            .Add("segments", segments)
            .Add("first_search_ms", Stats.Median(firstSearchMs))
            .Add("second_search_ms", Stats.Median(secondSearchMs));
        if (coldMs.Count > 0)
        {
            row.Add("cold_ms", Stats.Median(coldMs));
            if (coldReadBytes.Count > 0) row.Add("cold_read_mb", Stats.Median(coldReadBytes) / 1e6);
            row.Add("cold_first_search_ms", Stats.Median(coldSearchMs));
        }
        row.Add("index_bytes", Stats.FolderBytes(folder))
            .Add("target_ms", TargetMs)
            .Add("meets_target", median <= TargetMs ? "yes" : "no")
            .Add("loadavg", Stats.LoadAverage());
        ctx.Printer.Emit(row);

        if (ctx.Options.Peers)
        {
            string faissFile = ctx.Store.IndexPath("faiss-flat", n, dim) + ".index";
            var peer = FaissPeer.Run(ctx, "open", "--base", ctx.Store.BasePath(n, dim), "--index", faissFile,
                "--queries", ctx.Store.QueryPath(1, dim), "--runs", reopens.ToString(CultureInfo.InvariantCulture));
            foreach (var p in peer.Where(p => p.Workload == "open" && p.Number("ms") is > 0))
                ctx.Printer.Emit(new ResultRow("aknn-over-" + p.System, "open", n, dim).Add("ms_ratio", median / p.Number("ms")!.Value));
        }
    }
}

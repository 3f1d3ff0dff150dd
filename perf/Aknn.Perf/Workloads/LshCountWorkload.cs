using System.Diagnostics;
using System.Globalization;
using Aknn.Embedded;
using Aknn.Embedded.Search;
using Aknn.Perf.Data;
using CommunityToolkit.HighPerformance;

namespace Aknn.Perf.Workloads;

/// <summary>
/// <c>lsh-count</c>: the bucket path's counting with and without cache blocking, in one process on
/// one index, alternating the two modes every pass over the queries so that the shared machine's
/// load hits both alike. Prints, per mode, the median and the minimum of the per-pass mean query
/// time, and the median of the per-pass ratios (unblocked time / blocked time).
/// </summary>
internal static class LshCountWorkload
{
    public static void Run(PerfContext ctx)
    {
        int n = ctx.Options.N ?? 1_000_000, dim = ctx.Options.Dim ?? 25, q = ctx.Options.QueryCount ?? 500;
        int passes = ctx.RunsOr(7);
        float[] rows = ctx.Store.Base(n, dim);
        float[] queries = ctx.Store.Queries(q, dim);
        int[] truth = ctx.Store.Truth(n, dim, rows, queries);
        string spec = ctx.Options.LshConfigs.Count > 0 ? ctx.Options.LshConfigs[0] : "family=stable,tables=32,bits=10,width=5r,candidates=800,probes=96";
        double near = 0;
        for (int i = 0; i < q; i++)
        {
            int kth = truth[i * DataStore.K + DataStore.K - 1];
            double d = 0;
            for (int j = 0; j < dim; j++) { double x = rows[kth * dim + j] - queries[i * dim + j]; d += x * x; }
            near += Math.Sqrt(d) / q; // the mean (the lsh workload takes the median; close enough for a width)
        }
        var parsed = LshWorkload.LshSpec.Parse(spec, n, near);
        string folder = Path.Combine(ctx.Store.Folder, $"tmp-lshcount-d{dim}-n{n}-p{Environment.ProcessId}");
        if (Directory.Exists(folder)) Directory.Delete(folder, true);
        try
        {
            using var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = dim, Model = parsed.Model(), Durability = Durability.Manual });
            index.BulkLoad(InsertWorkload.MakeIds(n), new ReadOnlySpan2D<float>(rows, n, dim));
            var options = new SearchOptions { K = DataStore.K, Candidates = parsed.Candidates[0], Probes = parsed.Probes[0] };
            int saved = LshSearch.CountBlockRows;
            var times = new Dictionary<string, List<double>> { ["blocked"] = [], ["unblocked"] = [] };
            for (int pass = -1; pass < passes; pass++)
            {
                foreach (string mode in pass % 2 == 0 ? new[] { "blocked", "unblocked" } : new[] { "unblocked", "blocked" })
                {
                    LshSearch.CountBlockRows = mode == "blocked" ? saved : int.MaxValue;
                    var clock = Stopwatch.StartNew();
                    for (int i = 0; i < q; i++) index.Search(queries.AsSpan(i * dim, dim), options);
                    if (pass >= 0) times[mode].Add(clock.Elapsed.TotalMicroseconds / q); // pass -1 warms up
                }
            }
            LshSearch.CountBlockRows = saved;
            var ratios = Enumerable.Range(0, passes).Select(p => times["unblocked"][p] / times["blocked"][p]).Order().ToList();
            static double Median(IEnumerable<double> v) { var s = v.Order().ToList(); return s[s.Count / 2]; }
            foreach (var (mode, list) in times)
                Console.WriteLine($"RESULT system=aknn workload=lsh-count n={n} dim={dim} config={parsed.ConfigName(parsed.Candidates[0], parsed.Probes[0])} mode={mode} " +
                    $"passes={passes} us_per_query_median={Median(list).ToString("F1", CultureInfo.InvariantCulture)} us_per_query_min={list.Min().ToString("F1", CultureInfo.InvariantCulture)} " +
                    $"loadavg={File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            Console.WriteLine($"RESULT system=aknn workload=lsh-count n={n} dim={dim} speedup_median={Median(ratios).ToString("F3", CultureInfo.InvariantCulture)} " +
                $"speedup_min={ratios[0].ToString("F3", CultureInfo.InvariantCulture)} speedup_max={ratios[^1].ToString("F3", CultureInfo.InvariantCulture)}");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, true);
        }
    }
}

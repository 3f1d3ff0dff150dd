using System.Diagnostics;
using Aknn.Embedded;
using CommunityToolkit.HighPerformance;

namespace Aknn.Perf.Workloads;

/// <summary>
/// Duplicate grouping: every group of near-duplicates among N 64-bit codes (default 1M) with
/// planted groups, at radius <c>--radius</c> (default 8), by <see cref="VectorIndex.FindDuplicates"/> (one self-join over the
/// whole index). Checks that every planted group comes out inside one found group.
/// </summary>
internal static class DedupWorkload
{
    

    public static void Run(PerfContext ctx)
    {
        int n = ctx.Options.N ?? 1_000_000;
        const int Bits = 64; // the planted groups are built for 64-bit codes
        int radius = ctx.Options.Radius;
        var (codes, planted) = Generate(n, ctx.Options.Seed);
        string folder = ctx.Store.IndexPath("dedup", n, Bits);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var ids = new string[n];
        for (int i = 0; i < n; i++) ids[i] = "p" + i.ToString("D8", System.Globalization.CultureInfo.InvariantCulture);

        long t = Stopwatch.GetTimestamp();
        using var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = Bits, Metric = Metric.Hamming, Durability = Durability.Manual });
        const int Batch = 100_000;
        for (int start = 0; start < n; start += Batch)
        {
            int count = Math.Min(Batch, n - start);
            index.UpsertCodeBatch(new ArraySegment<string>(ids, start, count), new ReadOnlySpan2D<ulong>(codes, start, count, 1, 0));
        }
        index.Commit();
        index.Compact();
        double buildS = Stats.MsSince(t) / 1000;

        var times = new List<double>();
        DuplicateReport? report = null;
        for (int run = 0; run < ctx.RunsOr(5); run++)
        {
            Stats.Settle();
            t = Stopwatch.GetTimestamp();
            report = index.FindDuplicates(radius);
            times.Add(Stats.MsSince(t));
        }
        var groupOf = new Dictionary<string, int>();
        for (int g = 0; g < report!.Groups.Count; g++)
            foreach (string id in report.Groups[g].Ids) groupOf[id] = g;
        int recovered = planted.Count(members => members.Select(m => groupOf.GetValueOrDefault(ids[m], -1)).Distinct().Count() == 1 && groupOf.ContainsKey(ids[members[0]]));
        ctx.Printer.Emit(new ResultRow("aknn", "dedup", n, Bits)
            .Add("radius", radius)
            .Add("ms", Stats.Median(times))
            .Add("ms_min", times.Min())
            .Add("groups", report.Groups.Count)
            .Add("planted_groups", planted.Count)
            .Add("planted_recovered", recovered)
            .Add("threads", Environment.ProcessorCount)
            .Add("build_s", buildS));
    }

    /// <summary>
    /// N codes: random ones, and planted groups (about 1 % of the codes) of 2 to 20 copies of a seed
    /// code with at most 4 flipped bits each, so any two members lie within 8 bits.
    /// </summary>
    internal static (ulong[] Codes, List<int[]> Planted) Generate(int n, int seed)
    {
        var rng = new Random(seed);
        var codes = new ulong[n];
        for (int i = 0; i < n; i++) codes[i] = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 63);
        var planted = new List<int[]>();
        int at = 0, budget = n / 100;
        while (budget > 0)
        {
            int size = Math.Min(budget, rng.Next(2, 21));
            budget -= size;
            ulong origin = codes[at];
            var members = new int[size];
            for (int k = 0; k < size; k++)
            {
                ulong c = origin;
                for (int f = rng.Next(5); f > 0; f--) c ^= 1UL << rng.Next(64);
                // Spread the members over the whole collection.
                int slot = k == 0 ? at : rng.Next(n);
                codes[slot] = c;
                members[k] = slot;
            }
            planted.Add(members);
            at = rng.Next(n);
        }
        // A later group may have overwritten a member of an earlier one: keep the intact groups only.
        var owner = new Dictionary<int, int>();
        for (int g = 0; g < planted.Count; g++)
            foreach (int m in planted[g]) owner[m] = g;
        return (codes, planted.Where((members, g) => members.All(m => owner[m] == g) && members.Distinct().Count() == members.Length).ToList());
    }
}

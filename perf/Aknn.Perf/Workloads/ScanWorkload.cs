using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using Aknn.Embedded.Kernels;
using Aknn.Perf.Data;
using Aknn.Perf.Peers;

namespace Aknn.Perf.Workloads;

/// <summary>
/// Brute-force radius scan of N binary codes (default 10,000,000 random 64-bit codes) on one
/// thread, with the library's kernels directly: one query per call
/// (<see cref="HammingKernels.ScanWithin(ReadOnlySpan{ulong}, ReadOnlySpan{ulong}, int, Span{int})"/>)
/// and <see cref="BinaryCodes.QueriesPerPass"/> queries per pass over the codes
/// (<see cref="HammingKernels.ScanWithinMany"/>). <c>codes_per_s</c> counts codes compared with a
/// query per second: N over the median time of one scan (one query per call), or queries × N over
/// the median time of one pass of all queries (many per pass). The machine is shared, so medians
/// of single scans are steadier than totals. The peer is FAISS's IndexBinaryFlat range search on
/// the same files, measured the same way.
/// </summary>
internal static class ScanWorkload
{
    private const double WarmupMs = 1500;

    public static void Run(PerfContext ctx)
    {
        int n = ctx.Options.N ?? 10_000_000;
        int bits = ctx.Options.Bits;
        int words = bits / 64;
        int radius = ctx.Options.Radius;
        int scans = ctx.Options.QueryCount ?? BinaryCodes.QueriesPerPass;
        int rounds = ctx.RunsOr(5);
        ulong[] codes = ctx.Store.Codes(n, bits);
        ulong[] queries = ctx.Store.CodeQueries(scans, n, bits, codes);
        double readGbps = ctx.ReadGbps;
        double bytes = (double)codes.Length * sizeof(ulong);
        Console.WriteLine($"scan: {n:N0} codes of {bits} bits ({bytes / 1e6:F0} MB), radius {radius}, {scans} queries x {rounds} rounds; one-thread read bandwidth {readGbps:F2} GB/s");

        var matches = new int[n];
        int[] buffer = BinaryCodes.MatchBuffer(n);
        long warm = Stopwatch.GetTimestamp();
        while (Stats.MsSince(warm) < WarmupMs)
        {
            HammingKernels.ScanWithin(queries.AsSpan(0, words), codes, radius, matches);
            ScanMany(codes, queries, words, radius, buffer);
        }

        var many = new List<double>();
        var scanMs = new List<double>();
        var readMs = new List<double>();
        long singleMatches = 0, manyMatches = 0;
        ulong sink = 0;
        for (int round = 0; round < rounds; round++)
        {
            Stats.Settle();
            long found = 0;
            for (int q = 0; q < scans; q++)
            {
                long t = Stopwatch.GetTimestamp();
                found += HammingKernels.ScanWithin(queries.AsSpan(q * words, words), codes, radius, matches);
                scanMs.Add(Stats.MsSince(t));
            }
            singleMatches = found;

            long start = Stopwatch.GetTimestamp();
            manyMatches = ScanMany(codes, queries, words, radius, buffer);
            many.Add((double)scans * n / (Stats.MsSince(start) / 1000));

            start = Stopwatch.GetTimestamp();
            sink ^= XorAll(codes);
            readMs.Add(Stats.MsSince(start));
        }
        GC.KeepAlive(sink);
        if (singleMatches != manyMatches) ResultPrinter.Note($"warning: one query per call found {singleMatches} matches, many per pass {manyMatches}");

        double scanReadGbps = bytes / (Stats.Median(readMs) / 1000) / 1e9;
        ctx.Printer.Emit(new ResultRow("machine", "scan", n, bits)
            .Add("read_gbps", readGbps).Add("scan_read_gbps", scanReadGbps).Add("loadavg", Stats.LoadAverage()));
        var rows = new List<ResultRow>();
        foreach (string form in new[] { "single", "many" })
        {
            double rate = form == "single" ? n / (Stats.Median(scanMs) / 1000) : Stats.Median(many);
            var row = new ResultRow("aknn", "scan", n, bits)
                .Add("form", form).Add("bits", bits).Add("radius", radius).Add("scans", scans).Add("rounds", rounds).Add("threads", 1)
                .Add("codes_per_s", rate)
                .Add("best_codes_per_s", form == "single" ? n / (scanMs.Min() / 1000) : many.Max());
            if (form == "single") row.Add("scan_ms", Stats.Median(scanMs));
            else row.Add("queries_per_pass", BinaryCodes.QueriesPerPass);
            row.Add("gbps", rate * words * sizeof(ulong) / 1e9)
               .Add("ratio_to_read", rate * words * sizeof(ulong) / 1e9 / scanReadGbps)
               .Add("matches", form == "single" ? singleMatches : manyMatches);
            rows.Add(ctx.Printer.Emit(row));
        }

        if (ctx.Options.Peers)
        {
            var peer = FaissPeer.RunBinary(ctx, "scan", "--codes", ctx.Store.CodesPath(n, bits), "--queries", ctx.Store.CodeQueryPath(scans, n, bits),
                "--radius", radius.ToString(CultureInfo.InvariantCulture), "--scans", scans.ToString(CultureInfo.InvariantCulture),
                "--rounds", Math.Min(rounds, 3).ToString(CultureInfo.InvariantCulture));
            foreach (var p in peer.Where(p => p.Workload == "scan" && p.Number("codes_per_s") is > 0))
            {
                var ours = rows.FirstOrDefault(r => r.Get("form") == p.Get("form"));
                if (ours is null) continue;
                ctx.Printer.Emit(new ResultRow("aknn-over-" + p.System, "scan", n, bits)
                    .Add("form", p.Get("form") ?? "")
                    .Add("codes_per_s_ratio", ours.Number("codes_per_s")!.Value / p.Number("codes_per_s")!.Value));
            }
        }
    }

    /// <summary>All queries, <see cref="BinaryCodes.QueriesPerPass"/> to a pass over the codes; returns the number of matches.</summary>
    private static long ScanMany(ulong[] codes, ulong[] queries, int words, int radius, int[] buffer)
    {
        var found = new List<int>[queries.Length / words];
        for (int i = 0; i < found.Length; i++) found[i] = [];
        return BinaryCodes.ScanMany(codes, queries, words, radius, found, buffer);
    }

    /// <summary>A plain read of every code (XOR of all words with four Vector256 accumulators): what the scan's bandwidth is compared with.</summary>
    private static ulong XorAll(ulong[] codes)
    {
        ReadOnlySpan<ulong> span = codes;
        Vector256<ulong> a0 = Vector256<ulong>.Zero, a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (; i + 16 <= span.Length; i += 16)
        {
            a0 ^= Vector256.Create(span.Slice(i, 4));
            a1 ^= Vector256.Create(span.Slice(i + 4, 4));
            a2 ^= Vector256.Create(span.Slice(i + 8, 4));
            a3 ^= Vector256.Create(span.Slice(i + 12, 4));
        }
        ulong tail = 0;
        for (; i < span.Length; i++) tail ^= span[i];
        Vector256<ulong> all = a0 ^ a1 ^ a2 ^ a3;
        return all[0] ^ all[1] ^ all[2] ^ all[3] ^ tail;
    }
}

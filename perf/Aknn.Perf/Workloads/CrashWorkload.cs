using System.Diagnostics;
using System.Globalization;
using Aknn.Embedded;
using Aknn.Embedded.CrashHelper;

namespace Aknn.Perf.Workloads;

/// <summary>
/// Reliability under SIGKILL: a child writer (Aknn.Embedded.CrashHelper's <c>durable</c> mode)
/// writes to a float index with an LSH model or to a binary-code index, under PerWrite, Batched
/// with commits, or Manual with commits, sealing every few kilobytes and compacting often; it is
/// killed at a random moment (during its start-up recovery, its first writes, after a random number
/// of acknowledgements, or inside a compaction). After each kill the index is reopened and must
/// hold every write acknowledged as durable, nothing half-written, and a state that some prefix of
/// the write order explains.
/// </summary>
internal static class CrashWorkload
{
    private static readonly string[] Modes = ["perwrite", "batched", "commit"];
    private static readonly long[] SealThresholds = [4096, 8192, 32768];

    /// <summary>What the run found, summed over the cycles.</summary>
    private sealed class Totals
    {
        public long Cycles, Acknowledged, Lost, OpenFailures, HalfWritten, WrongResults, NotPrefix, VerifyFailures, ChildErrors,
            ReadyMismatches, KillsInCompaction, KillsInSeal, KillsInFlight, Wipes;

        public string Summary() =>
            $"cycles={Cycles} acknowledged={Acknowledged} lost={Lost} open_failures={OpenFailures} half_written={HalfWritten} " +
            $"wrong_results={WrongResults} not_prefix={NotPrefix}";
    }

    /// <summary>One index folder and the state the last check found in it.</summary>
    private sealed class Subject(CrashIndexKind kind, string folder)
    {
        public CrashIndexKind Kind { get; } = kind;
        public string Folder { get; } = folder;
        public Dictionary<string, bool> Present { get; set; } = NewState();
        public int CyclesSinceWipe { get; set; }

        public static Dictionary<string, bool> NewState() => CrashItems.WideUniverse.ToDictionary(id => id, _ => false, StringComparer.Ordinal);

        public void Wipe()
        {
            if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
            Present = NewState();
            CyclesSinceWipe = 0;
        }
    }

    public static void Run(PerfContext ctx)
    {
        double minutes = ctx.Options.Minutes;
        var rng = new Random(ctx.Options.Seed);
        string root = Path.Combine(Path.GetTempPath(), $"aknn-crash-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        Subject[] subjects = [new(CrashIndexKind.Float, Path.Combine(root, "float")), new(CrashIndexKind.Binary, Path.Combine(root, "binary"))];
        var totals = new Totals();
        Console.WriteLine($"crash: {minutes} min, child writer killed with SIGKILL; folders under {root}");
        var clock = Stopwatch.StartNew();
        TimeSpan end = TimeSpan.FromMinutes(minutes), nextReport = TimeSpan.FromMinutes(1);
        try
        {
            while (clock.Elapsed < end)
            {
                Subject s = subjects[totals.Cycles % 2];
                // Now and then start over, so kills also land in Create and in the LSH model's fit.
                if (s.CyclesSinceWipe >= 40 && rng.Next(25) == 0)
                {
                    s.Wipe();
                    totals.Wipes++;
                }
                Cycle(s, rng, totals);
                s.CyclesSinceWipe++;
                totals.Cycles++;
                if (clock.Elapsed >= nextReport)
                {
                    ResultPrinter.Note($"{clock.Elapsed.TotalMinutes:F0} min: {totals.Summary()}");
                    nextReport += TimeSpan.FromMinutes(1);
                }
            }
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { }
        }

        ctx.Printer.Emit(new ResultRow("aknn", "crash", 0, 0)
            .Add("cycles", totals.Cycles)
            .Add("acknowledged", totals.Acknowledged)
            .Add("lost", totals.Lost)
            .Add("open_failures", totals.OpenFailures)
            .Add("half_written", totals.HalfWritten)
            .Add("wrong_results", totals.WrongResults)
            .Add("not_prefix", totals.NotPrefix)
            .Add("verify_failures", totals.VerifyFailures)
            .Add("child_errors", totals.ChildErrors)
            .Add("ready_mismatches", totals.ReadyMismatches)
            .Add("kills_in_compaction", totals.KillsInCompaction)
            .Add("kills_in_seal", totals.KillsInSeal)
            .Add("kills_in_flight", totals.KillsInFlight)
            .Add("restarts_from_empty", totals.Wipes)
            .Add("minutes", clock.Elapsed.TotalMinutes));
    }

    private static void Cycle(Subject s, Random rng, Totals totals)
    {
        string mode = Modes[rng.Next(Modes.Length)];
        long seal = SealThresholds[rng.Next(SealThresholds.Length)];
        int pick = rng.Next(100);
        string trigger = pick < 15 ? "start" : pick < 45 ? "ready" : pick < 75 ? "acks" : "compaction";
        string where = $"cycle {totals.Cycles} ({s.Kind}, {mode}, seal {seal}, kill after {trigger})";

        IReadOnlyList<string> lines;
        using (var child = HelperProcess.Start("durable", s.Folder, rng.Next().ToString(CultureInfo.InvariantCulture),
                   s.Kind.ToString().ToLowerInvariant(), mode, seal.ToString(CultureInfo.InvariantCulture)))
        {
            var wait = TimeSpan.FromSeconds(30);
            static bool Error(string l) => l.StartsWith("ERROR", StringComparison.Ordinal);
            switch (trigger)
            {
                case "start":
                    Thread.Sleep(rng.Next(0, 400));
                    break;
                case "ready":
                    child.WaitForLine(l => l.StartsWith("READY", StringComparison.Ordinal) || Error(l), wait);
                    Thread.Sleep(rng.Next(0, 300));
                    break;
                case "acks":
                    int n = rng.Next(1, 400), seen = 0;
                    child.WaitForLine(l => (l.StartsWith("ACK", StringComparison.Ordinal) && ++seen >= n) || Error(l), wait);
                    if (rng.Next(2) == 0) Thread.SpinWait(rng.Next(1, 200_000));
                    break;
                default:
                    child.WaitForLine(l => l.StartsWith("DO C", StringComparison.Ordinal) || Error(l), wait);
                    Thread.Sleep((int)(rng.NextDouble() * rng.NextDouble() * 40));
                    break;
            }
            child.KillHard();
            lines = child.Lines;
        }
        foreach (string error in lines.Where(l => l.StartsWith("ERROR", StringComparison.Ordinal)))
        {
            totals.ChildErrors++;
            Console.WriteLine($"  {where}: the child failed: {error}");
        }

        if (Directory.Exists(s.Folder) && (Directory.GetFiles(s.Folder, "*.tmp").Length > 0 || Directory.GetFiles(s.Folder, "*.wal").Length > 1))
            totals.KillsInSeal++;
        var history = CrashHistory.Parse(lines, s.Present, mode == "perwrite");
        totals.Acknowledged += history.DurableCalls;
        if (history.InFlight is not null) totals.KillsInFlight++;
        if (history.InFlight == "C") totals.KillsInCompaction++;
        if (history.ReadyCount is { } ready && ready != s.Present.Count(kv => kv.Value))
        {
            totals.ReadyMismatches++;
            Console.WriteLine($"  {where}: the child opened {ready} items, the last check left {s.Present.Count(kv => kv.Value)}");
        }

        if (!VectorIndex.Exists(s.Folder))
        {
            // Killed inside Create: nothing can have been acknowledged, and nothing may be lost.
            int lostNow = s.Present.Count(kv => kv.Value) + history.DurableRowsCount;
            if (lostNow > 0)
            {
                totals.Lost += lostNow;
                Console.WriteLine($"  {where}: the index folder holds no index, but {lostNow} durable writes were acknowledged");
            }
            s.Wipe();
            return;
        }

        Dictionary<string, bool> observed;
        try
        {
            using var index = VectorIndex.Open(s.Folder, new OpenOptions { Durability = Durability.PerWrite });
            observed = Observe(index, s.Kind, where, totals);
        }
        catch (Exception e)
        {
            totals.OpenFailures++;
            string keep = Path.Combine(Path.GetTempPath(), $"aknn-crash-failure-{Environment.ProcessId}-{totals.Cycles}");
            if (totals.OpenFailures <= 3) CopyFolder(s.Folder, keep);
            Console.WriteLine($"  {where}: reopening failed ({e.GetType().Name}: {e.Message}){(totals.OpenFailures <= 3 ? $"; the folder is kept in {keep}" : "")}");
            s.Wipe();
            return;
        }

        int lost = history.Check(observed, out string? detail);
        if (detail is not null)
        {
            if (lost > 0) totals.Lost += lost;
            else totals.NotPrefix++;
            Console.WriteLine($"  {where}: {detail}");
        }
        s.Present = observed;
    }

    /// <summary>Reads every id's item back (checking it is whole), the count, an exact search over everything, and the checksums.</summary>
    private static Dictionary<string, bool> Observe(VectorIndex index, CrashIndexKind kind, string where, Totals totals)
    {
        var observed = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (string id in CrashItems.WideUniverse)
        {
            bool found = index.TryGet(id, out StoredItem? item);
            if (found && !CrashIndexes.IsWhole(kind, item!))
            {
                totals.HalfWritten++;
                Console.WriteLine($"  {where}: '{id}' is not the item written under that id");
            }
            observed[id] = found;
        }
        var live = observed.Where(kv => kv.Value).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        if (index.Count != live.Count)
        {
            totals.WrongResults++;
            Console.WriteLine($"  {where}: Count is {index.Count}, TryGet finds {live.Count}");
        }
        else if (live.Count > 0)
        {
            string q = live.First();
            if (CrashIndexes.CheckFullSearch(kind, q, CrashIndexes.ExactSearch(index, kind, q, live.Count + 10), live) is { } problem)
            {
                totals.WrongResults++;
                Console.WriteLine($"  {where}: {problem}");
            }
        }
        try
        {
            index.Verify();
        }
        catch (AknnException e)
        {
            totals.VerifyFailures++;
            Console.WriteLine($"  {where}: Verify failed: {e.Message}");
        }
        return observed;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)), overwrite: true);
    }
}

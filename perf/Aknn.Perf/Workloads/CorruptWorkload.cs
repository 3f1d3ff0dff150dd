using System.Diagnostics;
using Aknn.Embedded.CrashHelper;

namespace Aknn.Perf.Workloads;

/// <summary>
/// Reliability under damage: for each kind of index file, <c>--trials</c> single damages (a flipped
/// bit or byte at a random offset, or the file cut there) to a copy of a small, cleanly closed
/// index, alternating between a float index with an LSH model and a binary-code index (the LSH
/// model only exists in the first). Each trial is classified by <see cref="CorruptionTrial"/>:
/// detected, harmless, silent loss, wrong results, or another error.
/// </summary>
internal static class CorruptWorkload
{
    /// <summary>Examples of each bad outcome printed per file kind.</summary>
    private const int Examples = 3;

    public static void Run(PerfContext ctx)
    {
        int trials = ctx.Options.Trials;
        var rng = new Random(ctx.Options.Seed);
        string root = Path.Combine(Path.GetTempPath(), $"aknn-corrupt-{Environment.ProcessId}");
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        Directory.CreateDirectory(root);
        Console.WriteLine($"corrupt: {trials} trials per file kind, work in {root}");
        try
        {
            PristineIndex[] pristine =
            [
                PristineIndex.Build(Path.Combine(root, "pristine-float"), CrashIndexKind.Float),
                PristineIndex.Build(Path.Combine(root, "pristine-binary"), CrashIndexKind.Binary),
            ];
            string work = Path.Combine(root, "work");
            foreach (FileKind kind in Enum.GetValues<FileKind>())
            {
                var counts = Enum.GetValues<TrialOutcome>().ToDictionary(o => o, _ => 0L);
                var shown = Enum.GetValues<TrialOutcome>().ToDictionary(o => o, _ => 0);
                long truncations = 0;
                long t0 = Stopwatch.GetTimestamp();
                for (int t = 0; t < trials; t++)
                {
                    PristineIndex p = kind == FileKind.LshModel ? pristine[0] : pristine[t % 2];
                    var damage = new Damage(
                        Truncate: rng.Next(4) == 0,
                        FileChoice: rng.Next(1000),
                        PerMillion: rng.Next(1_000_000),
                        Mask: rng.Next(2) == 0 ? (byte)(1 << rng.Next(8)) : (byte)rng.Next(1, 256));
                    if (damage.Truncate) truncations++;
                    TrialResult result = CorruptionTrial.Run(p, kind, damage, work)
                        ?? throw new InvalidOperationException($"The pristine {p.Kind} index has no {kind} file.");
                    counts[result.Outcome]++;
                    if (result.Outcome is not (TrialOutcome.Detected or TrialOutcome.Harmless) && shown[result.Outcome]++ < Examples)
                        ResultPrinter.Note($"{kind}, {p.Kind} index, {damage}: {result}");
                }
                ctx.Printer.Emit(new ResultRow("aknn", "corrupt", 0, 0)
                    .Add("kind", KindName(kind))
                    .Add("trials", trials)
                    .Add("detected", counts[TrialOutcome.Detected])
                    .Add("harmless", counts[TrialOutcome.Harmless])
                    .Add("silent_loss", counts[TrialOutcome.SilentLoss])
                    .Add("wrong_results", counts[TrialOutcome.WrongResults])
                    .Add("other_errors", counts[TrialOutcome.OtherError])
                    .Add("truncations", truncations)
                    .Add("seconds", Stats.MsSince(t0) / 1000));
            }
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { }
        }
    }

    private static string KindName(FileKind kind) => kind switch
    {
        FileKind.Manifest => "manifest",
        FileKind.Log => "log",
        FileKind.Segment => "segment",
        FileKind.DeletionFile => "deletion",
        _ => "lsh_model",
    };
}

using System.Diagnostics;
using System.Globalization;
using Aknn.Embedded.CrashHelper;
using Aknn.Embedded.Tests.Support;
using Xunit.Abstractions;

namespace Aknn.Embedded.Tests.Reliability;

/// <summary>
/// A child process writes with <see cref="Durability.PerWrite"/> and is killed with SIGKILL at
/// seeded random moments (during writes, seals, compactions, and its own start-up recovery); the
/// test then reopens the same folder and checks it against every write the child acknowledged.
/// </summary>
public class CrashTests(ITestOutputHelper output)
{
    /// <summary>One call the helper announced ("DO") and perhaps acknowledged ("ACK").</summary>
    private sealed record Op(string Kind, string[] Ids);

    [Fact]
    public void Acknowledged_writes_survive_sigkill_at_random_moments_and_nothing_is_half_written()
    {
        int rounds = Math.Max(20, EnvInt("AKNN_CRASH_ROUNDS") ?? 20);
        int seed = EnvInt("AKNN_CRASH_SEED") ?? 0x5EED;
        output.WriteLine($"rounds {rounds}, seed {seed} (set AKNN_CRASH_ROUNDS / AKNN_CRASH_SEED to change)");
        var rng = new Random(seed);
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        var present = CrashItems.Universe.ToDictionary(id => id, _ => false);
        int totalAcks = 0, roundsWithAcks = 0, killedInFlight = 0, killedInSeal = 0;
        var clock = Stopwatch.StartNew();

        for (int round = 0; round < rounds; round++)
        {
            // A third of the rounds keep the stored 64 MiB threshold (no seals); the rest seal every
            // dozen or so writes, so kills also land inside seals.
            long sealThreshold = (round % 3) switch { 0 => 0, 1 => 4096, _ => 8192 };
            // Kill at a random moment counted from process start (it may land in start-up recovery),
            // from READY (the first writes, still being compiled), or from the first acknowledgement.
            string from = rng.Next(10) switch { 0 or 1 => "start", 2 or 3 => "READY", _ => "ACK" };
            int delayMs = from == "start" ? rng.Next(0, 250) : rng.Next(0, 300);
            string where = $"round {round} (seal threshold {sealThreshold}, kill {delayMs} ms after {from})";

            List<string> lines;
            using (var helper = HelperProcess.Start("write", folder, (seed + round).ToString(CultureInfo.InvariantCulture),
                       sealThreshold.ToString(CultureInfo.InvariantCulture), "mixed"))
            {
                if (from != "start")
                {
                    string? mark = helper.WaitForLine(l => l.StartsWith(from, StringComparison.Ordinal) || l.StartsWith("ERROR", StringComparison.Ordinal),
                        TimeSpan.FromSeconds(30));
                    Assert.True(mark is not null, $"{where}: the helper never printed {from} (exited: {helper.HasExited}). stdout: {string.Join(" | ", helper.Lines)} stderr: {helper.StandardError}");
                }
                Thread.Sleep(delayMs);
                helper.KillHard();
                lines = [.. helper.Lines];
                Assert.False(lines.Any(l => l.StartsWith("ERROR", StringComparison.Ordinal)),
                    $"{where}: the helper failed: {string.Join(" | ", lines.Where(l => l.StartsWith("ERROR", StringComparison.Ordinal)))}\n{helper.StandardError}");
            }

            // Leftovers of a seal or compaction in progress: a temporary file, or a second log.
            if (Directory.Exists(folder) && (Directory.GetFiles(folder, "*.tmp").Length > 0 || Directory.GetFiles(folder, "*.wal").Length > 1))
                killedInSeal++;
            Op? inFlight = Replay(lines, present, where, out int acks);
            output.WriteLine($"{where}: {acks} acks; last line: {lines.LastOrDefault()}");
            totalAcks += acks;
            if (acks > 0) roundsWithAcks++;
            if (inFlight is not null) killedInFlight++;

            // Read-only first (it replays the log without repairing it), then a writer, which cuts
            // the torn tail and removes orphans; both must show the same state.
            Dictionary<string, bool>? seenReadOnly = null;
            if (VectorIndex.Exists(folder))
            {
                using (var ro = VectorIndex.Open(folder, new OpenOptions { ReadOnly = true }))
                    seenReadOnly = Check(ro, present, inFlight, where + " [read-only]");
                using (var rw = VectorIndex.Open(folder, new OpenOptions { Durability = Durability.PerWrite }))
                {
                    var seen = Check(rw, present, inFlight, where + " [writer]");
                    Assert.Equal(seenReadOnly, seen);
                    foreach (var (id, isPresent) in seen) present[id] = isPresent;
                }
                Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
            }
            else
            {
                // The index was never created (killed inside Create): nothing can have been acknowledged.
                Assert.True(present.Values.All(p => !p), $"{where}: writes were acknowledged but the folder holds no index");
            }
        }

        output.WriteLine($"{totalAcks} acknowledged calls in {roundsWithAcks}/{rounds} rounds; {killedInFlight} kills hit a call in flight, {killedInSeal} visibly inside a seal or compaction; {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(roundsWithAcks >= rounds / 2, $"Only {roundsWithAcks} of {rounds} rounds got any write acknowledged; the kills come too early to test anything.");
        Assert.True(present.Values.Any(p => p), "The index ended empty; the workload did not write anything.");
    }

    /// <summary>
    /// Applies the acknowledged calls in <paramref name="lines"/> to the model and returns the call
    /// that was announced but not acknowledged when the process died (its effect is unknown).
    /// </summary>
    private static Op? Replay(List<string> lines, Dictionary<string, bool> present, string where, out int acks)
    {
        Op? inFlight = null;
        acks = 0;
        foreach (string line in lines)
        {
            string[] p = line.Split(' ');
            if (p[0] == "READY")
            {
                // The helper reopened what the previous check left: its count must agree with the model.
                Assert.True(p.Length == 2, $"{where}: torn READY line '{line}'");
                Assert.Equal(present.Count(kv => kv.Value), long.Parse(p[1], CultureInfo.InvariantCulture));
                continue;
            }
            // Only complete lines count: a line cut short by the kill lacks its END marker.
            if (p.Length < 4 || p[3] != "END") continue;
            var op = new Op(p[1], p[2] == "-" ? [] : p[2].Split(','));
            if (p[0] == "DO")
            {
                Assert.True(inFlight is null, $"{where}: '{line}' began before the previous call was acknowledged");
                inFlight = op;
            }
            else if (p[0] == "ACK")
            {
                Assert.True(inFlight is not null && inFlight.Kind == op.Kind && inFlight.Ids.SequenceEqual(op.Ids), $"{where}: '{line}' acknowledges a call that was not announced");
                switch (op.Kind)
                {
                    case "U":
                    case "B":
                        foreach (string id in op.Ids) present[id] = true;
                        break;
                    case "D":
                        // Delete reports whether the id was stored: the model must agree.
                        Assert.True(p.Length == 5, $"{where}: '{line}' lacks the delete result");
                        Assert.True(bool.Parse(p[4]) == present[op.Ids[0]], $"{where}: Delete('{op.Ids[0]}') returned {p[4]} but the model says present={present[op.Ids[0]]}");
                        present[op.Ids[0]] = false;
                        break;
                }
                inFlight = null;
                acks++;
            }
        }
        return inFlight;
    }

    /// <summary>
    /// Checks that the index holds exactly the acknowledged state (the call in flight may or may
    /// not have happened; a batch in flight only as a prefix of its rows), that every item is whole,
    /// that Count and exact search agree with the items, and that every checksum holds. Returns
    /// which ids are present.
    /// </summary>
    private static Dictionary<string, bool> Check(VectorIndex index, Dictionary<string, bool> expected, Op? inFlight, string where)
    {
        var seen = new Dictionary<string, bool>();
        var uncertain = inFlight?.Kind is "U" or "D" or "B" ? inFlight.Ids.ToHashSet() : [];
        foreach (string id in CrashItems.Universe)
        {
            bool isPresent = index.TryGet(id, out StoredItem? item);
            if (isPresent)
            {
                Assert.True(CrashItems.Vector(id).AsSpan().SequenceEqual(item!.Vector), $"{where}: the vector of '{id}' is not the one written (half-written or mixed up)");
                Assert.True(CrashItems.Payload(id).AsSpan().SequenceEqual(item.Payload), $"{where}: the payload of '{id}' is not the one written (half-written or mixed up)");
            }
            if (!uncertain.Contains(id))
                Assert.True(isPresent == expected[id], $"{where}: '{id}' should be {(expected[id] ? "present (acknowledged upsert lost)" : "absent (acknowledged delete lost, or never written)")}");
            seen[id] = isPresent;
        }

        if (inFlight?.Kind == "B")
        {
            // A batch is recovered as a prefix of its rows: among the ids that were absent before,
            // none may be present after one that is absent.
            bool gap = false;
            foreach (string id in inFlight.Ids.Where(id => !expected[id]))
            {
                if (!seen[id]) gap = true;
                else Assert.False(gap, $"{where}: batch [{string.Join(",", inFlight.Ids)}] was recovered with a hole before '{id}', not as a prefix");
            }
        }

        int live = seen.Count(kv => kv.Value);
        Assert.Equal(live, index.Count);
        if (live > 0)
        {
            string probe = seen.First(kv => kv.Value).Key;
            float[] q = CrashItems.Vector(probe);
            var hits = index.Search(q, new SearchOptions { K = CrashItems.UniverseSize + 10, IncludePayload = true });
            Assert.Equal(live, hits.Count);
            Assert.Equal(live, hits.Select(h => h.Id).Distinct().Count());
            Assert.Equal(probe, hits[0].Id);
            Assert.Equal(0f, hits[0].Distance);
            foreach (Hit h in hits)
            {
                Assert.True(seen.TryGetValue(h.Id, out bool p) && p, $"{where}: search returned '{h.Id}', which TryGet does not find");
                Assert.Equal(Data.Distance(Metric.Euclidean, q, CrashItems.Vector(h.Id)), h.Distance, 0.01);
                Assert.True(CrashItems.Payload(h.Id).AsSpan().SequenceEqual(h.Payload ?? []), $"{where}: search returned a wrong payload for '{h.Id}'");
            }
        }
        index.Verify();
        return seen;
    }

    private static int? EnvInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : null;
}

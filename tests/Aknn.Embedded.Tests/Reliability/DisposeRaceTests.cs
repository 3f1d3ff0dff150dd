using System.Diagnostics;
using Aknn.Embedded.CrashHelper;
using Aknn.Embedded.Tests.Support;
using Xunit.Abstractions;

namespace Aknn.Embedded.Tests.Reliability;

/// <summary>
/// Dispose while background seals and a compaction on another thread are running, then open the
/// folder again at once (while the old compaction may still be finishing): every reopen must
/// succeed and hold every write that returned before Dispose, whatever the old compaction does.
/// </summary>
public class DisposeRaceTests(ITestOutputHelper output)
{
    private const int MinRounds = 20;
    private const int MaxRounds = 200;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(4);

    [Fact]
    public void Dispose_racing_seals_and_a_compaction_leaves_an_index_that_reopens_with_every_write()
    {
        var rng = new Random(0xD15);
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        var live = new HashSet<string>(StringComparer.Ordinal);
        var compactions = new Dictionary<string, int>();
        var options = new OpenOptions { Durability = Durability.Manual, SealThresholdBytes = 4096 };
        // A float index with an LSH model fitted early: seals also write postings.
        VectorIndex index = VectorIndex.Create(folder, CrashIndexes.Create(CrashIndexKind.Float, Durability.Manual, 4096));
        var clock = Stopwatch.StartNew();
        int rounds = 0;
        try
        {
            for (; rounds < MaxRounds && (rounds < MinRounds || clock.Elapsed < Budget); rounds++)
            {
                string where = $"round {rounds}";
                // Enough writes to seal in the background every dozen or so.
                Write(index, rng, live, rng.Next(5, 40));
                VectorIndex racing = index;
                var signal = new StartSignal();
                Task compaction = Task.Run(() => racing.Compact(signal));
                // Mostly wait until the compaction is writing its merged segment (its first progress
                // report), so that Dispose meets a running compaction; otherwise race its start. Then
                // sometimes write (and so seal) a little more first.
                if (rng.Next(4) != 0) signal.Started.Wait(TimeSpan.FromSeconds(10));
                if (rng.Next(2) == 0) Write(index, rng, live, rng.Next(1, 15));
                else Thread.SpinWait(rng.Next(0, 200_000));
                bool running = signal.Started.IsSet && !compaction.IsCompleted;
                index.Dispose();

                index = Reopen(folder, options, where + ", reopened at once");
                CheckHolds(index, live, where + ", reopened at once");

                string outcome = (running ? "disposed while running: " : "") + Outcome(compaction, where);
                compactions[outcome] = compactions.GetValueOrDefault(outcome) + 1;
                // The old compaction has ended: whatever it did must not have touched the new writer's files.
                CheckHolds(index, live, where + ", after the old compaction ended");
            }
            index.Dispose();
            index = Reopen(folder, options, "the final reopen");
            CheckHolds(index, live, "the final reopen");
            index.Verify();
        }
        finally
        {
            index.Dispose();
        }
        output.WriteLine($"{rounds} rounds in {clock.Elapsed.TotalSeconds:F1} s; compactions: {string.Join(", ", compactions.Select(kv => $"{kv.Key} {kv.Value}"))}");
    }

    /// <summary>Set by the compaction's first progress report, on the compaction's own thread.</summary>
    private sealed class StartSignal : IProgress<CompactionProgress>
    {
        public ManualResetEventSlim Started { get; } = new();

        public void Report(CompactionProgress value) => Started.Set();
    }

    private static void Write(VectorIndex index, Random rng, HashSet<string> live, int count)
    {
        for (int i = 0; i < count; i++)
        {
            string id = CrashItems.UniverseId(rng.Next(CrashItems.UniverseSize));
            if (rng.Next(5) == 0)
            {
                Assert.Equal(live.Remove(id), index.Delete(id));
            }
            else
            {
                CrashIndexes.Upsert(index, CrashIndexKind.Float, id);
                live.Add(id);
            }
        }
    }

    private static VectorIndex Reopen(string folder, OpenOptions options, string where)
    {
        try
        {
            return VectorIndex.Open(folder, options);
        }
        catch (Exception e)
        {
            Assert.Fail($"{where}: Open threw {e.GetType().Name}: {e.Message}\nFiles: {string.Join(", ", Directory.GetFiles(folder).Select(Path.GetFileName).Order())}");
            throw;
        }
    }

    /// <summary>How the compaction on the disposed index ended: it may finish, or stop because the index was disposed; nothing else.</summary>
    private static string Outcome(Task compaction, string where)
    {
        Assert.True(Task.WhenAny(compaction, Task.Delay(TimeSpan.FromSeconds(60))).Result == compaction, $"{where}: the compaction never ended");
        if (compaction.IsCompletedSuccessfully) return "completed";
        Exception e = compaction.Exception!.GetBaseException();
        Assert.True(e is ObjectDisposedException or OperationCanceledException,
            $"{where}: the compaction on the disposed index failed with {e.GetType().Name}: {e.Message}");
        return e.GetType().Name;
    }

    private static void CheckHolds(VectorIndex index, HashSet<string> live, string where)
    {
        try
        {
            Assert.True(live.Count == index.Count, $"{where}: Count is {index.Count}, {live.Count} writes are live");
            foreach (string id in CrashItems.Universe)
            {
                bool found = index.TryGet(id, out StoredItem? item);
                Assert.True(found == live.Contains(id), $"{where}: '{id}' should be {(live.Contains(id) ? "present" : "absent")}");
                if (found) Assert.True(CrashIndexes.IsWhole(CrashIndexKind.Float, item!), $"{where}: '{id}' is not the item written");
            }
            if (live.Count > 0)
            {
                string q = live.First();
                Assert.Null(CrashIndexes.CheckFullSearch(CrashIndexKind.Float, q, CrashIndexes.ExactSearch(index, CrashIndexKind.Float, q, live.Count + 10), live));
            }
        }
        catch (AknnException e)
        {
            Assert.Fail($"{where}: reading threw {e.GetType().Name}: {e.Message}");
        }
    }
}

using Aknn.Embedded.CrashHelper;
using Aknn.Embedded.Tests.Support;

namespace Aknn.Embedded.Tests.Reliability;

/// <summary>
/// One writer per index folder, in this process or any other; read-only opens work alongside the
/// writer and see its acknowledged writes as of the moment they open.
/// </summary>
public class LockTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static void UpsertItem(VectorIndex index, string id) => index.Upsert(id, CrashItems.Vector(id), CrashItems.Payload(id));

    private static VectorIndex CreateCrashShaped(string folder, long sealThreshold = 64L << 20) =>
        VectorIndex.Create(folder, new IndexOptions
        {
            Dimensions = CrashItems.Dimensions, Durability = Durability.PerWrite, SealThresholdBytes = sealThreshold,
        });

    /// <summary>Asserts that the index holds exactly seq-0 … seq-(count−1) of the append workload, each whole.</summary>
    private static void AssertAppendPrefix(VectorIndex index, long count)
    {
        Assert.Equal(count, index.Count);
        for (int i = 0; i < count; i++)
        {
            string id = CrashItems.AppendId(i);
            Assert.True(index.TryGet(id, out StoredItem? item), $"{id} is missing from a prefix of {count}");
            Assert.Equal(CrashItems.Vector(id), item.Vector);
            Assert.Equal(CrashItems.Payload(id), item.Payload);
        }
        Assert.False(index.Contains(CrashItems.AppendId((int)count)));
        if (count > 0)
            Assert.Equal((int)count, index.Search(CrashItems.Vector(CrashItems.AppendId(0)), new SearchOptions { K = (int)count + 5 }).Count);
    }

    [Fact]
    public void Second_writer_in_the_same_process_is_refused_until_the_first_is_disposed()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        var first = CreateCrashShaped(folder);
        UpsertItem(first, "a");

        var e = Assert.Throws<IndexLockedException>(() => VectorIndex.Open(folder));
        Assert.Equal(folder, e.Path);
        Assert.Contains("already open for writing", e.Message);
        Assert.Contains("dispose the other instance", e.Message);
        // The same folder spelled differently is the same index.
        Assert.Throws<IndexLockedException>(() => VectorIndex.Open(Path.Combine(folder, ".") + Path.DirectorySeparatorChar));
        Assert.Throws<IndexLockedException>(() => VectorIndex.OpenOrCreate(folder, new IndexOptions { Dimensions = CrashItems.Dimensions }));

        // The refused opens changed nothing: the first writer keeps working.
        UpsertItem(first, "b");
        Assert.Equal(2, first.Count);
        first.Dispose();

        using var second = VectorIndex.Open(folder);
        Assert.Equal(2, second.Count);
    }

    [Fact]
    public void Concurrent_opens_in_one_process_yield_exactly_one_writer()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        CreateCrashShaped(folder).Dispose();

        for (int round = 0; round < 5; round++)
        {
            using var start = new Barrier(8);
            var results = new object?[8];
            var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                try { results[t] = VectorIndex.Open(folder); }
                catch (Exception e) { results[t] = e; }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            Assert.Single(results.OfType<VectorIndex>());
            Assert.All(results.Where(r => r is not VectorIndex), r => Assert.IsType<IndexLockedException>(r));
            foreach (var index in results.OfType<VectorIndex>()) index.Dispose();
        }
    }

    [Fact]
    public void Writer_in_another_process_keeps_this_process_out_until_it_closes()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        using (var index = CreateCrashShaped(folder)) UpsertItem(index, "a");

        using var holder = HelperProcess.Start("hold", folder);
        Assert.Equal("READY", holder.WaitForLine(l => l is "READY" || l.StartsWith("ERROR", StringComparison.Ordinal), Patience));

        var e = Assert.Throws<IndexLockedException>(() => VectorIndex.Open(folder));
        Assert.Contains("in this process or another", e.Message);
        Assert.Contains("OpenOptions { ReadOnly = true }", e.Message);
        using (var ro = VectorIndex.Open(folder, new OpenOptions { ReadOnly = true }))
            Assert.True(ro.Contains("a"));

        holder.SendLine("close");
        Assert.Equal("CLOSED", holder.WaitForLine(l => l is "CLOSED", Patience));
        Assert.True(holder.WaitForExit(Patience));
        using var mine = VectorIndex.Open(folder);
        UpsertItem(mine, "b");
        Assert.Equal(2, mine.Count);
    }

    [Fact]
    public void Writer_lock_of_a_killed_process_is_released_at_once()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        CreateCrashShaped(folder).Dispose();

        using var holder = HelperProcess.Start("hold", folder);
        Assert.Equal("READY", holder.WaitForLine(l => l is "READY" || l.StartsWith("ERROR", StringComparison.Ordinal), Patience));
        Assert.Throws<IndexLockedException>(() => VectorIndex.Open(folder));

        holder.KillHard();
        using var mine = VectorIndex.Open(folder);
        UpsertItem(mine, "after-kill");
        Assert.Equal(1, mine.Count);
    }

    [Fact]
    public void Another_process_cannot_write_an_index_this_process_writes_but_can_read_it()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        using var mine = CreateCrashShaped(folder);
        UpsertItem(mine, "a");
        UpsertItem(mine, "b");

        using (var writer = HelperProcess.Start("try-open", folder))
        {
            Assert.True(writer.WaitForExit(Patience));
            Assert.True(writer.ExitCode == 3, $"exit {writer.ExitCode}: {string.Join(" | ", writer.Lines)} {writer.StandardError}");
            Assert.Contains(writer.Lines, l => l.StartsWith("LOCKED", StringComparison.Ordinal) && l.Contains("already open for writing"));
        }
        using (var reader = HelperProcess.Start("try-open", folder, "readonly"))
        {
            Assert.True(reader.WaitForExit(Patience));
            Assert.True(reader.ExitCode == 0, $"exit {reader.ExitCode}: {string.Join(" | ", reader.Lines)} {reader.StandardError}");
            Assert.Contains("OPENED 2", reader.Lines);
        }
        UpsertItem(mine, "c");
        Assert.Equal(3, mine.Count);
    }

    [Fact]
    public void Read_only_open_while_another_process_writes_sees_every_acknowledged_write_and_nothing_torn()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        CreateCrashShaped(folder, sealThreshold: 4096).Dispose(); // seals every dozen writes while we read

        using var writer = HelperProcess.Start("write", folder, "1", "4096", "append");
        var opened = new List<(VectorIndex Index, long Count)>();
        try
        {
            for (int probe = 1; probe <= 12; probe++)
            {
                // Wait for a few more acknowledgements, then count them (all before the open).
                string need = CrashItems.AppendId(probe * 6);
                Assert.NotNull(writer.WaitForLine(l => l == $"ACK U {need} END" || l.StartsWith("ERROR", StringComparison.Ordinal), Patience));
                int lastAcked = writer.Lines.Count(l => l.StartsWith("ACK ", StringComparison.Ordinal)) - 1;

                var ro = VectorIndex.Open(folder, new OpenOptions { ReadOnly = true });
                opened.Add((ro, ro.Count));
                // Everything acknowledged before the open is there, whole, in write order (the
                // writer may have gone further than the lines received so far tell).
                Assert.True(ro.Count >= lastAcked + 1, $"probe {probe}: read-only open sees {ro.Count} items but {lastAcked + 1} were acknowledged before it opened");
                AssertAppendPrefix(ro, ro.Count);
                ro.Verify();
            }
            // Each read-only index still shows the state it opened on, while seals went on underneath.
            foreach (var (ro, count) in opened) AssertAppendPrefix(ro, count);
        }
        finally
        {
            foreach (var (ro, _) in opened) ro.Dispose();
            writer.KillHard();
        }
        Assert.DoesNotContain(writer.Lines, l => l.StartsWith("ERROR", StringComparison.Ordinal));
        // Nothing was seen that the writer had not at least begun to write.
        int announced = writer.Lines.Count(l => l.StartsWith("DO ", StringComparison.Ordinal));
        Assert.All(opened, o => Assert.InRange(o.Count, 0, announced));
        using var after = VectorIndex.Open(folder, new OpenOptions { ReadOnly = true });
        Assert.True(after.GetStatistics().SegmentCount > 0, "the writer never sealed, so the test did not read across seals");
    }

    [Fact]
    public void Read_only_index_in_the_same_process_keeps_its_snapshot_while_the_writer_seals_and_compacts()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        using var writer = CreateCrashShaped(folder, sealThreshold: 4096);
        for (int i = 0; i < 40; i++) UpsertItem(writer, CrashItems.AppendId(i));

        using var ro = VectorIndex.Open(folder, new OpenOptions { ReadOnly = true });
        AssertAppendPrefix(ro, 40);
        Assert.Throws<IndexReadOnlyException>(() => UpsertItem(ro, "nope"));

        for (int i = 40; i < 100; i++) UpsertItem(writer, CrashItems.AppendId(i));
        writer.Compact(); // merges and deletes the segments the read-only index has mapped
        Assert.Equal(1, writer.GetStatistics().SegmentCount);
        AssertAppendPrefix(ro, 40);
        ro.Verify();

        using var fresh = VectorIndex.Open(folder, new OpenOptions { ReadOnly = true });
        AssertAppendPrefix(fresh, 100);
        Assert.Equal(100, writer.Count);
    }
}

using Aknn.Embedded.Tests.Support;

namespace Aknn.Embedded.Tests.Storage;

/// <summary>Sealing runs in the background: writes go on, and a crash before the seal is installed loses nothing.</summary>
public class BackgroundSealTests
{
    private static float[] VectorOf(int i) => [i, -i, i * 0.5f, 1];

    [Fact]
    public void A_crash_before_a_background_seal_is_installed_recovers_every_write_from_both_logs()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index("live");
        var faults = new DiskFaults { FailWhen = (path, _, _) => path.EndsWith(".seg.tmp", StringComparison.Ordinal) };
        using var index = VectorIndex.Create(folder, new IndexOptions
        {
            Dimensions = 4, Durability = Durability.PerWrite, SealThresholdBytes = 4096, Faults = faults,
        });
        for (int i = 0; i < 60; i++) index.Upsert($"v{i}", VectorOf(i));
        index.Delete("v3");
        index.WaitForBackgroundWork();

        // The seal could not write its segment: the frozen rows are still served, from memory and the old log.
        Assert.True(faults.Refused > 0);
        Assert.Equal(0, index.GetStatistics().SegmentCount);
        Assert.Equal(2, Directory.GetFiles(folder, "*.wal").Length);
        Assert.Equal(59, index.Count);
        Assert.Equal("v10", index.Search(VectorOf(10), new SearchOptions { K = 1 })[0].Id);

        // A copy of the folder as it is now is what a crash would leave behind.
        string copy = tmp.Index("after-crash");
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(folder))
            if (Path.GetFileName(file) != "LOCK") File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));

        using (var recovered = VectorIndex.Open(copy, new OpenOptions { SealThresholdBytes = 1 << 20 }))
        {
            Assert.Equal(59, recovered.Count);
            Assert.False(recovered.Contains("v3"));
            for (int i = 0; i < 60; i++)
                if (i != 3) Assert.Equal(VectorOf(i), Assert.IsType<StoredItem>(Get(recovered, $"v{i}")).Vector);
            recovered.Upsert("new", VectorOf(100));
        }
        using (var again = VectorIndex.Open(copy))
        {
            Assert.Equal(60, again.Count);
            again.Compact(); // seals: every older log is dropped
            Assert.Single(Directory.GetFiles(copy, "*.wal"));
            Assert.Equal(60, again.Count);
        }

        // Space returns: the stalled seal goes through on a later write.
        faults.FailWhen = null;
        for (int i = 60; i < 120; i++) index.Upsert($"v{i}", VectorOf(i));
        index.WaitForBackgroundWork();
        Assert.True(index.GetStatistics().SegmentCount > 0);
        Assert.Equal(119, index.Count);
    }

    [Fact]
    public void Deletions_of_rows_being_sealed_are_carried_into_the_new_segment()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        using (var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = 4, SealThresholdBytes = 4096 }))
        {
            for (int round = 0; round < 20; round++)
            {
                for (int i = 0; i < 30; i++) index.Upsert($"r{round}-{i}", VectorOf(round * 100 + i));
                // Delete rows that may sit in the frozen tail while its segment is being written.
                for (int i = 0; i < 30; i += 3) Assert.True(index.Delete($"r{round}-{i}"));
            }
            index.WaitForBackgroundWork();
            Assert.Equal(20 * 20, index.Count);
        }
        using var reopened = VectorIndex.Open(folder);
        Assert.Equal(20 * 20, reopened.Count);
        for (int round = 0; round < 20; round++)
            for (int i = 0; i < 30; i++)
                Assert.Equal(i % 3 != 0, reopened.Contains($"r{round}-{i}"));
        Assert.Equal(20 * 20, reopened.SearchRadius(VectorOf(0), float.MaxValue).Count);
    }

    private static StoredItem? Get(VectorIndex index, string id) => index.TryGet(id, out var item) ? item : null;
}

using Aknn.Embedded.Tests.Support;

namespace Aknn.Embedded.Tests.Storage;

public class EdgeCaseTests
{
    [Fact]
    public void Component_beyond_the_magnitude_limit_is_rejected_and_named()
    {
        using var tmp = new TempFolder();
        using var index = VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = 3, Metric = Metric.Euclidean });
        var e = Assert.Throws<InvalidVectorException>(() => index.Upsert("big", [1, -2e15f, 0]));
        Assert.Contains("Component 1", e.Message);
        Assert.Contains("scale your vectors down", e.Message);
        index.Upsert("ok", [1, -1e15f, 0]);
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Vector_too_short_for_a_direction_is_rejected_under_cosine()
    {
        using var tmp = new TempFolder();
        using var index = VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = 2, Metric = Metric.Cosine });
        var e = Assert.Throws<InvalidVectorException>(() => index.Upsert("tiny", [1e-30f, 0]));
        Assert.Contains("so short", e.Message);
        index.Upsert("unit", [1, 0]);
        Assert.Equal(0, index.Search([2, 0])[0].Distance, 6);
    }

    [Fact]
    public void Zeroed_hole_in_the_log_before_intact_records_is_a_torn_tail_after_power_loss()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        using (var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = 256, Durability = Durability.Manual }))
        {
            for (int i = 0; i < 10; i++) index.Upsert($"v{i}", Enumerable.Repeat((float)i, 256).ToArray());
            index.Commit();
        }
        // Zero the 4th record's second half (an unwritten page), leaving later records intact.
        string log = Directory.GetFiles(folder, "log-*.wal").Single();
        byte[] bytes = File.ReadAllBytes(log);
        int recordSize = (bytes.Length - 32) / 10;
        int start = 32 + 3 * recordSize;
        int sector = (start + 511) & ~511;
        Array.Clear(bytes, sector, 512);
        Assert.True(sector + 512 <= start + recordSize + 512, "the hole lies inside or right after the fourth record");
        File.WriteAllBytes(log, bytes);

        using var reopened = VectorIndex.Open(folder);
        long kept = reopened.Count;
        Assert.InRange(kept, 3, 4);
        for (int i = 0; i < kept; i++) Assert.True(reopened.Contains($"v{i}"));
        reopened.Upsert("after", new float[256]);
        Assert.Equal(kept + 1, reopened.Count);
    }
}

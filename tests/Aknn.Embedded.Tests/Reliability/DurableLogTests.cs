using Aknn.Embedded.Tests.Support;

namespace Aknn.Embedded.Tests.Reliability;

/// <summary>
/// Issue 10, finding 1: log replay may cut a damaged record off as a torn write only when it lies
/// past the point the log is known to be durable and nothing intact follows it; any other damage is
/// reported, and the log is left exactly as it was.
/// </summary>
public class DurableLogTests
{
    /// <summary>Upserts a, b (with a 1,100-byte zero payload: a whole zeroed sector), c and d under PerWrite, then closes.</summary>
    private static string BuildFourRecords(TempFolder tmp, out long bIdOffset)
    {
        string folder = tmp.Index();
        using (var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = 4, Durability = Durability.PerWrite }))
        {
            index.Upsert("a", [1, 0, 0, 0]);
            index.Upsert("b", [0, 1, 0, 0], new byte[1100]);
            index.Upsert("c", [0, 0, 1, 0]);
            index.Upsert("d", [0, 0, 0, 1]);
        }
        // Header (32) + record a (24 + 1 id byte + 16 vector bytes); b's id byte follows b's 24-byte prefix.
        bIdOffset = 32 + (24 + 1 + 16) + 24;
        return folder;
    }

    [Fact]
    public void A_flipped_bit_in_a_record_with_a_zero_sector_is_reported_not_cut_off()
    {
        using var tmp = new TempFolder();
        string folder = BuildFourRecords(tmp, out long bId);
        string log = FileSurgery.Single(folder, "log-*.wal");
        FileSurgery.FlipByte(log, bId);
        byte[] before = File.ReadAllBytes(log);

        var e = Assert.Throws<IndexCorruptedException>(() => VectorIndex.Open(folder));
        Assert.Equal(log, e.FilePath);
        Assert.Equal(32 + 41, e.Offset);                        // b's record starts there
        Assert.Equal(before, File.ReadAllBytes(log));           // not cut, not changed
    }

    [Fact]
    public void Damage_in_the_last_record_of_a_cleanly_closed_log_is_reported()
    {
        using var tmp = new TempFolder();
        string folder = BuildFourRecords(tmp, out _);
        string log = FileSurgery.Single(folder, "log-*.wal");
        long length = new FileInfo(log).Length;
        FileSurgery.FlipByte(log, length - 2);                  // inside d's vector

        var e = Assert.Throws<IndexCorruptedException>(() => VectorIndex.Open(folder));
        Assert.Contains("flushed to disk", e.Message);
        Assert.Equal(length, new FileInfo(log).Length);
    }

    [Fact]
    public void A_truncated_log_of_a_cleanly_closed_index_is_reported()
    {
        using var tmp = new TempFolder();
        string folder = BuildFourRecords(tmp, out _);
        string log = FileSurgery.Single(folder, "log-*.wal");
        long length = new FileInfo(log).Length;
        FileSurgery.Truncate(log, length - 10);

        var e = Assert.Throws<IndexCorruptedException>(() => VectorIndex.Open(folder));
        Assert.Contains("truncated", e.Message);
        Assert.Equal(length - 10, new FileInfo(log).Length);
    }

    [Fact]
    public void A_torn_record_past_the_durable_point_of_a_crashed_writer_is_cut_off()
    {
        using var tmp = new TempFolder();
        string folder = BuildFourRecords(tmp, out _);
        string log = FileSurgery.Single(folder, "log-*.wal");
        long durable = new FileInfo(log).Length;
        // A writer that crashed after the clean close's durable point: half of a fifth record.
        using (var more = VectorIndex.Open(folder, new OpenOptions { Durability = Durability.Manual }))
        {
            more.Upsert("e", [1, 1, 0, 0]);
            more.Commit();
        }
        // Reopening re-recorded the whole log as durable; put the old mark back to act as the crash.
        long full = new FileInfo(log).Length;
        FileSurgery.Truncate(log, full - 5);
        FileSurgery.SetLogDurableLength(folder, durable);

        using var reopened = VectorIndex.Open(folder);
        Assert.Equal(4, reopened.Count);
        Assert.False(reopened.Contains("e"));
        Assert.Equal(durable, new FileInfo(log).Length);
        reopened.Upsert("f", [0, 1, 1, 0]);
        Assert.Equal(5, reopened.Count);
    }

    [Fact]
    public void A_zeroed_hole_before_intact_records_is_reported_even_past_the_durable_point()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        using (var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = 256, Durability = Durability.Manual }))
        {
            for (int i = 0; i < 10; i++) index.Upsert($"v{i}", Enumerable.Repeat((float)i + 1, 256).ToArray());
        }
        string log = FileSurgery.Single(folder, "log-*.wal");
        FileSurgery.SetLogDurableLength(folder, 32);                         // as if the writer had crashed before any flush
        byte[] bytes = File.ReadAllBytes(log);
        int recordSize = (bytes.Length - 32) / 10;
        Array.Clear(bytes, 32 + 3 * recordSize + 100, 512);
        File.WriteAllBytes(log, bytes);

        var e = Assert.Throws<IndexCorruptedException>(() => VectorIndex.Open(folder));
        Assert.Equal(32 + 3 * recordSize, e.Offset);
        Assert.Contains("intact records follow", e.Message);
        Assert.Equal(bytes, File.ReadAllBytes(log));
    }
}

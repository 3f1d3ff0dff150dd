using Aknn.Embedded.Storage;
using Aknn.Embedded.Tests.Support;

namespace Aknn.Embedded.Tests.Reliability;

/// <summary>
/// Issue 10, finding 2 and the loose ends: closing under a running compaction, full disks during
/// Compact and Create, the disposed-index message, and one validation rule per option.
/// </summary>
public class CloseAndFaultTests
{
    /// <summary>Holds every write of a compaction's segment (written as seg-N.seg.tmp; the one numbered <paramref name="fromSegment"/> or later) until released.</summary>
    private sealed class SlowCompaction(long fromSegment) : IFaultInjector
    {
        public readonly ManualResetEventSlim Started = new();
        public readonly ManualResetEventSlim Release = new();

        public void BeforeWrite(string path, long offset, int count)
        {
            string name = Path.GetFileName(path);
            if (!name.EndsWith(".seg.tmp", StringComparison.Ordinal) || !long.TryParse(name.AsSpan(4, 6), out long n) || n < fromSegment) return;
            Started.Set();
            Release.Wait(TimeSpan.FromSeconds(10));
        }
    }

    private static string BuildSegments(TempFolder tmp, int rows, out long nextSegment)
    {
        string folder = tmp.Index();
        using (var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = 16, Durability = Durability.PerWrite, SealThresholdBytes = 4096 }))
        {
            var rng = new Random(7);
            for (int i = 0; i < rows; i++) index.Upsert($"r{i}", Data.Vector(rng, 16));
            for (int i = 0; i < rows; i += 5) index.Delete($"r{i}");
        }
        nextSegment = Directory.GetFiles(folder).Select(Path.GetFileName).Where(n => n!.StartsWith("seg-") || n.StartsWith("log-"))
            .Max(n => long.Parse(n!.AsSpan(4, 6))) + 1;
        return folder;
    }

    [Fact]
    public async Task Dispose_during_a_running_compaction_waits_for_it_and_the_next_writer_opens_cleanly()
    {
        using var tmp = new TempFolder();
        string folder = BuildSegments(tmp, 300, out long next);
        var slow = new SlowCompaction(next);
        var index = VectorIndex.Open(folder, new OpenOptions { Faults = slow });
        int live = (int)index.Count;
        var compaction = Task.Run(() => index.Compact());
        Assert.True(slow.Started.Wait(TimeSpan.FromSeconds(10)), "the compaction started writing its segment");

        var closing = Task.Run(index.Dispose);
        Thread.Sleep(100);
        Assert.False(closing.IsCompleted, "Dispose waits while the compaction's write is in progress");
        slow.Release.Set();
        await closing.WaitAsync(TimeSpan.FromSeconds(10));
        var e = await Assert.ThrowsAsync<ObjectDisposedException>(() => compaction);
        Assert.Contains("Compact", e.Message);

        // The next writer reuses nothing and finds every row; a compaction it runs works.
        using var reopened = VectorIndex.Open(folder);
        Assert.Equal(live, reopened.Count);
        reopened.Compact();
        reopened.Upsert("after", new float[16]);
        Assert.Equal(live + 1, reopened.Count);
        reopened.Dispose();
        using var again = VectorIndex.Open(folder);
        Assert.Equal(live + 1, again.Count);
    }

    [Fact]
    public void File_numbers_left_by_an_interrupted_writer_are_never_handed_out_again()
    {
        using var tmp = new TempFolder();
        string folder = BuildSegments(tmp, 100, out long next);
        // A stray segment file with a number the manifest never recorded, as a writer that stopped
        // mid-compaction leaves it; the next writer must start numbering past it.
        File.WriteAllBytes(Path.Combine(folder, $"seg-{next + 5:D6}.seg"), [1, 2, 3]);
        using var index = VectorIndex.Open(folder);
        index.Compact();
        var numbers = Directory.GetFiles(folder, "seg-*.seg").Select(p => long.Parse(Path.GetFileName(p).AsSpan(4, 6))).ToArray();
        Assert.All(numbers, n => Assert.True(n > next + 5, $"segment {n} was numbered past the stray file"));
    }

    [Fact]
    public void A_full_disk_while_Compact_writes_its_segment_is_a_StorageFullException_and_compaction_can_be_retried()
    {
        using var tmp = new TempFolder();
        string folder = BuildSegments(tmp, 200, out long next);
        var faults = new DiskFaults { FailWhen = (path, _, _) => path.EndsWith(".seg.tmp", StringComparison.Ordinal) && long.Parse(Path.GetFileName(path).AsSpan(4, 6)) >= next };
        using var index = VectorIndex.Open(folder, new OpenOptions { Faults = faults });
        long live = index.Count;
        int segments = index.GetStatistics().SegmentCount;

        var e = Assert.Throws<StorageFullException>(() => index.Compact());
        Assert.Contains("free disk space and call Compact again", e.Message);
        Assert.Equal(live, index.Count);
        Assert.Equal(segments, index.GetStatistics().SegmentCount);

        faults.FailWhen = null;
        index.Compact();
        Assert.Equal(1, index.GetStatistics().SegmentCount);
        Assert.Equal(live, index.Count);
    }

    [Fact]
    public void Create_on_a_full_disk_leaves_the_folder_empty_and_a_retry_succeeds()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        var faults = new DiskFaults { FailWhen = (path, _, _) => Path.GetFileName(path).StartsWith("MANIFEST", StringComparison.Ordinal) };
        Assert.Throws<StorageFullException>(() => VectorIndex.Create(folder, new IndexOptions { Dimensions = 4, Faults = faults }));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));

        using var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = 4 });
        index.Upsert("a", [1, 2, 3, 4]);
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Calls_on_a_disposed_index_name_VectorIndex_and_the_folder()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = 4 });
        index.Dispose();
        var e = Assert.Throws<ObjectDisposedException>(() => index.Upsert("a", [1, 2, 3, 4]));
        Assert.Equal(nameof(VectorIndex), e.ObjectName);
        Assert.Contains(folder, e.Message);
        Assert.DoesNotContain("IndexEngine", e.Message);
        var s = Assert.Throws<ObjectDisposedException>(() => index.Search([1, 2, 3, 4]));
        Assert.Contains(folder, s.Message);
        var c = Assert.Throws<ObjectDisposedException>(() => index.Compact());
        Assert.Equal(nameof(VectorIndex), c.ObjectName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(4095)]
    public void A_seal_threshold_under_4096_bytes_is_refused_when_opening_as_when_creating(long bytes)
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        var create = Assert.Throws<ArgumentOutOfRangeException>(() => VectorIndex.Create(folder, new IndexOptions { Dimensions = 4, SealThresholdBytes = bytes }));
        using (var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = 4 })) index.Upsert("a", [1, 2, 3, 4]);
        var open = Assert.Throws<ArgumentOutOfRangeException>(() => VectorIndex.Open(folder, new OpenOptions { SealThresholdBytes = bytes }));
        Assert.Equal(create.Message, open.Message);
        Assert.Contains("4096", open.Message);
        using var reopened = VectorIndex.Open(folder, new OpenOptions { SealThresholdBytes = 4096 });
        Assert.Equal(1, reopened.Count);
    }

    [Fact]
    public void A_negative_radius_is_refused_by_both_radius_searches()
    {
        using var tmp = new TempFolder();
        using var floats = VectorIndex.Create(tmp.Index("f"), new IndexOptions { Dimensions = 4, Metric = Metric.Euclidean });
        floats.Upsert("a", [1, 2, 3, 4]);
        var f = Assert.Throws<ArgumentOutOfRangeException>(() => floats.SearchRadius([1, 2, 3, 4], -1));
        Assert.Contains("0 or more", f.Message);

        using var codes = VectorIndex.Create(tmp.Index("c"), new IndexOptions { Dimensions = 64, Metric = Metric.Hamming });
        codes.UpsertCode("a", [42UL]);
        var c = Assert.Throws<ArgumentOutOfRangeException>(() => codes.SearchCodeRadius([42UL], -1));
        Assert.Contains("0 or more", c.Message);

        // Dot-product distances are negated dot products: a negative radius is meaningful there (and
        // a cosine distance can round a hair below 0, so a reported distance stays a valid radius).
        using var dot = VectorIndex.Create(tmp.Index("d"), new IndexOptions { Dimensions = 4, Metric = Metric.DotProduct });
        dot.Upsert("a", [1, 2, 3, 4]);
        Assert.Single(dot.SearchRadius([1, 2, 3, 4], -1));
    }

    [Fact]
    public void A_section_checksum_failure_says_the_offset_is_where_the_section_starts()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        using (var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = 4 }))
        {
            for (int i = 0; i < 20; i++) index.Upsert($"v{i}", [i, 1, 2, 3]);
            index.Compact();
        }
        string seg = FileSurgery.Single(folder, "seg-*.seg");
        var (offset, length) = SegmentLayout.Read(seg)[SectionKind.Vectors];
        FileSurgery.FlipByte(seg, offset + length / 2);
        using var reopened = VectorIndex.Open(folder);
        var e = Assert.Throws<IndexCorruptedException>(() => reopened.Search([1, 1, 2, 3]));
        Assert.Equal(offset, e.Offset);
        Assert.Contains("where that", e.Message);
    }
}

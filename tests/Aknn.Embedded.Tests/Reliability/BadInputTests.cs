using System.Text;
using Aknn.Embedded.Tests.Support;

namespace Aknn.Embedded.Tests.Reliability;

/// <summary>
/// Every kind of bad input fails with its own exception type and a message that says what was
/// wrong and what to do, and leaves the index usable with nothing lost.
/// </summary>
public class BadInputTests
{
    private const int Dims = 8;

    /// <summary>An index with a few items written before the bad input; <see cref="AssertIntact"/> checks them afterwards.</summary>
    private sealed class Fixture : IDisposable
    {
        private readonly TempFolder _tmp = new();
        private readonly Dictionary<string, (float[] Vector, byte[] Payload)> _items = [];

        public Fixture(Metric metric = Metric.Euclidean, IndexOptions? options = null, DiskFaults? faults = null)
        {
            Folder = _tmp.Index();
            Faults = faults;
            Index = VectorIndex.Create(Folder, options ?? new IndexOptions
            {
                Dimensions = Dims, Metric = metric, Durability = Durability.PerWrite, Faults = faults,
            });
            for (int i = 0; i < 5; i++) Upsert($"before-{i}");
        }

        public string Folder { get; }
        public DiskFaults? Faults { get; }
        public VectorIndex Index { get; private set; }

        public static float[] VectorOf(string id) => Data.Vector(new Random(id.Aggregate(17, (h, c) => unchecked(h * 31 + c))), Dims);

        public static byte[] PayloadOf(string id) => Encoding.UTF8.GetBytes("payload:" + id);

        /// <summary>Writes an item and remembers it as expected.</summary>
        public void Upsert(string id)
        {
            Index.Upsert(id, VectorOf(id), PayloadOf(id));
            _items[id] = (VectorOf(id), PayloadOf(id));
        }

        public void Forget(string id) => _items.Remove(id);

        /// <summary>Everything written is there, whole; search works; a new write works; a reopen agrees.</summary>
        public void AssertIntact(bool reopen = true)
        {
            Check(Index);
            Upsert($"after-{_items.Count}");
            Check(Index);
            if (!reopen) return;
            Index.Dispose();
            Index = VectorIndex.Open(Folder, new OpenOptions { Durability = Durability.PerWrite, Faults = Faults });
            Check(Index);
        }

        private void Check(VectorIndex index)
        {
            Assert.Equal(_items.Count, index.Count);
            foreach (var (id, (vector, payload)) in _items)
            {
                Assert.True(index.TryGet(id, out StoredItem? item), $"'{id}' was lost");
                Assert.Equal(vector, item.Vector);
                Assert.Equal(payload, item.Payload);
            }
            string any = _items.Keys.First();
            Assert.Equal(any, index.Search(_items[any].Vector, new SearchOptions { K = 1 })[0].Id);
        }

        public void Dispose()
        {
            Index.Dispose();
            _tmp.Dispose();
        }
    }

    // ------------------------------------------------------------------ vectors

    [Theory]
    [InlineData(0)]
    [InlineData(Dims - 1)]
    [InlineData(Dims + 1)]
    [InlineData(4096)]
    public void Vector_of_the_wrong_dimension_is_rejected_with_both_lengths(int length)
    {
        using var f = new Fixture();
        var e = Assert.Throws<DimensionMismatchException>(() => f.Index.Upsert("x", new float[length]));
        Assert.Equal((Dims, length), (e.Expected, e.Actual));
        Assert.Contains($"expects {Dims} components but got {length}", e.Message);
        Assert.Contains("IndexOptions.Dimensions", e.Message);
        Assert.Equal("vector", e.ParamName);
        Assert.Throws<DimensionMismatchException>(() => f.Index.Search(new float[length]));
        Assert.Throws<DimensionMismatchException>(() => f.Index.UpsertBatch(["x"], new float[1, length]));
        Assert.False(f.Index.Contains("x"));
        f.AssertIntact();
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NaN_or_infinite_component_is_rejected_and_named(float bad)
    {
        using var f = new Fixture();
        float[] v = Fixture.VectorOf("x");
        v[5] = bad;
        var e = Assert.Throws<InvalidVectorException>(() => f.Index.Upsert("x", v));
        Assert.Contains("Component 5", e.Message);
        Assert.Contains("finite numbers only", e.Message);
        Assert.Throws<InvalidVectorException>(() => f.Index.Search(v));
        Assert.Throws<InvalidVectorException>(() => f.Index.SearchRadius(v, 1));

        // In a batch, nothing is written when any row is bad, and the row is named.
        var rows = new float[3, Dims];
        rows[2, 1] = bad;
        var be = Assert.Throws<InvalidVectorException>(() => f.Index.UpsertBatch(["y0", "y1", "y2"], rows));
        Assert.Contains("row 2", be.Message);
        Assert.False(f.Index.Contains("x") || f.Index.Contains("y0") || f.Index.Contains("y1"));
        f.AssertIntact();
    }

    [Fact]
    public void Zero_vector_is_rejected_under_cosine_and_accepted_under_euclidean()
    {
        using (var f = new Fixture(Metric.Cosine))
        {
            var e = Assert.Throws<InvalidVectorException>(() => f.Index.Upsert("zero", new float[Dims]));
            Assert.Contains("all zeros", e.Message);
            Assert.Contains("no direction under cosine", e.Message);
            Assert.Throws<InvalidVectorException>(() => f.Index.Search(new float[Dims]));
            Assert.False(f.Index.Contains("zero"));
            f.AssertIntact();
        }
        using (var f = new Fixture(Metric.Euclidean))
        {
            f.Index.Upsert("zero", new float[Dims]);
            Assert.True(f.Index.Contains("zero"));
        }
    }

    [Fact]
    public void Float_vector_into_a_hamming_index_is_rejected_with_advice()
    {
        using var tmp = new TempFolder();
        using var index = VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = 64, Metric = Metric.Hamming });
        index.UpsertCode("h", [0xF0F0UL]);

        var e = Assert.Throws<InvalidVectorException>(() => index.Upsert("f", new float[64]));
        Assert.Contains("binary codes (Hamming)", e.Message);
        Assert.Contains("pass codes as ulong words", e.Message);
        Assert.Throws<InvalidVectorException>(() => index.Search(new float[64]));
        Assert.Throws<InvalidVectorException>(() => index.UpsertBatch(["f"], new float[1, 64]));
        Assert.Throws<DimensionMismatchException>(() => index.UpsertCode("g", [1UL, 2UL]));

        Assert.Equal(1, index.Count);
        Assert.True(index.TryGet("h", out var h));
        Assert.Equal([0xF0F0UL], h.Code);
        index.UpsertCode("h2", [0xF0F1UL]);
        Assert.Equal(["h", "h2"], index.SearchCode([0xF0F0UL], new SearchOptions { K = 2 }).Select(x => x.Id));
    }

    [Fact]
    public void Binary_code_into_a_float_index_is_rejected_with_advice()
    {
        using var f = new Fixture();
        var e = Assert.Throws<InvalidVectorException>(() => f.Index.UpsertCode("c", [1UL]));
        Assert.Contains("stores float vectors", e.Message);
        Assert.Contains("Metric.Hamming", e.Message);
        Assert.Throws<InvalidVectorException>(() => f.Index.SearchCode([1UL]));
        Assert.Throws<InvalidVectorException>(() => f.Index.SearchCodeRadius([1UL], 3));
        Assert.Throws<InvalidVectorException>(() => f.Index.UpsertCodeBatch(["c"], new ulong[1, 1]));
        Assert.False(f.Index.Contains("c"));
        f.AssertIntact();
    }

    // ------------------------------------------------------------------ ids and payloads

    // The ids are built inside the test: xunit's theory serialisation would replace a lone surrogate with U+FFFD.
    [Theory]
    [InlineData("null", "is null")]
    [InlineData("empty", "is empty")]
    [InlineData("513 ASCII bytes", "limited to 512 bytes")]
    [InlineData("513 UTF-8 bytes in 171 chars", "limited to 512 bytes")]
    [InlineData("lone high surrogate", "unpaired surrogate")]
    [InlineData("lone low surrogate", "unpaired surrogate")]
    [InlineData("surrogates in the wrong order", "unpaired surrogate")]
    public void Invalid_id_is_rejected_by_every_call_that_takes_an_id(string kind, string phrase)
    {
        string? id = kind switch
        {
            "null" => null,
            "empty" => "",
            "513 ASCII bytes" => new string('a', 513),
            "513 UTF-8 bytes in 171 chars" => string.Concat(Enumerable.Repeat("\u20AC", 171)),
            "lone high surrogate" => "ok-\uD800-half",
            "lone low surrogate" => "\uDC00",
            _ => "\uDE00\uD83D",
        };
        using var f = new Fixture();
        float[] v = Fixture.VectorOf("x");
        var e = Assert.Throws<InvalidIdException>(() => f.Index.Upsert(id!, v));
        Assert.Contains(phrase, e.Message);
        Assert.Equal("id", e.ParamName);
        Assert.Throws<InvalidIdException>(() => f.Index.Delete(id!));
        Assert.Throws<InvalidIdException>(() => f.Index.TryGet(id!, out _));
        Assert.Throws<InvalidIdException>(() => f.Index.Contains(id!));
        Assert.Throws<InvalidIdException>(() => f.Index.SearchById(id!));
        var be = Assert.Throws<InvalidIdException>(() => f.Index.UpsertBatch(["fine", id!], new float[2, Dims]));
        Assert.Contains("(row 1)", be.Message);
        Assert.False(f.Index.Contains("fine"));
        f.AssertIntact();
    }

    [Fact]
    public void Ids_at_the_length_limit_are_accepted()
    {
        using var f = new Fixture();
        f.Upsert(new string('a', 512));
        f.Upsert(string.Concat(Enumerable.Repeat("€", 170)) + "ab"); // 512 UTF-8 bytes
        f.Upsert("\uD83D\uDE00 paired surrogates are fine");
        f.AssertIntact();
    }

    [Fact]
    public void Payload_over_16_MiB_is_rejected_and_16_MiB_exactly_is_accepted()
    {
        using var f = new Fixture();
        var big = new byte[VectorIndex.MaxPayloadBytes + 1];
        var e = Assert.Throws<PayloadTooLargeException>(() => f.Index.Upsert("big", Fixture.VectorOf("big"), big));
        Assert.Equal(VectorIndex.MaxPayloadBytes + 1, e.Length);
        Assert.Contains("16 MiB", e.Message);
        Assert.Contains("Store large blobs elsewhere", e.Message);
        Assert.Throws<PayloadTooLargeException>(() => f.Index.UpsertBatch(["big"], new float[1, Dims], [big]));
        Assert.False(f.Index.Contains("big"));

        big[^2] = 42;
        f.Index.Upsert("max", Fixture.VectorOf("max"), big.AsSpan(0, VectorIndex.MaxPayloadBytes));
        Assert.True(f.Index.TryGet("max", out var max));
        Assert.Equal(VectorIndex.MaxPayloadBytes, max.Payload.Length);
        Assert.Equal(42, max.Payload[^1]);
        f.Index.Delete("max");
        f.AssertIntact();
    }

    // ------------------------------------------------------------------ lifecycle

    [Fact]
    public void Every_call_after_dispose_throws_object_disposed()
    {
        using var tmp = new TempFolder();
        var index = VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = Dims });
        index.Upsert("a", Fixture.VectorOf("a"));
        index.Dispose();
        index.Dispose(); // twice is fine

        float[] v = Fixture.VectorOf("b");
        Assert.Throws<ObjectDisposedException>(() => index.Upsert("b", v));
        Assert.Throws<ObjectDisposedException>(() => index.UpsertBatch(["b"], new float[1, Dims]));
        Assert.Throws<ObjectDisposedException>(() => index.Delete("a"));
        Assert.Throws<ObjectDisposedException>(() => index.Commit());
        Assert.Throws<ObjectDisposedException>(() => index.Compact());
        Assert.Throws<ObjectDisposedException>(() => index.Search(v));
        Assert.Throws<ObjectDisposedException>(() => index.SearchById("a"));
        Assert.Throws<ObjectDisposedException>(() => index.SearchRadius(v, 1));
        Assert.Throws<ObjectDisposedException>(() => index.TryGet("a", out _));
        Assert.Throws<ObjectDisposedException>(() => index.Contains("a"));
        Assert.Throws<ObjectDisposedException>(() => index.Count);
        Assert.Throws<ObjectDisposedException>(() => index.GetStatistics());
        Assert.Throws<ObjectDisposedException>(() => index.Verify());

        using var reopened = VectorIndex.Open(tmp.Index());
        Assert.True(reopened.Contains("a"));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("empty")]
    [InlineData("other-files")]
    [InlineData("file")]
    public void Opening_something_that_is_not_an_index_says_so(string kind)
    {
        using var tmp = new TempFolder();
        string path = tmp.Index();
        switch (kind)
        {
            case "empty":
                Directory.CreateDirectory(path);
                break;
            case "other-files":
                Directory.CreateDirectory(path);
                File.WriteAllText(Path.Combine(path, "notes.txt"), "hello");
                break;
            case "file":
                File.WriteAllText(path, "hello");
                break;
        }
        string[] before = Directory.Exists(path) ? Directory.GetFileSystemEntries(path) : [];

        var e = Assert.Throws<NotAnIndexException>(() => VectorIndex.Open(path));
        Assert.Contains("is not an Aknn index", e.Message);
        Assert.Contains("VectorIndex.Create", e.Message);
        Assert.Equal(path, e.Path);
        Assert.Throws<NotAnIndexException>(() => VectorIndex.Open(path, new OpenOptions { ReadOnly = true }));
        // Looking did not touch anything (no LOCK file, no folder created).
        Assert.Equal(before, Directory.Exists(path) ? Directory.GetFileSystemEntries(path) : []);
        Assert.Equal(kind == "missing", !Directory.Exists(path) && !File.Exists(path));
    }

    [Fact]
    public void Second_writer_in_the_same_process_is_refused_and_the_first_keeps_working()
    {
        using var f = new Fixture();
        var e = Assert.Throws<IndexLockedException>(() => VectorIndex.Open(f.Folder));
        Assert.Contains("already open for writing", e.Message);
        Assert.Contains("ReadOnly = true", e.Message);
        f.AssertIntact();
    }

    [Fact]
    public void Writes_on_a_read_only_index_are_refused_and_reads_work()
    {
        using var f = new Fixture();
        using var ro = VectorIndex.Open(f.Folder, new OpenOptions { ReadOnly = true });
        Assert.True(ro.IsReadOnly);
        float[] v = Fixture.VectorOf("x");
        var e = Assert.Throws<IndexReadOnlyException>(() => ro.Upsert("x", v));
        Assert.Contains("opened read-only", e.Message);
        Assert.Contains("open it without OpenOptions.ReadOnly", e.Message);
        Assert.Throws<IndexReadOnlyException>(() => ro.UpsertBatch(["x"], new float[1, Dims]));
        Assert.Throws<IndexReadOnlyException>(() => ro.Delete("before-0"));
        Assert.Throws<IndexReadOnlyException>(() => ro.Commit());
        Assert.Throws<IndexReadOnlyException>(() => ro.Compact());
        Assert.Equal(5, ro.Count);
        Assert.True(ro.Contains("before-0"));
        ro.Dispose();
        f.AssertIntact();
    }

    // ------------------------------------------------------------------ full disk

    [Fact]
    public void Full_disk_on_a_log_write_fails_that_write_only_and_the_index_recovers_when_space_returns()
    {
        var faults = new DiskFaults();
        using var f = new Fixture(faults: faults);
        faults.FailWhen = DiskFaults.LogWrite;

        var e = Assert.Throws<StorageFullException>(() => f.Index.Upsert("lost", Fixture.VectorOf("lost"), Fixture.PayloadOf("lost")));
        Assert.EndsWith(".wal", e.FilePath);
        Assert.Contains("No space left on device", e.Message);
        Assert.Contains("the disk is probably full", e.Message);
        Assert.Contains("free disk space and retry", e.Message);
        Assert.Equal(28, e.InnerException!.HResult);
        Assert.Throws<StorageFullException>(() => f.Index.Delete("before-1"));
        Assert.Throws<StorageFullException>(() => f.Index.UpsertBatch(["lost2", "lost3"], new float[2, Dims]));
        Assert.Equal(3, faults.Refused);

        // Nothing of the failed writes is visible; everything before them is.
        Assert.False(f.Index.Contains("lost") || f.Index.Contains("lost2") || f.Index.Contains("lost3"));
        Assert.True(f.Index.Contains("before-1"));
        Assert.Equal(5, f.Index.Count);

        faults.FailWhen = null;
        f.AssertIntact(); // writes again, then reopens: the log holds no trace of the failed writes
        Assert.False(f.Index.Contains("lost"));
    }

    [Fact]
    public void Full_disk_while_creating_an_index_can_be_retried_once_space_returns()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        var faults = new DiskFaults { FailWhen = (path, _, _) => Path.GetFileName(path).StartsWith("MANIFEST", StringComparison.Ordinal) };
        var options = new IndexOptions { Dimensions = Dims, Faults = faults };
        Assert.Throws<StorageFullException>(() => VectorIndex.Create(folder, options));
        Assert.False(VectorIndex.Exists(folder));

        faults.FailWhen = null;
        using var index = VectorIndex.Create(folder, options);
        index.Upsert("a", Fixture.VectorOf("a"));
        Assert.Equal(1, index.Count);
    }

    public static TheoryData<string> SealFaults => ["segment", "new-log", "manifest", "deletion-file", "everything-but-the-current-log"];

    [Theory]
    [MemberData(nameof(SealFaults))]
    public void Full_disk_during_a_seal_does_not_fail_the_write_and_the_index_keeps_working(string target)
    {
        var faults = new DiskFaults();
        using var f = new Fixture(options: new IndexOptions
        {
            Dimensions = Dims, Durability = Durability.PerWrite, SealThresholdBytes = 4096, Faults = faults,
        }, faults: faults);
        int n = 0;
        if (target == "deletion-file")
        {
            // A seal writes a deletion file only for a segment that has new deletions.
            while (f.Index.GetStatistics().SegmentCount == 0)
            {
                f.Upsert($"item-{n++}");
                f.Index.WaitForBackgroundWork();
            }
            f.Index.Delete("item-0");
            f.Forget("item-0");
        }
        f.Index.WaitForBackgroundWork();
        int segments = f.Index.GetStatistics().SegmentCount;
        string currentLog = FileSurgery.Single(f.Folder, "*.wal");
        faults.FailWhen = (path, offset, _) => target switch
        {
            "segment" => path.EndsWith(".seg.tmp", StringComparison.Ordinal),
            "new-log" => path.EndsWith(".wal", StringComparison.Ordinal) && offset == 0,
            "manifest" => Path.GetFileName(path).StartsWith("MANIFEST", StringComparison.Ordinal),
            "deletion-file" => path.EndsWith(".del.tmp", StringComparison.Ordinal),
            _ => path != currentLog,
        };

        // Enough writes to pass the seal threshold twice over: each seal attempt fails, each write succeeds.
        for (int i = 0; i < 80; i++) f.Upsert($"item-{n++}");
        f.Index.WaitForBackgroundWork();
        Assert.True(faults.Refused > 0, "no seal was attempted");
        Assert.Equal(segments, f.Index.GetStatistics().SegmentCount);
        Assert.Empty(Directory.GetFiles(f.Folder, "*.tmp"));
        f.AssertIntact(); // the writes are durable in the log: a reopen still has them

        faults.FailWhen = null;
        for (int i = 0; i < 80; i++) f.Upsert($"item-{n++}");
        f.Index.WaitForBackgroundWork();
        Assert.True(f.Index.GetStatistics().SegmentCount > segments, "sealing did not resume once space returned");
        f.AssertIntact();
    }

    // ------------------------------------------------------------------ options

    [Theory]
    [InlineData(Metric.Euclidean, 0)]
    [InlineData(Metric.Euclidean, 4097)]
    [InlineData(Metric.Hamming, 100)]
    [InlineData(Metric.Hamming, 0)]
    public void Out_of_range_dimensions_are_rejected_before_anything_is_created(Metric metric, int dims)
    {
        using var tmp = new TempFolder();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = dims, Metric = metric }));
        Assert.Equal("Dimensions", e.ParamName);
        Assert.False(Directory.Exists(tmp.Index()));
    }
}

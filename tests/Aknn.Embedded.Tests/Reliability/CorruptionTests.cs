using System.Text;
using Aknn.Embedded.Storage;
using Aknn.Embedded.Tests.Support;

namespace Aknn.Embedded.Tests.Reliability;

/// <summary>
/// Damage to every kind of index file (log, segment, manifest, deletion file) is either recovered
/// (a torn log tail) or reported as a clear error naming the file and offset; it is never served
/// as wrong results.
/// </summary>
public class CorruptionTests
{
    private const int Dims = 4;

    // ------------------------------------------------------------------ fixtures

    /// <summary>An index whose three items live only in the log, with the byte offset of each record.</summary>
    private sealed class LogOnlyIndex
    {
        public required string Folder { get; init; }
        public required string LogPath { get; init; }
        public required long[] RecordOffsets { get; init; }
        public required int[] RecordSizes { get; init; }
        public static readonly string[] Ids = ["alpha", "beta", "gamma"];
        public static float[] Vector(int i) => [i + 1, -i, 0.5f * i, 2];
        public static byte[] Payload(int i) => Encoding.UTF8.GetBytes($"payload of item {i}");
    }

    private static LogOnlyIndex CreateLogOnlyIndex(TempFolder tmp)
    {
        string folder = tmp.Index();
        using (var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = Dims, Durability = Durability.PerWrite }))
        {
            for (int i = 0; i < LogOnlyIndex.Ids.Length; i++)
                index.Upsert(LogOnlyIndex.Ids[i], LogOnlyIndex.Vector(i), LogOnlyIndex.Payload(i));
        }
        string log = FileSurgery.Single(folder, "*.wal");
        var offsets = new long[LogOnlyIndex.Ids.Length];
        var sizes = new int[LogOnlyIndex.Ids.Length];
        long at = LogFormat.HeaderSize;
        for (int i = 0; i < offsets.Length; i++)
        {
            offsets[i] = at;
            sizes[i] = LogFormat.UpsertSize(Encoding.UTF8.GetByteCount(LogOnlyIndex.Ids[i]), Dims * sizeof(float), LogOnlyIndex.Payload(i).Length);
            at += sizes[i];
        }
        Assert.Equal(at, new FileInfo(log).Length); // the layout is what LogFormat says
        return new LogOnlyIndex { Folder = folder, LogPath = log, RecordOffsets = offsets, RecordSizes = sizes };
    }

    private static void AssertHoldsExactly(VectorIndex index, params int[] items)
    {
        Assert.Equal(items.Length, index.Count);
        for (int i = 0; i < LogOnlyIndex.Ids.Length; i++)
        {
            bool expected = items.Contains(i);
            Assert.Equal(expected, index.TryGet(LogOnlyIndex.Ids[i], out StoredItem? item));
            if (!expected) continue;
            Assert.Equal(LogOnlyIndex.Vector(i), item!.Vector);
            Assert.Equal(LogOnlyIndex.Payload(i), item.Payload);
        }
    }

    /// <summary>Opens the index as writer and read-only; both must fail with <typeparamref name="T"/>.</summary>
    private static T AssertOpenFails<T>(string folder) where T : Exception
    {
        Assert.Throws<T>(() => VectorIndex.Open(folder, new OpenOptions { ReadOnly = true }).Dispose());
        return Assert.Throws<T>(() => VectorIndex.Open(folder).Dispose());
    }

    /// <summary>Opening (read-only and as the writer) fails with corruption that names <paramref name="path"/>, in the property and in the message.</summary>
    private static IndexCorruptedException AssertOpenReportsDamageIn(string folder, string path)
    {
        var e = AssertOpenFails<IndexCorruptedException>(folder);
        Assert.Equal(Path.GetFullPath(path), Path.GetFullPath(e.FilePath));
        Assert.Contains(Path.GetFileName(path), e.Message);
        return e;
    }

    private static void AssertNamesFileAndOffset(IndexCorruptedException e, string path, long offset)
    {
        Assert.Equal(Path.GetFullPath(path), Path.GetFullPath(e.FilePath));
        Assert.Equal(offset, e.Offset);
        Assert.Contains(Path.GetFileName(path), e.Message);
        Assert.Contains($"offset {offset}", e.Message);
        Assert.Contains("Restore the index folder from a backup", e.Message);
    }

    // ------------------------------------------------------------------ log

    [Theory]
    [InlineData(0)]   // length
    [InlineData(5)]   // CRC
    [InlineData(9)]   // sequence number
    [InlineData(16)]  // kind
    [InlineData(18)]  // id length
    [InlineData(21)]  // payload length
    [InlineData(24)]  // id
    [InlineData(31)]  // vector
    [InlineData(-1)]  // last payload byte
    public void Log_record_damaged_in_the_middle_of_the_log_is_reported_with_file_and_offset(int at)
    {
        using var tmp = new TempFolder();
        var ix = CreateLogOnlyIndex(tmp);
        long record = ix.RecordOffsets[1];
        FileSurgery.FlipByte(ix.LogPath, at >= 0 ? record + at : record + ix.RecordSizes[1] - 1);
        byte[] damaged = File.ReadAllBytes(ix.LogPath);

        var e = AssertOpenFails<IndexCorruptedException>(ix.Folder);
        AssertNamesFileAndOffset(e, ix.LogPath, record);
        Assert.Contains("middle of the log", e.Message);
        // A failed open must not "repair" the log by cutting off the intact records after the damage.
        Assert.Equal(damaged, File.ReadAllBytes(ix.LogPath));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(30)]   // only part of the fixed prefix is left
    [InlineData(-1)]   // the whole record but its first byte
    public void Torn_last_log_record_is_cut_off_on_open_and_only_that_record_is_lost(int cut)
    {
        using var tmp = new TempFolder();
        var ix = CreateLogOnlyIndex(tmp);
        long length = new FileInfo(ix.LogPath).Length;
        // As a writer that crashed while appending record 2, after flushing records 0 and 1.
        FileSurgery.SetLogDurableLength(ix.Folder, ix.RecordOffsets[2]);
        FileSurgery.Truncate(ix.LogPath, cut > 0 ? length - cut : ix.RecordOffsets[2] + 1);

        using (var ro = VectorIndex.Open(ix.Folder, new OpenOptions { ReadOnly = true }))
            AssertHoldsExactly(ro, 0, 1);
        using (var index = VectorIndex.Open(ix.Folder))
        {
            AssertHoldsExactly(index, 0, 1);
            // New writes go after the intact prefix, not after the torn bytes.
            index.Upsert(LogOnlyIndex.Ids[2], LogOnlyIndex.Vector(2), LogOnlyIndex.Payload(2));
        }
        using (var index = VectorIndex.Open(ix.Folder))
            AssertHoldsExactly(index, 0, 1, 2);
    }

    [Theory]
    [InlineData("random", 1)]
    [InlineData("random", 37)]
    [InlineData("random", 5000)]
    [InlineData("zeros", 4096)]        // blocks a file system allocated but never filled
    [InlineData("half-record", 0)]     // the first half of a copy of a valid record
    public void Garbage_after_the_last_log_record_is_cut_off_and_nothing_is_lost(string kind, int length)
    {
        using var tmp = new TempFolder();
        var ix = CreateLogOnlyIndex(tmp);
        byte[] garbage = kind switch
        {
            "zeros" => new byte[length],
            "half-record" => File.ReadAllBytes(ix.LogPath).AsSpan((int)ix.RecordOffsets[0], ix.RecordSizes[0] / 2).ToArray(),
            _ => RandomBytes(length, seed: length),
        };
        FileSurgery.Append(ix.LogPath, garbage);

        using (var ro = VectorIndex.Open(ix.Folder, new OpenOptions { ReadOnly = true }))
            AssertHoldsExactly(ro, 0, 1, 2);
        using (var index = VectorIndex.Open(ix.Folder))
        {
            AssertHoldsExactly(index, 0, 1, 2);
            Assert.True(index.Delete(LogOnlyIndex.Ids[0]));
        }
        using (var index = VectorIndex.Open(ix.Folder))
            AssertHoldsExactly(index, 1, 2);
    }

    [Theory]
    [InlineData(0)]    // magic
    [InlineData(8)]    // version
    [InlineData(17)]   // log file number
    [InlineData(29)]   // header CRC
    public void Damaged_log_header_is_reported(int at)
    {
        using var tmp = new TempFolder();
        var ix = CreateLogOnlyIndex(tmp);
        FileSurgery.FlipByte(ix.LogPath, at);

        // The checksum is checked before the version, so even a flipped version byte is corruption.
        var e = Assert.IsType<IndexCorruptedException>(Record.Exception(() => VectorIndex.Open(ix.Folder).Dispose()));
        Assert.Equal(Path.GetFullPath(ix.LogPath), Path.GetFullPath(e.FilePath));
        if (at == 8) Assert.Contains("newer than the 1 this library reads", e.Message);
    }

    [Fact]
    public void Log_written_by_a_newer_format_version_is_refused_with_advice_to_upgrade()
    {
        using var tmp = new TempFolder();
        var ix = CreateLogOnlyIndex(tmp);
        FileSurgery.PatchInt32AndFixCrc(ix.LogPath, offset: 8, value: LogFormat.Version + 1, crcFrom: 0, crcTo: 28, crcAt: 28);

        var e = AssertOpenFails<UnsupportedFormatVersionException>(ix.Folder);
        Assert.Equal(Path.GetFullPath(ix.LogPath), Path.GetFullPath(e.FilePath));
        Assert.Equal(LogFormat.Version + 1, e.FoundVersion);
        Assert.Equal(LogFormat.Version, e.SupportedVersion);
        Assert.Contains("Upgrade the Aknn.Embedded package", e.Message);
    }

    // ------------------------------------------------------------------ segment

    private const int SegmentItems = 60;

    private static string SegId(int i) => $"doc-{i:D3}";

    private static float[] SegVector(int i) => Data.Vector(new Random(1000 + i), Dims);

    private static byte[] SegPayload(int i) => i % 5 == 0 ? [] : Encoding.UTF8.GetBytes($"{{\"n\":{i},\"tag\":\"{new string('x', i % 23)}\"}}");

    /// <summary>A cosine index (so every section kind exists) whose items all live in one segment; returns the segment's path.</summary>
    private static string CreateSegmentIndex(string folder)
    {
        using (var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = Dims, Metric = Metric.Cosine, SealThresholdBytes = 4096, Durability = Durability.Manual }))
        {
            for (int i = 0; i < SegmentItems; i++) index.Upsert(SegId(i), SegVector(i), SegPayload(i));
            index.Compact(); // seals the tail and merges everything into one segment
            var stats = index.GetStatistics();
            Assert.Equal((1, SegmentItems, 0), (stats.SegmentCount, (int)stats.SegmentRows, stats.TailRows));
        }
        return FileSurgery.Single(folder, "*.seg");
    }

    /// <summary>Every read the public API offers, each as a value to compare or the exception it threw.</summary>
    private static List<(string Read, object Result)> AllReads(VectorIndex index)
    {
        var reads = new List<(string, object)>();
        void Add(string name, Func<object> read)
        {
            try { reads.Add((name, read())); }
            catch (Exception e) { reads.Add((name, e)); }
        }
        static string Hits(IReadOnlyList<Hit> hits) =>
            string.Join(";", hits.Select(h => $"{h.Id}@{h.Distance:R}#{(h.Payload is null ? "-" : Convert.ToHexString(h.Payload))}"));

        Add("Count", () => index.Count);
        Add("Search", () => Hits(index.Search(SegVector(7), new SearchOptions { K = 5 })));
        Add("Search+payload", () => Hits(index.Search(SegVector(7), new SearchOptions { K = 5, IncludePayload = true })));
        Add("Search+filter", () => Hits(index.Search(SegVector(7), new SearchOptions { K = 5, Filter = (_, p) => p.Length > 0 })));
        Add("SearchRadius", () => Hits(index.SearchRadius(SegVector(7), 0.5f)));
        Add("SearchById", () => Hits(index.SearchById(SegId(7), new SearchOptions { K = 5 })));
        for (int i = 0; i < SegmentItems; i += 7)
        {
            int n = i;
            Add($"TryGet({n})", () => index.TryGet(SegId(n), out var item)
                ? $"{string.Join(",", item.Vector.Select(f => f.ToString("R")))}|{Convert.ToHexString(item.Payload)}"
                : "missing");
            Add($"Contains({n})", () => index.Contains(SegId(n)));
        }
        Add("Contains(absent)", () => index.Contains("no-such-id"));
        Add("Verify", () => { index.Verify(); return "ok"; });
        return reads;
    }

    [Theory]
    [InlineData(1, "Vectors", new[] { "Search", "SearchRadius", "SearchById", "TryGet(0)" })]
    [InlineData(2, "Norms", new[] { "Search", "SearchRadius" })]
    [InlineData(3, "IdOffsets", new[] { "Search", "TryGet(0)", "Contains(7)" })]
    [InlineData(4, "IdBytes", new[] { "Search", "TryGet(0)", "Contains(7)" })]
    [InlineData(5, "IdTable", new[] { "TryGet(0)", "Contains(7)", "Contains(absent)" })]
    [InlineData(6, "PayloadOffsets", new[] { "Search+payload", "Search+filter", "TryGet(7)" })]
    [InlineData(7, "PayloadBytes", new[] { "Search+payload", "Search+filter", "TryGet(7)" })]
    public void Damaged_segment_section_is_reported_by_every_read_that_uses_it_and_never_served(int section, string name, string[] mustFail)
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        string seg = CreateSegmentIndex(folder);
        List<(string Read, object Result)> pristine;
        using (var index = VectorIndex.Open(folder, new OpenOptions { ReadOnly = true }))
            pristine = AllReads(index);
        Assert.DoesNotContain(pristine, r => r.Result is Exception);

        var (offset, length) = SegmentLayout.Read(seg)[(SectionKind)section];
        Assert.True(length > 0);
        FileSurgery.FlipByte(seg, offset + length / 2);

        // Opening reads only the header, footer and section table, so it succeeds; every read that
        // touches the damaged section fails, every other read still gives the right answer.
        using (var index = VectorIndex.Open(folder))
        {
            var damaged = AllReads(index);
            for (int i = 0; i < pristine.Count; i++)
            {
                var (read, result) = damaged[i];
                if (result is Exception e)
                {
                    var c = Assert.IsType<IndexCorruptedException>(e);
                    AssertNamesFileAndOffset(c, seg, offset);
                    Assert.Contains($"section {name}", c.Message);
                }
                else
                {
                    Assert.False(mustFail.Contains(read) || read == "Verify", $"{read} served data from the damaged {name} section: {result}");
                    Assert.Equal(pristine[i].Result, result);
                }
            }
            // Still damaged on the second try: the check is not a one-off.
            Assert.Throws<IndexCorruptedException>(index.Verify);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(32)]      // inside the footer
    [InlineData(100)]     // into the section table
    [InlineData(-2)]      // half the file
    [InlineData(-128)]    // only the header is left
    [InlineData(-100)]    // not even the header
    [InlineData(-1)]      // empty file
    public void Truncated_segment_is_reported_on_open(int cut)
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        string seg = CreateSegmentIndex(folder);
        long length = new FileInfo(seg).Length;
        long keep = cut switch { -1 => 0, -2 => length / 2, -100 => 100, -128 => 128, _ => length - cut };
        FileSurgery.Truncate(seg, keep);

        AssertOpenReportsDamageIn(folder, seg);
    }

    [Fact]
    public void Segment_with_bytes_appended_is_reported_on_open()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        string seg = CreateSegmentIndex(folder);
        FileSurgery.Append(seg, new byte[64]);

        var e = AssertOpenFails<IndexCorruptedException>(folder);
        Assert.Equal(Path.GetFullPath(seg), Path.GetFullPath(e.FilePath));
    }

    [Theory]
    [InlineData("header", 16)]    // metric
    [InlineData("header", 33)]    // row count
    [InlineData("header", 64)]    // schema fingerprint
    [InlineData("header", 125)]   // header CRC
    [InlineData("table", 9)]      // a section's offset
    [InlineData("table", 24)]     // a section's CRC
    [InlineData("footer", 1)]     // section table position
    [InlineData("footer", 18)]    // footer magic
    [InlineData("footer", 24)]    // file length
    public void Damaged_segment_header_footer_or_section_table_is_reported_on_open(string part, int at)
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        string seg = CreateSegmentIndex(folder);
        long length = new FileInfo(seg).Length;
        long offset = part switch
        {
            "header" => at,
            "table" => SegmentLayout.SectionTableOffset(seg) + at,
            _ => length - SegmentFormat.FooterSize + at,
        };
        FileSurgery.FlipByte(seg, offset);

        var e = AssertOpenFails<IndexCorruptedException>(folder);
        Assert.Equal(Path.GetFullPath(seg), Path.GetFullPath(e.FilePath));
        Assert.Contains($"offset {e.Offset}", e.Message);
    }

    [Fact]
    public void Segment_written_by_a_newer_format_version_is_refused_with_advice_to_upgrade()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        string seg = CreateSegmentIndex(folder);
        FileSurgery.PatchInt32AndFixCrc(seg, SegmentFormat.OffVersion, SegmentFormat.Version + 1, 0, SegmentFormat.OffHeaderCrc, SegmentFormat.OffHeaderCrc);

        var e = AssertOpenFails<UnsupportedFormatVersionException>(folder);
        Assert.Equal(Path.GetFullPath(seg), Path.GetFullPath(e.FilePath));
        Assert.Equal(SegmentFormat.Version + 1, e.FoundVersion);
        Assert.Contains("Upgrade", e.Message);
    }

    [Fact]
    public void Segment_listed_in_the_manifest_but_missing_is_reported_as_corruption()
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        string seg = CreateSegmentIndex(folder);
        File.Delete(seg);

        var e = AssertOpenFails<IndexCorruptedException>(folder);
        Assert.Contains(Path.GetFileName(seg), e.Message);
        Assert.Contains("missing", e.Message);
    }

    // ------------------------------------------------------------------ manifest

    private static string CreateSmallIndex(TempFolder tmp)
    {
        string folder = tmp.Index();
        using var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = Dims });
        index.Upsert("a", [1, 2, 3, 4]);
        return folder;
    }

    [Theory]
    [InlineData(3)]     // magic
    [InlineData(13)]    // body length
    [InlineData(17)]    // body CRC
    [InlineData(30)]    // frame CRC
    [InlineData(40)]    // JSON body
    [InlineData(-1)]    // last body byte
    public void Damaged_manifest_is_reported(int at)
    {
        using var tmp = new TempFolder();
        string folder = CreateSmallIndex(tmp);
        string manifest = Path.Combine(folder, Manifest.FileName);
        FileSurgery.FlipByte(manifest, at >= 0 ? at : new FileInfo(manifest).Length - 1);

        var e = AssertOpenFails<IndexCorruptedException>(folder);
        Assert.Equal(Path.GetFullPath(manifest), Path.GetFullPath(e.FilePath));
        Assert.Contains("MANIFEST", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-2)]    // half
    [InlineData(-32)]   // the frame only
    [InlineData(-10)]   // part of the frame
    [InlineData(-1)]    // empty
    public void Truncated_manifest_is_reported(int cut)
    {
        using var tmp = new TempFolder();
        string folder = CreateSmallIndex(tmp);
        string manifest = Path.Combine(folder, Manifest.FileName);
        long length = new FileInfo(manifest).Length;
        FileSurgery.Truncate(manifest, cut switch { -1 => 0, -2 => length / 2, -32 => 32, -10 => 10, _ => length - cut });

        var e = AssertOpenFails<IndexCorruptedException>(folder);
        Assert.Equal(Path.GetFullPath(manifest), Path.GetFullPath(e.FilePath));
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    [InlineData("binary")]
    public void Manifest_replaced_by_foreign_content_means_not_an_index(string kind)
    {
        using var tmp = new TempFolder();
        string folder = CreateSmallIndex(tmp);
        byte[] content = kind switch
        {
            "text" => Encoding.UTF8.GetBytes("Shopping list:\n- milk\n- eggs\n- a vector index\n"),
            "json" => Encoding.UTF8.GetBytes("{\"Metric\":\"Euclidean\",\"Dimensions\":4,\"Segments\":[]}"),
            _ => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, .. RandomBytes(200, 3)],
        };
        File.WriteAllBytes(Path.Combine(folder, Manifest.FileName), content);

        var e = AssertOpenFails<NotAnIndexException>(folder);
        Assert.Contains("is not an Aknn index", e.Message);
        Assert.Contains("not written by Aknn.Embedded", e.Message);
    }

    [Fact]
    public void Manifest_written_by_a_newer_format_version_is_refused_with_advice_to_upgrade()
    {
        using var tmp = new TempFolder();
        string folder = CreateSmallIndex(tmp);
        string manifest = Path.Combine(folder, Manifest.FileName);
        FileSurgery.PatchInt32AndFixCrc(manifest, offset: 8, value: Manifest.Version + 1, crcFrom: 0, crcTo: 28, crcAt: 28);

        var e = AssertOpenFails<UnsupportedFormatVersionException>(folder);
        Assert.Equal(Path.GetFullPath(manifest), Path.GetFullPath(e.FilePath));
        Assert.Equal(Manifest.Version + 1, e.FoundVersion);
        Assert.Contains("Upgrade the Aknn.Embedded package", e.Message);
    }

    [Fact]
    public void Log_listed_in_the_manifest_but_missing_is_reported_as_corruption()
    {
        using var tmp = new TempFolder();
        string folder = CreateSmallIndex(tmp);
        string log = FileSurgery.Single(folder, "*.wal");
        File.Delete(log);

        var e = AssertOpenFails<IndexCorruptedException>(folder);
        Assert.Contains(Path.GetFileName(log), e.Message);
    }

    // ------------------------------------------------------------------ deletion file

    /// <summary>An index with one segment, some of whose rows are deleted in a persisted deletion file.</summary>
    private static (string Folder, string DeletionFile, int[] Deleted) CreateIndexWithDeletionFile(TempFolder tmp)
    {
        string folder = tmp.Index();
        int[] deleted = [1, 4, 9];
        using (var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = Dims, SealThresholdBytes = 4096, Durability = Durability.Manual }))
        {
            int n = 0;
            void UpsertNext()
            {
                index.Upsert(SegId(n), SegVector(n), SegPayload(n));
                n++;
            }
            while (index.GetStatistics().SegmentCount == 0) UpsertNext();
            foreach (int d in deleted) Assert.True(index.Delete(SegId(d)));
            // The deletions reach a deletion file at the next seal.
            while (Directory.GetFiles(folder, "*.del").Length == 0) UpsertNext();
        }
        using (var index = VectorIndex.Open(folder))
            foreach (int d in deleted) Assert.False(index.Contains(SegId(d)));
        return (folder, FileSurgery.Single(folder, "*.del"), deleted);
    }

    [Theory]
    [InlineData(2)]     // magic
    [InlineData(17)]    // segment number
    [InlineData(25)]    // row count
    [InlineData(41)]    // bitmap length
    [InlineData(45)]    // bitmap CRC
    [InlineData(61)]    // header CRC
    [InlineData(64)]    // bitmap: rows 0..7, including deleted rows 1 and 4
    public void Damaged_deletion_file_is_reported_rather_than_resurrecting_deleted_rows(int at)
    {
        using var tmp = new TempFolder();
        var (folder, del, _) = CreateIndexWithDeletionFile(tmp);
        FileSurgery.FlipByte(del, at);

        AssertOpenReportsDamageIn(folder, del);
    }

    [Fact]
    public void Truncated_deletion_file_is_reported()
    {
        using var tmp = new TempFolder();
        var (folder, del, _) = CreateIndexWithDeletionFile(tmp);
        FileSurgery.Truncate(del, new FileInfo(del).Length - 1);

        var e = AssertOpenFails<IndexCorruptedException>(folder);
        Assert.Equal(Path.GetFullPath(del), Path.GetFullPath(e.FilePath));
    }

    [Fact]
    public void Deletion_file_written_by_a_newer_format_version_is_refused()
    {
        using var tmp = new TempFolder();
        var (folder, del, _) = CreateIndexWithDeletionFile(tmp);
        FileSurgery.PatchInt32AndFixCrc(del, offset: 8, value: DeletionFile.Version + 1, crcFrom: 0, crcTo: 60, crcAt: 60);

        var e = AssertOpenFails<UnsupportedFormatVersionException>(folder);
        Assert.Equal(Path.GetFullPath(del), Path.GetFullPath(e.FilePath));
    }

    [Fact]
    public void Deletion_file_listed_in_the_manifest_but_missing_is_reported_as_corruption()
    {
        using var tmp = new TempFolder();
        var (folder, del, _) = CreateIndexWithDeletionFile(tmp);
        File.Delete(del);

        var e = AssertOpenFails<IndexCorruptedException>(folder);
        Assert.Contains(Path.GetFileName(del), e.Message);
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }
}

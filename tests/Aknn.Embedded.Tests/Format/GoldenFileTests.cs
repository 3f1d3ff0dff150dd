using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Aknn.Embedded.Storage;
using Aknn.Embedded.Tests.Support;

namespace Aknn.Embedded.Tests.Format;

/// <summary>
/// Pins the on-disk format (docs/file-format.md): two tiny indexes are built deterministically and
/// every file they leave is compared byte for byte with the committed golden files, the manifest
/// with its creation timestamp masked. Further tests decode the golden files field by field at the
/// documented offsets (with an independent CRC-32C), and open the golden files with the current
/// code, so an index written by this format version stays readable.
/// </summary>
/// <remarks>
/// After an intended format change, bump the format version and regenerate with
/// <c>AKNN_UPDATE_GOLDEN=1 dotnet test --filter FullyQualifiedName~GoldenFileTests</c>, which writes
/// the files into <c>tests/Aknn.Embedded.Tests/Format/golden/</c>; review and commit them.
/// </remarks>
public class GoldenFileTests
{
    private const string CreatedPlaceholder = "2000-01-01T00:00:00Z";
    private const string ManifestGolden = "MANIFEST.json";

    private static bool Updating => Environment.GetEnvironmentVariable("AKNN_UPDATE_GOLDEN") == "1";

    private static string SourceGolden([CallerFilePath] string thisFile = "") => Path.Combine(Path.GetDirectoryName(thisFile)!, "golden");

    private static string OutputGolden => Path.Combine(AppContext.BaseDirectory, "Format", "golden");

    // ------------------------------------------------------------------ the two indexes

    /// <summary>A payload of 4000 bytes: large enough to push the tail over the 4096-byte seal threshold.</summary>
    private static byte[] BigPayload() => Enumerable.Range(0, 4000).Select(i => (byte)(i * 7 % 251)).ToArray();

    private static readonly float[] A0 = [3, 4, 0, 0];     // norm 5
    private static readonly float[] A1 = [1, 2, 2, 0];     // norm 3
    private static readonly float[] A2 = [0, 0, 0, 1];     // norm 1
    private static readonly float[] E = [2, 3, 6, 0];      // norm 7
    private static readonly float[] A2b = [1, 4, 8, 0];    // norm 9
    private static readonly float[] Big = [2, -1, 2, 4];   // norm 5
    private static readonly float[] C0 = [-1, -2, 2, 4];   // norm 5
    private static readonly float[] C1 = [0, 3, 4, 0];     // norm 5

    /// <summary>
    /// Cosine, 4 dimensions (every norm an integer, so the norms section is exact on every CPU).
    /// Writes 1–4 are sealed into seg-000002 by Compact; writes 5–7 (a delete, a replacement and a
    /// big row) cross the seal threshold, which seals seg-000004 and writes the deletion file
    /// seg-000002-000006.del; writes 8–11 stay in log-000005.wal.
    /// </summary>
    private static void BuildCosine(string folder)
    {
        using var index = VectorIndex.Create(folder, new IndexOptions
        {
            Dimensions = 4,
            Metric = Metric.Cosine,
            Durability = Durability.Manual,
            SealThresholdBytes = 4096,
        });
        index.Upsert("a0", A0, "alpha"u8);            // seq 1
        index.Upsert("a1", A1);                       // seq 2
        index.Upsert("a2", A2, [0x00, 0xFF]);         // seq 3
        index.Upsert("é", E, "accent"u8);             // seq 4
        index.Compact();                              // seals seg-000002 (rows a0, a1, a2, é), log-000003
        Assert.True(index.Delete("a1"));              // seq 5: segment row 1
        index.Upsert("a2", A2b, "v2"u8);              // seq 6: replaces segment row 2
        index.Upsert("big", Big, BigPayload());       // seq 7: tail reaches the threshold: seals seg-000004, log 5, .del 6
        index.Upsert("c0", C0, "tail"u8);             // seq 8
        index.Upsert("c1", C1);                       // seq 9
        Assert.True(index.Delete("a0"));              // seq 10: segment deletion, in the log only
        Assert.True(index.Delete("c1"));              // seq 11: tail deletion
    }

    private static readonly ulong[] H0 = [0x0123456789ABCDEFUL, 0];
    private static readonly ulong[] H1 = [ulong.MaxValue, 0x8000000000000001UL];
    private static readonly ulong[] H2 = [0, 0xF0F0F0F0F0F0F0F0UL];
    private static readonly ulong[] H3 = [1, 2];

    /// <summary>Hamming, 128-bit codes: three codes sealed into seg-000002, one upsert left in log-000003.wal.</summary>
    private static void BuildHamming(string folder)
    {
        using var index = VectorIndex.Create(folder, new IndexOptions
        {
            Dimensions = 128,
            Metric = Metric.Hamming,
            Model = IndexModel.Exact, // no substring tables: format version 1
            Durability = Durability.Manual,
        });
        index.UpsertCode("h0", H0, "zero"u8);   // seq 1
        index.UpsertCode("h1", H1);             // seq 2
        index.UpsertCode("h2", H2, [7]);        // seq 3
        index.Compact();                        // seals seg-000002, log-000003
        index.UpsertCode("h3", H3, "three"u8);  // seq 4, in the log
    }

    private static readonly ulong[] M0 = [0x0123456789ABCDEFUL];
    private static readonly ulong[] M1 = [0x0123456789ABCDEEUL];
    private static readonly ulong[] M2 = [0xFEDCBA9876543210UL];

    /// <summary>Hamming, 64-bit codes with multi-index hashing (4 tables of 16 bits): three codes in seg-000002 with substring tables.</summary>
    private static void BuildMultiIndex(string folder)
    {
        using var index = VectorIndex.Create(folder, new IndexOptions
        {
            Dimensions = 64,
            Metric = Metric.Hamming,
            Model = IndexModel.MultiIndexHashing(substrings: 4, expectedRadius: 8),
            Durability = Durability.Manual,
        });
        index.UpsertCode("m0", M0);   // seq 1
        index.UpsertCode("m1", M1);   // seq 2
        index.UpsertCode("m2", M2);   // seq 3
        index.Compact();              // seals seg-000002, log-000003
    }

    /// <summary>
    /// Hamming, 64-bit codes with bit-sampling LSH (3 tables of 4 sampled bits, seed 7: integer draws
    /// only, so the model file is the same on every CPU): LSHMODEL, and seg-000002 with LSH postings.
    /// </summary>
    private static void BuildLsh(string folder)
    {
        using var index = VectorIndex.Create(folder, new IndexOptions
        {
            Dimensions = 64,
            Metric = Metric.Hamming,
            Model = IndexModel.BitSampling(tables: 3, bitsPerTable: 4, seed: 7),
            Durability = Durability.Manual,
        });
        index.UpsertCode("m0", M0);   // seq 1
        index.UpsertCode("m1", M1);   // seq 2
        index.UpsertCode("m2", M2);   // seq 3
        index.Compact();              // seals seg-000002, log-000003
    }

    private static readonly string[] CosineFiles = ["seg-000002.seg", "seg-000004.seg", "seg-000002-000006.del", "log-000005.wal"];
    private static readonly string[] HammingFiles = ["seg-000002.seg", "log-000003.wal"];
    private static readonly string[] LshFiles = ["seg-000002.seg", "log-000003.wal", "LSHMODEL"];

    public static TheoryData<string> Kinds() => new() { "cosine", "hamming", "multi-index", "lsh" };

    private static void Build(string kind, string folder)
    {
        if (kind == "cosine") BuildCosine(folder);
        else if (kind == "hamming") BuildHamming(folder);
        else if (kind == "lsh") BuildLsh(folder);
        else BuildMultiIndex(folder);
    }

    private static string[] FilesOf(string kind) => kind switch { "cosine" => CosineFiles, "lsh" => LshFiles, _ => HammingFiles };

    // ------------------------------------------------------------------ byte-for-byte comparison

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Index_files_match_the_golden_files_byte_for_byte(string kind)
    {
        using var tmp = new TempFolder();
        string folder = tmp.Index();
        DateTime before = DateTime.UtcNow;
        Build(kind, folder);
        DateTime after = DateTime.UtcNow;

        var present = Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        var expectedNames = FilesOf(kind).Append("LOCK").Append(Manifest.FileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expectedNames, present);

        string manifestJson = ManifestBodyWithPlaceholder(File.ReadAllBytes(Path.Combine(folder, Manifest.FileName)), out DateTime created);
        Assert.InRange(created, before.AddSeconds(-1), after.AddSeconds(1));
        Assert.Equal(DateTimeKind.Utc, created.Kind);

        if (Updating)
        {
            string target = Path.Combine(SourceGolden(), kind);
            Directory.CreateDirectory(target);
            foreach (string name in FilesOf(kind)) File.Copy(Path.Combine(folder, name), Path.Combine(target, name), overwrite: true);
            File.WriteAllText(Path.Combine(target, ManifestGolden), manifestJson, new UTF8Encoding(false));
            return;
        }

        foreach (string name in FilesOf(kind))
            AssertSameBytes(Path.Combine(OutputGolden, kind, name), File.ReadAllBytes(Path.Combine(folder, name)));
        Assert.Equal(File.ReadAllText(Path.Combine(OutputGolden, kind, ManifestGolden), Encoding.UTF8), manifestJson);
    }

    private static void AssertSameBytes(string goldenPath, byte[] actual)
    {
        Assert.True(File.Exists(goldenPath), $"Golden file {goldenPath} is missing; generate it with AKNN_UPDATE_GOLDEN=1.");
        byte[] golden = File.ReadAllBytes(goldenPath);
        int n = Math.Min(golden.Length, actual.Length);
        int diff = 0;
        while (diff < n && golden[diff] == actual[diff]) diff++;
        if (diff == n && golden.Length == actual.Length) return;
        string at = diff < n ? $"first difference at offset {diff} (0x{diff:X}): golden 0x{golden[diff]:X2}, written 0x{actual[diff]:X2}" : $"one is a prefix of the other from offset {n}";
        Assert.Fail($"{Path.GetFileName(goldenPath)} differs from its golden copy ({golden.Length} golden bytes, {actual.Length} written): {at}. " +
            "If the format change is intended, bump the format version, update docs/file-format.md and regenerate with AKNN_UPDATE_GOLDEN=1.");
    }

    /// <summary>Checks the manifest frame and returns its JSON body with the creation time replaced by a placeholder.</summary>
    private static string ManifestBodyWithPlaceholder(byte[] file, out DateTime created)
    {
        Assert.True(file.Length > 32);
        Assert.Equal("AKNNMAN\0"u8.ToArray(), file[..8]);
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(8)));           // format version
        Assert.Equal(file.Length - 32, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(12))); // body length
        Assert.Equal(Crc32C(file.AsSpan(32)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(16))); // body CRC
        Assert.All(file[20..28], b => Assert.Equal(0, b));                                  // reserved
        Assert.Equal(Crc32C(file.AsSpan(0, 28)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(28))); // frame CRC
        string body = new UTF8Encoding(false, true).GetString(file, 32, file.Length - 32);
        var m = Regex.Match(body, "\"CreatedUtc\": \"([^\"]+)\"");
        Assert.True(m.Success, "the manifest has no CreatedUtc field");
        created = DateTime.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind);
        return body.Remove(m.Groups[1].Index, m.Groups[1].Length).Insert(m.Groups[1].Index, CreatedPlaceholder);
    }

    // ------------------------------------------------------------------ field-by-field decoding

    private static byte[] Golden(string kind, string name) => File.ReadAllBytes(Path.Combine(OutputGolden, kind, name));

    private static int I32(ReadOnlySpan<byte> b, long at) => BinaryPrimitives.ReadInt32LittleEndian(b[(int)at..]);
    private static uint U32(ReadOnlySpan<byte> b, long at) => BinaryPrimitives.ReadUInt32LittleEndian(b[(int)at..]);
    private static long I64(ReadOnlySpan<byte> b, long at) => BinaryPrimitives.ReadInt64LittleEndian(b[(int)at..]);
    private static ulong U64(ReadOnlySpan<byte> b, long at) => BinaryPrimitives.ReadUInt64LittleEndian(b[(int)at..]);

    private static void AssertZero(ReadOnlySpan<byte> b, int from, int to) =>
        Assert.True(b.Slice(from, to - from).IndexOfAnyExcept((byte)0) < 0, $"bytes {from}..{to - 1} should be zero");

    private sealed record Row(string Id, byte[] Vector, byte[] Payload);

    private static byte[] Floats(float[] v) => MemoryMarshal.AsBytes(v.AsSpan()).ToArray();
    private static byte[] Words(ulong[] c) => MemoryMarshal.AsBytes(c.AsSpan()).ToArray();

    /// <summary>Decodes a segment at the documented offsets and checks every field against the rows it should hold.</summary>
    private static void DecodeSegment(byte[] f, Metric metric, int dims, int rowBytes, long segmentId, long minSeq, long maxSeq, Row[] rows, int substringTables = 0)
    {
        var model = substringTables > 0 ? IndexModelKind.MultiIndexHashing : IndexModelKind.Exact;
        // Header, 128 bytes.
        Assert.Equal("AKNNSEG\0"u8.ToArray(), f[..8]);
        Assert.Equal(substringTables > 0 ? 2 : 1, I32(f, 8)); // format version: 2 only with substring tables
        Assert.Equal(128, I32(f, 12));                       // header size
        Assert.Equal((byte)metric, f[16]);
        Assert.Equal((byte)model, f[17]);
        AssertZero(f, 18, 20);
        Assert.Equal(dims, I32(f, 20));
        Assert.Equal(rowBytes, I32(f, 24));
        int sectionCount = (metric == Metric.Cosine ? 7 : 6) + (substringTables > 0 ? 1 : 0);
        Assert.Equal(sectionCount, I32(f, 28));
        Assert.Equal(rows.Length, I64(f, 32));
        Assert.Equal(segmentId, I64(f, 40));
        Assert.Equal(minSeq, I64(f, 48));
        Assert.Equal(maxSeq, I64(f, 56));
        Assert.Equal(SchemaFingerprint(metric, model, dims), U64(f, 64));
        AssertZero(f, 72, 124);
        Assert.Equal(Crc32C(f.AsSpan(0, 124)), U32(f, 124));

        // Footer, the last 32 bytes.
        int footer = f.Length - 32;
        long table = I64(f, footer);
        Assert.Equal(sectionCount, I32(f, footer + 12));
        Assert.Equal(table + sectionCount * 32, footer);      // the table sits right before the footer
        Assert.Equal(0, table % 64);
        Assert.Equal(Crc32C(f.AsSpan((int)table, sectionCount * 32)), U32(f, footer + 8));
        Assert.Equal("AKNNEND\0"u8.ToArray(), f[(footer + 16)..(footer + 24)]);
        Assert.Equal((uint)f.Length, U32(f, footer + 24));
        Assert.Equal(Crc32C(f.AsSpan(footer, 28)), U32(f, footer + 28));

        // Section table: 32-byte entries in file order; sections 64-byte aligned, back to back with zero padding.
        uint[] kinds = metric == Metric.Cosine ? [1, 2, 3, 4, 5, 6, 7] : substringTables > 0 ? [1, 3, 4, 5, 6, 7, 8] : [1, 3, 4, 5, 6, 7];
        var sections = new Dictionary<uint, (long Offset, long Length)>();
        long expectedOffset = 128;
        for (int i = 0; i < sectionCount; i++)
        {
            long e = table + i * 32;
            uint kind = U32(f, e);
            long off = I64(f, e + 8), len = I64(f, e + 16);
            Assert.Equal(kinds[i], kind);
            AssertZero(f, (int)e + 4, (int)e + 8);
            AssertZero(f, (int)e + 28, (int)e + 32);
            Assert.Equal(expectedOffset, off);
            Assert.Equal(Crc32C(f.AsSpan((int)off, (int)len)), U32(f, e + 24));
            long end = off + len;
            expectedOffset = (end + 63) / 64 * 64;
            AssertZero(f, (int)end, (int)expectedOffset);
            sections[kind] = (off, len);
        }
        Assert.Equal(expectedOffset, table);

        ReadOnlySpan<byte> Section(uint kind) => f.AsSpan((int)sections[kind].Offset, (int)sections[kind].Length);

        // 1 vectors: rows × row bytes.
        Assert.Equal(rows.SelectMany(r => r.Vector).ToArray(), Section(1).ToArray());
        // 2 norms (cosine): rows × float32.
        if (metric == Metric.Cosine)
        {
            var norms = MemoryMarshal.Cast<byte, float>(Section(2)).ToArray();
            Assert.Equal(rows.Select(r => MathF.Sqrt(MemoryMarshal.Cast<byte, float>(r.Vector).ToArray().Sum(x => x * x))), norms);
        }
        // 3 id offsets, 4 id bytes; 6 payload offsets, 7 payload bytes: (rows + 1) int64 starts, then the bytes.
        CheckOffsetsAndBytes(Section(3), Section(4), rows.Select(r => Encoding.UTF8.GetBytes(r.Id)).ToArray());
        CheckOffsetsAndBytes(Section(6), Section(7), rows.Select(r => r.Payload).ToArray());
        // 5 id table: power-of-two slots (≥ 16, ≥ 2 × rows), slot = high half of the id hash | (row + 1), linear probing.
        var slots = MemoryMarshal.Cast<byte, ulong>(Section(5)).ToArray();
        Assert.Equal(Math.Max(16, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, rows.Length) * 2)), slots.Length);
        var expectedSlots = new ulong[slots.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            ulong h = IdHash.Compute(Encoding.UTF8.GetBytes(rows[r].Id));
            int s = (int)(h & (ulong)(slots.Length - 1));
            while (expectedSlots[s] != 0) s = (s + 1) & (slots.Length - 1);
            expectedSlots[s] = (h & 0xFFFFFFFF00000000UL) | (uint)(r + 1);
        }
        Assert.Equal(expectedSlots, slots);
        if (substringTables > 0) DecodeSubstrings(Section(8), dims, substringTables, rows);
    }

    /// <summary>
    /// 8 substring tables: a 64-byte header, 32-byte table descriptors, then per table a directory of
    /// 2^dirBits + 1 uint32 entry starts and the entries sorted by directory slot (stably): whole
    /// codes for 64-bit codes (else uint32 keys), then uint32 row ordinals; arrays 64-byte aligned.
    /// </summary>
    private static void DecodeSubstrings(ReadOnlySpan<byte> s, int bits, int m, Row[] rows)
    {
        int n = rows.Length;
        bool inline = bits == 64;
        Assert.Equal(m, I32(s, 0));
        Assert.Equal(bits / 64, I32(s, 4));
        Assert.Equal(n, I32(s, 8));
        Assert.Equal(inline ? 1 : 0, I32(s, 12));
        AssertZero(s, 16, 64);
        var codes = rows.Select(r => MemoryMarshal.Cast<byte, ulong>(r.Vector).ToArray()).ToArray();
        long expectedDirectory = (64 + m * 32 + 63) / 64 * 64;
        for (int t = 0; t < m; t++)
        {
            int d = 64 + t * 32;
            int start = I32(s, d), length = I32(s, d + 4), dirBits = I32(s, d + 8);
            long directoryAt = I64(s, d + 16), entriesAt = I64(s, d + 24);
            Assert.Equal(t * bits / m, start);                  // equal lengths here
            Assert.Equal(bits / m, length);
            Assert.Equal(Math.Min(length, 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)n) + 1), dirBits);
            AssertZero(s, d + 12, d + 16);
            Assert.Equal(expectedDirectory, directoryAt);
            long directoryBytes = ((1L << dirBits) + 1) * 4;
            Assert.Equal((directoryAt + directoryBytes + 63) / 64 * 64, entriesAt);
            var directory = MemoryMarshal.Cast<byte, uint>(s.Slice((int)directoryAt, (int)directoryBytes)).ToArray();
            long ordinalsAt = entriesAt + (n * (inline ? 8 : 4) + 63) / 64 * 64;
            var ordinals = MemoryMarshal.Cast<byte, uint>(s.Slice((int)ordinalsAt, n * 4)).ToArray();
            // The expected order: rows stably sorted by the top dirBits bits of their key.
            uint Key(ulong[] code) => (uint)((code[start / 64] >> (start % 64)) & ((1UL << length) - 1));
            var order = Enumerable.Range(0, n).OrderBy(r => Key(codes[r]) >> (length - dirBits)).ToArray();
            Assert.Equal(order.Select(r => (uint)r), ordinals);
            for (int slot = 0; slot < directory.Length; slot++)
                Assert.Equal((uint)order.Count(r => (Key(codes[r]) >> (length - dirBits)) < slot), directory[slot]);
            if (inline)
                Assert.Equal(order.Select(r => codes[r][0]), MemoryMarshal.Cast<byte, ulong>(s.Slice((int)entriesAt, n * 8)).ToArray());
            else
                Assert.Equal(order.Select(r => Key(codes[r])), MemoryMarshal.Cast<byte, uint>(s.Slice((int)entriesAt, n * 4)).ToArray());
            expectedDirectory = ordinalsAt + (n * 4 + 63) / 64 * 64;
        }
        Assert.Equal(expectedDirectory, s.Length);
    }

    private static void CheckOffsetsAndBytes(ReadOnlySpan<byte> offsets, ReadOnlySpan<byte> bytes, byte[][] items)
    {
        var starts = MemoryMarshal.Cast<byte, long>(offsets).ToArray();
        Assert.Equal(items.Length + 1, starts.Length);
        long pos = 0;
        for (int i = 0; i < items.Length; i++)
        {
            Assert.Equal(pos, starts[i]);
            pos += items[i].Length;
        }
        Assert.Equal(pos, starts[^1]);
        Assert.Equal(items.SelectMany(x => x).ToArray(), bytes.ToArray());
    }

    /// <summary>The schema fingerprint, from its definition: IdHash of metric, model, dimensions and format version in 16 bytes.</summary>
    private static ulong SchemaFingerprint(Metric metric, IndexModelKind model, int dims)
    {
        var b = new byte[16];
        b[0] = (byte)metric;
        b[1] = (byte)model;
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), dims);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(8), 1);
        return IdHash.Compute(b);
    }

    [Fact]
    public void Golden_segments_decode_field_by_field_as_documented()
    {
        DecodeSegment(Golden("cosine", "seg-000002.seg"), Metric.Cosine, 4, 16, segmentId: 2, minSeq: 1, maxSeq: 4,
        [
            new("a0", Floats(A0), "alpha"u8.ToArray()),
            new("a1", Floats(A1), []),
            new("a2", Floats(A2), [0x00, 0xFF]),
            new("é", Floats(E), "accent"u8.ToArray()),
        ]);
        DecodeSegment(Golden("cosine", "seg-000004.seg"), Metric.Cosine, 4, 16, segmentId: 4, minSeq: 5, maxSeq: 7,
        [
            new("a2", Floats(A2b), "v2"u8.ToArray()),
            new("big", Floats(Big), BigPayload()),
        ]);
        DecodeSegment(Golden("hamming", "seg-000002.seg"), Metric.Hamming, 128, 16, segmentId: 2, minSeq: 1, maxSeq: 3,
        [
            new("h0", Words(H0), "zero"u8.ToArray()),
            new("h1", Words(H1), []),
            new("h2", Words(H2), [7]),
        ]);
        DecodeSegment(Golden("multi-index", "seg-000002.seg"), Metric.Hamming, 64, 8, segmentId: 2, minSeq: 1, maxSeq: 3,
        [
            new("m0", Words(M0), []),
            new("m1", Words(M1), []),
            new("m2", Words(M2), []),
        ], substringTables: 4);
    }

    private sealed record LogRecord(long Sequence, int Kind, string Id, byte[] Vector, byte[] Payload);

    /// <summary>Decodes a log at the documented offsets: the 32-byte header, then framed records to the end of the file.</summary>
    private static List<LogRecord> DecodeLog(byte[] f, long generation, int rowBytes)
    {
        Assert.Equal("AKNNWAL\0"u8.ToArray(), f[..8]);
        Assert.Equal(1, I32(f, 8));
        AssertZero(f, 12, 16);
        Assert.Equal(generation, I64(f, 16));
        AssertZero(f, 24, 28);
        Assert.Equal(Crc32C(f.AsSpan(0, 28)), U32(f, 28));
        var records = new List<LogRecord>();
        int at = 32;
        while (at < f.Length)
        {
            int length = I32(f, at);
            Assert.Equal(Crc32C(f.AsSpan(at + 8, length)), U32(f, at + 4));
            long seq = I64(f, at + 8);
            int kind = f[at + 16];
            Assert.Equal(0, f[at + 17]);
            int idLen = BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(at + 18));
            int payloadLen = I32(f, at + 20);
            int vecLen = kind == 1 ? rowBytes : 0;
            Assert.Equal(24 + idLen + vecLen + payloadLen, 8 + length);
            records.Add(new LogRecord(seq, kind, Encoding.UTF8.GetString(f, at + 24, idLen),
                f[(at + 24 + idLen)..(at + 24 + idLen + vecLen)], f[(at + 24 + idLen + vecLen)..(at + 8 + length)]));
            at += 8 + length;
        }
        Assert.Equal(f.Length, at);
        return records;
    }

    [Fact]
    public void Golden_lsh_model_and_postings_decode_as_documented()
    {
        byte[] model = File.ReadAllBytes(Path.Combine(OutputGolden, "lsh", "LSHMODEL"));
        Assert.Equal("AKNNLSH\0"u8.ToArray(), model[..8]);
        Assert.Equal(1, I32(model, 8));                 // format version
        Assert.Equal(4, I32(model, 12));                // family: bit sampling
        Assert.Equal(64, I32(model, 16));               // code bits
        Assert.Equal(3, I32(model, 20));                // tables
        Assert.Equal(4, I32(model, 24));                // bits per table
        Assert.Equal(0, I32(model, 28));                // width
        Assert.Equal(0, I64(model, 32));                // no plane coefficients
        Assert.Equal(Crc32C(model.AsSpan(64)), U32(model, 40));
        Assert.Equal(Crc32C(model.AsSpan(0, 60)), U32(model, 60));
        Assert.Equal(64 + 12 * 4 + 12 * 4, model.Length); // 12 zero offsets, then 12 sampled positions
        Assert.All(Enumerable.Range(0, 12), i => Assert.Equal(0, I32(model, 64 + i * 4)));
        int[] positions = Enumerable.Range(0, 12).Select(i => I32(model, 112 + i * 4)).ToArray();
        Assert.All(positions, p => Assert.InRange(p, 0, 63));
        for (int t = 0; t < 3; t++) Assert.Equal(4, positions.Skip(4 * t).Take(4).Distinct().Count());

        // Section 9: the rows of each table sorted by the top D bits of their key, D = min(4, 26, floor(log2 3)) = 1.
        string seg = Path.Combine(OutputGolden, "lsh", "seg-000002.seg");
        byte[] f = File.ReadAllBytes(seg);
        Assert.Equal(3, I32(f, 8)); // format version 3: LSH postings
        var (offset, length) = SegmentLayout.Read(seg)[SectionKind.LshPostings];
        byte[] p9 = f.AsSpan((int)offset, (int)length).ToArray();
        Assert.Equal((3, 3, 4), (I32(p9, 0), I32(p9, 4), I32(p9, 8)));
        ulong[] codes = [M0[0], M1[0], M2[0]];
        for (int t = 0; t < 3; t++)
        {
            int at = 64 + t * 32;
            Assert.Equal(1, I32(p9, at));
            long dir = I64(p9, at + 8), rows = I64(p9, at + 16);
            Assert.Equal(0, dir % 64);
            Assert.Equal(0, rows % 64);
            uint[] keys = codes.Select(c => (uint)Enumerable.Range(0, 4).Sum(j => (int)((c >> positions[t * 4 + j]) & 1) << j)).ToArray();
            int[] expected = Enumerable.Range(0, 3).OrderBy(r => keys[r] >> 3).ThenBy(r => r).ToArray();
            Assert.Equal([0, keys.Count(k => k >> 3 == 0), 3], Enumerable.Range(0, 3).Select(i => I32(p9, dir + i * 4)));
            Assert.Equal(expected, Enumerable.Range(0, 3).Select(i => I32(p9, rows + i * 4)));
        }
    }

    [Fact]
    public void Golden_logs_decode_record_by_record_as_documented()
    {
        var cosine = DecodeLog(Golden("cosine", "log-000005.wal"), generation: 5, rowBytes: 16);
        Assert.Equal(
            [
                new LogRecord(8, 1, "c0", Floats(C0), "tail"u8.ToArray()),
                new LogRecord(9, 1, "c1", Floats(C1), []),
                new LogRecord(10, 2, "a0", [], []),
                new LogRecord(11, 2, "c1", [], []),
            ],
            cosine, LogRecordComparer.Instance);

        var hamming = DecodeLog(Golden("hamming", "log-000003.wal"), generation: 3, rowBytes: 16);
        Assert.Equal([new LogRecord(4, 1, "h3", Words(H3), "three"u8.ToArray())], hamming, LogRecordComparer.Instance);
    }

    private sealed class LogRecordComparer : IEqualityComparer<LogRecord>
    {
        public static readonly LogRecordComparer Instance = new();

        public bool Equals(LogRecord? x, LogRecord? y) =>
            x is not null && y is not null && x.Sequence == y.Sequence && x.Kind == y.Kind && x.Id == y.Id
            && x.Vector.AsSpan().SequenceEqual(y.Vector) && x.Payload.AsSpan().SequenceEqual(y.Payload);

        public int GetHashCode(LogRecord obj) => obj.Sequence.GetHashCode();
    }

    [Fact]
    public void Golden_deletion_file_decodes_as_documented()
    {
        byte[] f = Golden("cosine", "seg-000002-000006.del");
        Assert.Equal(64 + 1, f.Length);                       // 64-byte header, ceil(4 / 8) bitmap bytes
        Assert.Equal("AKNNDEL\0"u8.ToArray(), f[..8]);
        Assert.Equal(1, I32(f, 8));
        AssertZero(f, 12, 16);
        Assert.Equal(2, I64(f, 16));                          // segment number
        Assert.Equal(4, I64(f, 24));                          // rows in the segment
        Assert.Equal(2, I64(f, 32));                          // deleted rows
        Assert.Equal(1, I32(f, 40));                          // bitmap bytes
        Assert.Equal(Crc32C(f.AsSpan(64)), U32(f, 44));
        AssertZero(f, 48, 60);
        Assert.Equal(Crc32C(f.AsSpan(0, 60)), U32(f, 60));
        Assert.Equal(0b0000_0110, f[64]);                     // rows 1 (a1) and 2 (a2) deleted: bit r of byte r / 8
    }

    [Fact]
    public void Golden_manifest_bodies_hold_the_documented_fields()
    {
        using var cosine = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(OutputGolden, "cosine", ManifestGolden)));
        var r = cosine.RootElement;
        Assert.Equal(
            ["FormatVersion", "Metric", "Dimensions", "Model", "SealThresholdBytes", "CreatedUtc", "Generation", "NextFileNumber", "LastSealedSequence", "LogFile", "LogDurableLength", "Segments"],
            r.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, r.GetProperty("FormatVersion").GetInt32());
        Assert.Equal("Cosine", r.GetProperty("Metric").GetString());
        Assert.Equal(4, r.GetProperty("Dimensions").GetInt32());
        Assert.Equal("Exact", r.GetProperty("Model").GetString());
        Assert.Equal(4096, r.GetProperty("SealThresholdBytes").GetInt64());
        Assert.Equal(4, r.GetProperty("Generation").GetInt64());           // the clean close recorded the durable log length
        Assert.Equal(new FileInfo(Path.Combine(OutputGolden, "cosine", "log-000005.wal")).Length, r.GetProperty("LogDurableLength").GetInt64());
        Assert.Equal(7, r.GetProperty("NextFileNumber").GetInt64());
        Assert.Equal(7, r.GetProperty("LastSealedSequence").GetInt64());
        Assert.Equal("log-000005.wal", r.GetProperty("LogFile").GetString());
        var segments = r.GetProperty("Segments").EnumerateArray().ToArray();
        Assert.Equal(2, segments.Length);
        Assert.Equal(["Id", "File", "Rows", "DeletionFile"], segments[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, segments[0].GetProperty("Id").GetInt64());
        Assert.Equal("seg-000002.seg", segments[0].GetProperty("File").GetString());
        Assert.Equal(4, segments[0].GetProperty("Rows").GetInt32());
        Assert.Equal("seg-000002-000006.del", segments[0].GetProperty("DeletionFile").GetString());
        Assert.Equal(4, segments[1].GetProperty("Id").GetInt64());
        Assert.Equal("seg-000004.seg", segments[1].GetProperty("File").GetString());
        Assert.Equal(2, segments[1].GetProperty("Rows").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, segments[1].GetProperty("DeletionFile").ValueKind);
    }

    // ------------------------------------------------------------------ the golden files stay readable

    /// <summary>Copies a golden index into a folder, framing its manifest body with the documented 32-byte frame.</summary>
    private static void Restore(string kind, string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (string name in FilesOf(kind)) File.Copy(Path.Combine(OutputGolden, kind, name), Path.Combine(folder, name));
        byte[] body = File.ReadAllBytes(Path.Combine(OutputGolden, kind, ManifestGolden));
        var frame = new byte[32 + body.Length];
        "AKNNMAN\0"u8.CopyTo(frame);
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(8), 1);
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(12), body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(16), Crc32C(body));
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(28), Crc32C(frame.AsSpan(0, 28)));
        body.CopyTo(frame, 32);
        File.WriteAllBytes(Path.Combine(folder, Manifest.FileName), frame);
    }

    [Fact]
    public void Golden_cosine_index_opens_and_serves_its_items()
    {
        using var tmp = new TempFolder();
        Restore("cosine", tmp.Index());
        using var index = VectorIndex.Open(tmp.Index(), new OpenOptions { ReadOnly = true });
        index.Verify();
        Assert.Equal(Metric.Cosine, index.Metric);
        Assert.Equal(4, index.Dimensions);
        Assert.Equal(4, index.Count); // a2 (replaced), é, big, c0
        Assert.False(index.Contains("a0"));
        Assert.False(index.Contains("a1"));
        Assert.False(index.Contains("c1"));
        Assert.True(index.TryGet("a2", out var a2));
        Assert.Equal(A2b, a2.Vector);
        Assert.Equal("v2"u8.ToArray(), a2.Payload);
        Assert.True(index.TryGet("é", out var e));
        Assert.Equal(E, e.Vector);
        Assert.True(index.TryGet("big", out var big));
        Assert.Equal(BigPayload(), big.Payload);
        Assert.True(index.TryGet("c0", out var c0));
        Assert.Equal("tail"u8.ToArray(), c0.Payload);

        var hits = index.Search(E, new SearchOptions { K = 10 });
        Assert.Equal("é", hits[0].Id);
        Assert.Equal(0, hits[0].Distance, 5);
        Assert.Equal(["a2", "big", "c0", "é"], hits.Select(h => h.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Golden_hamming_index_opens_and_serves_its_items()
    {
        using var tmp = new TempFolder();
        Restore("hamming", tmp.Index());
        using var index = VectorIndex.Open(tmp.Index(), new OpenOptions { ReadOnly = true });
        index.Verify();
        Assert.Equal(4, index.Count);
        Assert.True(index.TryGet("h1", out var h1));
        Assert.Equal(H1, h1.Code);
        Assert.True(index.TryGet("h3", out var h3));
        Assert.Equal(H3, h3.Code);
        Assert.Equal("three"u8.ToArray(), h3.Payload);
        var hits = index.SearchCode(H3, new SearchOptions { K = 4 });
        Assert.Equal(["h3", "h0", "h2", "h1"], hits.Select(h => h.Id));
        Assert.Equal([0f, 32, 34, 66], hits.Select(h => h.Distance));
    }

    // ------------------------------------------------------------------ an independent CRC-32C

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial and final XOR 0xFFFFFFFF), byte at a time.</summary>
    private static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }

    [Fact]
    public void The_checksum_is_crc32c_as_published()
    {
        // The standard check value of CRC-32C ("123456789" → 0xE3069283), for the test's own CRC and the library's.
        Assert.Equal(0xE3069283u, Crc32C("123456789"u8));
        Assert.Equal(0xE3069283u, Aknn.Embedded.Storage.Crc32C.Compute("123456789"u8));
    }
}

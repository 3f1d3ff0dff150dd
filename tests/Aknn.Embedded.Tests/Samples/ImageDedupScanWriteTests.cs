using System.Buffers;
using System.Text;
using Aknn.Embedded.Tests.Support;
using ImageDedup.Decoding;
using ImageDedup.Evaluation;
using ImageDedup.Hashing;
using ImageDedup.Scanning;
using SkiaSharp;

namespace Aknn.Embedded.Tests.Samples;

/// <summary>
/// The ImageDedup scan's fast path (rows written in batches, short crop payloads, pooled decode
/// buffers) and the edit-set builder's tiles.
/// </summary>
public sealed class ImageDedupScanWriteTests : IDisposable
{
    private static readonly string Bridge = Path.Combine(AppContext.BaseDirectory, "TestData", "pdq", "bridge-mods");

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_scan_of_more_files_than_one_write_batch_stores_every_code_and_groups_as_with_one_worker()
    {
        // 12 bridge pictures and 70 unrelated ones: 82 files, more than one batch of 64.
        string photos = Path.Combine(_temp.Root, "photos");
        Directory.CreateDirectory(Path.Combine(photos, "bridge"));
        foreach (string file in Directory.GetFiles(Bridge)) File.Copy(file, Path.Combine(photos, "bridge", Path.GetFileName(file)));
        Directory.CreateDirectory(Path.Combine(photos, "shapes"));
        for (int i = 0; i < 70; i++) File.WriteAllBytes(Path.Combine(photos, "shapes", $"s{i:D2}.jpg"), TestPictures.Shapes(5000 + i, 160, 120));

        var results = new List<IReadOnlyList<ImageGroup>>();
        foreach (int workers in new[] { 1, 2 })
        {
            string cache = Path.Combine(_temp.Root, "cache-" + workers);
            using (DedupScanner scanner = DedupScanner.Open(new DedupSettings { Folder = photos, IndexRoot = cache, Workers = workers }))
            {
                ScanSummary scan = await scanner.ScanAsync();
                Assert.Equal((82, 82, 0), (scan.FilesFound, scan.HashedNow, scan.Failures.Count));
                Assert.True(scan.StoreTime > TimeSpan.Zero);
                results.Add(scanner.FindGroups().Groups);
            }
            using (var index = VectorIndex.Open(Directory.GetDirectories(cache).Single(), new OpenOptions { ReadOnly = true }))
            {
                // Every file has its full frame and its ten crops, each with a record naming the file.
                var items = index.EnumerateItems().ToList();
                Assert.Equal(82 * CropRegions.Default.Count, items.Count);
                var records = items.Select(i => FileRecord.TryParse(i.Payload)!).ToList();
                Assert.All(records, Assert.NotNull);
                Assert.Equal(82, records.Count(r => r.Region == CropRegion.Full.Name && r.Hash is { Length: 64 } && r.Size > 0));
                Assert.Equal(82, records.Select(r => r.Path).Distinct().Count());
            }
            using (DedupScanner again = DedupScanner.Open(new DedupSettings { Folder = photos, IndexRoot = cache, Workers = workers }))
            {
                ScanSummary rescan = await again.ScanAsync();
                Assert.Equal((0, 82), (rescan.HashedNow, rescan.Reused));
            }
        }
        ImageGroup group = Assert.Single(results[0]);
        Assert.Equal(12, group.Count);
        Assert.Equal(group.Members, Assert.Single(results[1]).Members);
    }

    [Fact]
    public void A_crop_record_names_its_file_region_and_quality_only()
    {
        byte[] crop = FileRecord.ForCrop("a/b.jpg", "c90", 87).ToUtf8();
        Assert.Equal("""{"path":"a/b.jpg","quality":87,"region":"c90"}""", Encoding.UTF8.GetString(crop));
        Assert.Equal(new FileRecord("a/b.jpg", 0, 0, 87, null, Region: "c90"), FileRecord.TryParse(crop));

        var full = new FileRecord("a/b.jpg", 1234, 5678, 90, new string('f', 64), 640, 480, "full", "full,c90");
        Assert.Equal(full, FileRecord.TryParse(full.ToUtf8()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(256)]
    public void Decoding_into_pooled_buffers_gives_the_same_pixels(int minimumSide)
    {
        var decoder = new SkiaImageDecoder(minimumSide);
        string photo = Path.Combine(Bridge, "aaa-orig.jpg");
        DecodedImage plain = decoder.Decode(photo);
        DecodedImage pooled = decoder.Decode(photo, ArrayPool<byte>.Shared);
        try
        {
            Assert.Equal((plain.Width, plain.Height, plain.SourceWidth, plain.SourceHeight), (pooled.Width, pooled.Height, pooled.SourceWidth, pooled.SourceHeight));
            Assert.True(pooled.Pixels.AsSpan(0, plain.Pixels.Length).SequenceEqual(plain.Pixels));
            Assert.Equal(ImageHasher.Compute(HashKind.Pdq, plain).Hex, ImageHasher.Compute(HashKind.Pdq, pooled).Hex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pooled.Pixels);
        }
    }

    [Fact]
    public void Pooled_decoding_refuses_a_truncated_file_and_reports_a_missing_one_as_an_io_error()
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(Bridge, "aaa-orig.jpg"));
        string cut = Path.Combine(_temp.Root, "cut.jpg");
        File.WriteAllBytes(cut, bytes.AsSpan(0, bytes.Length / 2).ToArray());
        var decoder = new SkiaImageDecoder(256);
        Assert.Contains("truncated", Assert.Throws<ImageDecodeException>(() => decoder.Decode(cut, ArrayPool<byte>.Shared)).Message);
        Assert.ThrowsAny<IOException>(() => decoder.Decode(Path.Combine(_temp.Root, "missing.jpg"), ArrayPool<byte>.Shared));
    }

    [Fact]
    public void Tiles_cover_a_photo_without_overlap_and_small_photos_are_skipped()
    {
        string source = Path.Combine(_temp.Root, "source");
        Directory.CreateDirectory(source);
        string large = Path.Combine(source, "large.jpg"), small = Path.Combine(source, "small.jpg");
        File.WriteAllBytes(large, TestPictures.Shapes(7, 1000, 700));
        File.WriteAllBytes(small, TestPictures.Shapes(8, 500, 300));
        string output = Path.Combine(_temp.Root, "tiles");

        IReadOnlyList<string> tiles = EditSet.CutTiles([large, small], output, minimumSide: 320);

        // 1000 / 320 = 3 columns, 700 / 320 = 2 rows; the 500×300 picture has room for no tile of 320.
        Assert.Equal(["large-r0c0", "large-r0c1", "large-r0c2", "large-r1c0", "large-r1c1", "large-r1c2"], tiles.Select(Path.GetFileNameWithoutExtension));
        var decoder = new SkiaImageDecoder();
        var sizes = tiles.Select(t => decoder.Decode(t)).Select(d => (d.Width, d.Height)).ToList();
        Assert.All(sizes, s => Assert.True(s.Width >= 320 && s.Height >= 320, $"{s} is below 320"));
        Assert.Equal(1000, sizes.Take(3).Sum(s => s.Width));
        Assert.Equal(700, sizes.Where((_, i) => i % 3 == 0).Sum(s => s.Height));

        // Neighbouring tiles are different pictures: their PDQ hashes are far apart.
        var hashes = tiles.Select(t => ImageHasher.Compute(HashKind.Pdq, decoder.Decode(t)).Code).ToList();
        for (int i = 0; i < hashes.Count; i++)
        {
            for (int j = i + 1; j < hashes.Count; j++)
                Assert.True(Distance(hashes[i], hashes[j]) > 31, $"tiles {i} and {j} are within 31 bits");
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => EditSet.CutTiles([large], output, minimumSide: 8));
    }

    private static int Distance(ulong[] a, ulong[] b)
    {
        int d = 0;
        for (int i = 0; i < a.Length; i++) d += System.Numerics.BitOperations.PopCount(a[i] ^ b[i]);
        return d;
    }
}

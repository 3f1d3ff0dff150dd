using System.Text.Json;
using AngleSharp.Html.Parser;
using Aknn.Embedded.Imaging;
using Aknn.Embedded.Tests.Support;
using ImageDedup.Cli;
using ImageDedup.Decoding;
using ImageDedup.Evaluation;
using ImageDedup.Hashing;
using ImageDedup.Output;
using ImageDedup.Scanning;
using SkiaSharp;

namespace Aknn.Embedded.Tests.Samples;

/// <summary>
/// ImageDedup's SkiaSharp decoding (orientation, scaled decode, truncated files), crop hashes,
/// keepers, the quality flag, the JSON and HTML reports and <c>--move-duplicates</c>.
/// </summary>
public sealed class ImageDedupDecodingAndReportTests : IDisposable
{
    private static readonly string Bridge = Path.Combine(AppContext.BaseDirectory, "TestData", "pdq", "bridge-mods");

    private readonly TempFolder _temp = new();

    private string Photos => Path.Combine(_temp.Root, "photos");

    private string Cache => Path.Combine(_temp.Root, "cache");

    public void Dispose() => _temp.Dispose();

    // ------------------------------------------------------------------ decoding

    [Fact]
    public void A_truncated_jpeg_is_refused_with_a_reason_rather_than_decoded_with_grey_rows()
    {
        byte[] whole = File.ReadAllBytes(Path.Combine(Bridge, "aaa-orig.jpg"));
        var ex = Assert.Throws<ImageDecodeException>(() => new SkiaImageDecoder().Decode(whole[..(whole.Length / 2)]));
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public async Task A_truncated_jpeg_is_reported_by_name_and_not_hashed()
    {
        Directory.CreateDirectory(Photos);
        File.Copy(Path.Combine(Bridge, "aaa-orig.jpg"), Path.Combine(Photos, "whole.jpg"));
        byte[] whole = File.ReadAllBytes(Path.Combine(Bridge, "aaa-orig.jpg"));
        File.WriteAllBytes(Path.Combine(Photos, "cut.jpg"), whole[..(whole.Length * 3 / 4)]);

        using DedupScanner scanner = DedupScanner.Open(new DedupSettings { Folder = Photos, IndexRoot = Cache });
        ScanSummary scan = await scanner.ScanAsync();

        FileFailure failure = Assert.Single(scan.Failures);
        Assert.Equal("cut.jpg", failure.Path);
        Assert.Contains("truncated", failure.Reason);
        Assert.Equal(1, scan.HashedNow);
        Assert.Empty(scanner.FindGroups().Groups);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(8)]
    [InlineData(3)]
    [InlineData(2)]
    public void The_exif_orientation_is_applied(int orientation)
    {
        byte[] plain = TestPictures.Shapes(7, 64, 48);
        var decoder = new SkiaImageDecoder();
        ImageDedup.Decoding.DecodedImage stored = decoder.Decode(plain);
        ImageDedup.Decoding.DecodedImage turned = decoder.Decode(WithOrientation(plain, orientation));

        bool swaps = orientation is 5 or 6 or 7 or 8;
        Assert.Equal(swaps ? (48, 64) : (64, 48), (turned.Width, turned.Height));
        Assert.Equal((turned.Width, turned.Height), (turned.SourceWidth, turned.SourceHeight));
        // Corner by corner: where the stored picture's top-left pixel must end up.
        (int x, int y) = orientation switch
        {
            2 => (63, 0),
            3 => (63, 47),
            6 => (47, 0),  // turned clockwise: top-left goes to the top-right
            8 => (0, 63),  // turned anticlockwise: top-left goes to the bottom-left
            _ => (0, 0),
        };
        Assert.Equal(Pixel(stored, 0, 0), Pixel(turned, x, y));
        Assert.NotEqual(Pixel(stored, 0, 0), Pixel(stored, 63, 47)); // the check can fail
    }

    [Fact]
    public void Scaled_decoding_keeps_the_short_side_and_moves_pdq_by_a_few_bits_only()
    {
        string path = Path.Combine(Bridge, "aaa-orig.jpg");
        ImageDedup.Decoding.DecodedImage full = new SkiaImageDecoder().Decode(path);
        ImageDedup.Decoding.DecodedImage scaled = new SkiaImageDecoder(256).Decode(path);

        Assert.Equal((1600, 1004), (full.Width, full.Height));
        Assert.True(scaled.Width < full.Width && Math.Min(scaled.Width, scaled.Height) >= 256, $"{scaled.Width}x{scaled.Height}");
        Assert.Equal((1600, 1004), (scaled.SourceWidth, scaled.SourceHeight));
        // Measured over the 22 reference pictures: at most 6 bits (see the sample's README).
        int d = PerceptualHash.Pdq(full.AsPixelImage()).DistanceTo(PerceptualHash.Pdq(scaled.AsPixelImage()));
        Assert.InRange(d, 0, 8);
    }

    // ------------------------------------------------------------------ grouping

    [Fact]
    public async Task Crop_hashes_join_cropped_copies_that_the_full_frame_alone_misses()
    {
        Directory.CreateDirectory(Photos);
        File.Copy(Path.Combine(Bridge, "aaa-orig.jpg"), Path.Combine(Photos, "orig.jpg"));
        using (SKBitmap source = EditSet.ToBitmap(new SkiaImageDecoder().Decode(Path.Combine(Bridge, "aaa-orig.jpg"))))
        {
            foreach (PhotoEdit edit in new[] { PhotoEdit.CropCentre10, PhotoEdit.CropLeft10 })
            {
                using SKBitmap cropped = EditSet.Apply(source, edit, null);
                File.WriteAllBytes(Path.Combine(Photos, EditSet.Name(edit) + ".jpg"), EditSet.EncodeJpeg(cropped, 90));
            }
        }

        using (DedupScanner plain = DedupScanner.Open(new DedupSettings { Folder = Photos, IndexRoot = Path.Combine(_temp.Root, "plain"), CropHashes = false }))
        {
            await plain.ScanAsync();
            Assert.Empty(plain.FindGroups().Groups);
        }
        using DedupScanner scanner = DedupScanner.Open(new DedupSettings { Folder = Photos, IndexRoot = Cache });
        await scanner.ScanAsync();
        ImageGroup group = Assert.Single(scanner.FindGroups().Groups);
        Assert.Equal(["crop-centre-10.jpg", "crop-left-10.jpg", "orig.jpg"], group.Members.Select(m => m.Path).Order(StringComparer.Ordinal));
        Assert.Equal("orig.jpg", group.Keeper.Path); // the most pixels
    }

    [Fact]
    public async Task The_keeper_has_the_most_pixels_then_the_largest_file_then_the_oldest_time()
    {
        Directory.CreateDirectory(Photos);
        // Same pixels, different sizes: the larger file wins over the smaller one.
        File.Copy(Path.Combine(Bridge, "aaa-orig.jpg"), Path.Combine(Photos, "a.jpg"));
        File.Copy(Path.Combine(Bridge, "blur-a-lot.jpg"), Path.Combine(Photos, "b.jpg"));
        File.Copy(Path.Combine(Bridge, "shrink-a-little.jpg"), Path.Combine(Photos, "c.jpg"));
        // An identical copy of a.jpg, older: it wins the tie on pixels and size.
        File.Copy(Path.Combine(Bridge, "aaa-orig.jpg"), Path.Combine(Photos, "z-old-copy.jpg"));
        File.SetLastWriteTimeUtc(Path.Combine(Photos, "z-old-copy.jpg"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        using DedupScanner scanner = DedupScanner.Open(new DedupSettings { Folder = Photos, IndexRoot = Cache });
        await scanner.ScanAsync();
        ImageGroup group = Assert.Single(scanner.FindGroups().Groups);

        Assert.Equal("z-old-copy.jpg", group.Keeper.Path);
        Assert.True(group.Keeper.IsKeeper);
        GroupMember twin = group.Members.Single(m => m.Path == "a.jpg");
        Assert.Equal(0, twin.Distance);
        Assert.Equal((1600, 1004), (twin.Width, twin.Height));
        Assert.Equal(group.Members.Skip(1).Select(m => m.Distance).Order(), group.Members.Skip(1).Select(m => m.Distance));
    }

    [Fact]
    public async Task Low_quality_hashes_are_flagged_and_link_nothing_unless_asked()
    {
        Directory.CreateDirectory(Photos);
        // Two copies of a flat picture: PDQ gives them quality 0 (the hash of a flat picture is
        // rounding noise, so flat pictures of any colour can land close together).
        File.WriteAllBytes(Path.Combine(Photos, "grey-1.png"), Flat(120));
        File.WriteAllBytes(Path.Combine(Photos, "grey-2.png"), Flat(120));

        using (DedupScanner scanner = DedupScanner.Open(new DedupSettings { Folder = Photos, IndexRoot = Cache }))
        {
            await scanner.ScanAsync();
            GroupingResult result = scanner.FindGroups();
            Assert.Empty(result.Groups);
            Assert.Equal(["grey-1.png", "grey-2.png"], result.LowQuality);
        }
        using (DedupScanner scanner = DedupScanner.Open(new DedupSettings { Folder = Photos, IndexRoot = Cache, IncludeLowQuality = true }))
        {
            await scanner.ScanAsync();
            ImageGroup group = Assert.Single(scanner.FindGroups().Groups);
            Assert.All(group.Members, m => Assert.True(m.LowQuality));
        }
    }

    [Fact]
    public async Task The_text_summary_counts_low_quality_images_in_the_singular_and_the_plural()
    {
        Directory.CreateDirectory(Photos);
        File.WriteAllBytes(Path.Combine(Photos, "grey-1.png"), Flat(120));
        async Task<string> Summary()
        {
            using DedupScanner scanner = DedupScanner.Open(new DedupSettings { Folder = Photos, IndexRoot = Cache });
            ScanSummary scan = await scanner.ScanAsync();
            var text = new StringWriter();
            TextReport.WriteSummary(text, scan, scanner.FindGroups(), "pdq", 31, TimeSpan.FromSeconds(1));
            return text.ToString();
        }
        Assert.Contains("1 image has PDQ quality below 50", await Summary());
        File.WriteAllBytes(Path.Combine(Photos, "grey-2.png"), Flat(120));
        Assert.Contains("2 images have PDQ quality below 50", await Summary());
    }

    // ------------------------------------------------------------------ reports and the command line

    [Fact]
    public async Task A_bad_json_path_is_reported_before_anything_is_scanned()
    {
        Directory.CreateDirectory(Photos);
        File.Copy(Path.Combine(Bridge, "aaa-orig.jpg"), Path.Combine(Photos, "a.jpg"));
        string json = Path.Combine(_temp.Root, "no-such-folder", "report.json");

        (int code, string output, string error) = await RunApp(Photos, "--index", Cache, "--json", json);

        Assert.Equal(DedupApp.BadUsage, code);
        Assert.Equal("", output);
        Assert.Contains("--json", error);
        Assert.Contains("does not exist", error);
        Assert.False(Directory.Exists(Cache), "the scan must not have started");
    }

    [Fact]
    public async Task The_json_report_keeps_backquotes_and_apostrophes_unescaped()
    {
        Directory.CreateDirectory(Photos);
        File.Copy(Path.Combine(Bridge, "aaa-orig.jpg"), Path.Combine(Photos, "Anna's `best` shot.jpg"));
        File.Copy(Path.Combine(Bridge, "blur-a-little.jpg"), Path.Combine(Photos, "blur.jpg"));
        string json = Path.Combine(_temp.Root, "report.json");

        (int code, _, string error) = await RunApp(Photos, "--index", Cache, "--json", json, "--quiet");

        Assert.True(code == DedupApp.Success, error);
        string text = File.ReadAllText(json);
        Assert.Contains("\"Anna's `best` shot.jpg\"", text);
        Assert.DoesNotContain("\\u0027", text);
        Assert.DoesNotContain("\\u0060", text);
        using JsonDocument doc = JsonDocument.Parse(text);
        Assert.Equal("Anna's `best` shot.jpg", doc.RootElement.GetProperty("groups")[0].GetProperty("keeper").GetString());
    }

    [Fact]
    public async Task The_html_report_has_one_block_per_group_with_the_keeper_marked_and_embedded_thumbnails()
    {
        Directory.CreateDirectory(Photos);
        foreach (string name in new[] { "aaa-orig.jpg", "blur-a-little.jpg", "shrink-a-lot.jpg" })
            File.Copy(Path.Combine(Bridge, name), Path.Combine(Photos, name));
        File.WriteAllBytes(Path.Combine(Photos, "other-1.jpg"), TestPictures.Shapes(1, 320, 240));
        File.WriteAllBytes(Path.Combine(Photos, "other-1-copy.png"), PngOf(Path.Combine(Photos, "other-1.jpg")));
        File.WriteAllBytes(Path.Combine(Photos, "<b>alone.jpg"), TestPictures.Shapes(2, 320, 240));
        string html = Path.Combine(_temp.Root, "report.html");

        (int code, _, string error) = await RunApp(Photos, "--index", Cache, "--html", html, "--quiet");

        Assert.True(code == DedupApp.Success, error);
        var page = new HtmlParser().ParseDocument(File.ReadAllText(html));
        var groups = page.QuerySelectorAll("section.group");
        Assert.Equal(2, groups.Length);
        var first = groups[0].QuerySelectorAll("figure");
        Assert.Equal(3, first.Length);
        Assert.Equal("keeper", first[0].ClassName);
        Assert.Equal("bridge-mods/aaa-orig.jpg".Split('/')[^1], first[0].GetAttribute("data-path"));
        Assert.Equal("keep", first[0].QuerySelector(".badge")!.TextContent);
        Assert.All(first.Skip(1), f => Assert.Equal("duplicate", f.ClassName));
        Assert.Single(groups[1].QuerySelectorAll("figure.keeper"));
        foreach (var img in page.QuerySelectorAll("img"))
            Assert.StartsWith("data:image/jpeg;base64,", img.GetAttribute("src"));
        Assert.Equal(5, page.QuerySelectorAll("img").Length);
        // Nothing is fetched from elsewhere, and a file name cannot inject markup.
        Assert.Empty(page.QuerySelectorAll("script, link, iframe"));
        Assert.Empty(page.QuerySelectorAll("b"));
        Assert.Contains("1600×1004", first[0].QuerySelector("figcaption")!.TextContent);
    }

    [Fact]
    public async Task Moving_duplicates_lists_first_then_moves_keeping_paths_never_overwrites_and_a_rescan_is_clean()
    {
        string sub = Path.Combine(Photos, "trip");
        Directory.CreateDirectory(sub);
        File.Copy(Path.Combine(Bridge, "aaa-orig.jpg"), Path.Combine(sub, "orig.jpg"));
        File.Copy(Path.Combine(Bridge, "blur-a-little.jpg"), Path.Combine(sub, "blur.jpg"));
        File.Copy(Path.Combine(Bridge, "shrink-a-lot.jpg"), Path.Combine(sub, "small.jpg"));
        string dupes = Path.Combine(_temp.Root, "dupes");
        // Something already sits where small.jpg would go: it must be left alone.
        Directory.CreateDirectory(Path.Combine(dupes, "trip"));
        File.WriteAllText(Path.Combine(dupes, "trip", "small.jpg"), "someone else's file");

        (int code, string output, string error) = await RunApp(Photos, "--index", Cache, "--move-duplicates", dupes, "--quiet");
        Assert.True(code == DedupApp.Success, error);
        Assert.Contains("Would move 2 duplicates", output);
        Assert.True(File.Exists(Path.Combine(sub, "blur.jpg")), "a dry run moves nothing");

        (code, output, error) = await RunApp(Photos, "--index", Cache, "--move-duplicates", dupes, "--yes", "--quiet");
        Assert.True(code == DedupApp.Success, error);
        string keeper = File.Exists(Path.Combine(sub, "orig.jpg")) ? "orig.jpg" : "blur.jpg";
        Assert.Equal("orig.jpg", keeper);
        Assert.True(File.Exists(Path.Combine(dupes, "trip", "blur.jpg")));
        Assert.False(File.Exists(Path.Combine(sub, "blur.jpg")));
        Assert.Equal("someone else's file", File.ReadAllText(Path.Combine(dupes, "trip", "small.jpg")));
        Assert.True(File.Exists(Path.Combine(sub, "small.jpg")), "not moved over an existing file");
        Assert.Contains("1 moved, 1 skipped, 0 failed", output);

        File.Delete(Path.Combine(sub, "small.jpg")); // the user deals with the one that was skipped
        (code, output, _) = await RunApp(Photos, "--index", Cache, "--move-duplicates", dupes, "--quiet");
        Assert.Equal(DedupApp.Success, code);
        Assert.Contains("no near-duplicates", output);
        Assert.Contains("Nothing to move", output);
    }

    [Fact]
    public async Task A_duplicates_folder_inside_the_scanned_folder_is_refused()
    {
        Directory.CreateDirectory(Photos);
        (int code, _, string error) = await RunApp(Photos, "--index", Cache, "--move-duplicates", Path.Combine(Photos, "dupes"));
        Assert.Equal(DedupApp.BadUsage, code);
        Assert.Contains("inside the scanned folder", error);
    }

    // ------------------------------------------------------------------ helpers

    private static SKColor Pixel(ImageDedup.Decoding.DecodedImage image, int x, int y)
    {
        int i = (y * image.Width + x) * 4;
        return new SKColor(image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2], image.Pixels[i + 3]);
    }

    /// <summary>The JPEG with an EXIF block (APP1) holding only the orientation tag, inserted after the start marker.</summary>
    private static byte[] WithOrientation(byte[] jpeg, int orientation)
    {
        byte[] tiff =
        [
            (byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, // big-endian TIFF header, first IFD at offset 8
            0, 1,                                    // one entry
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0, // Orientation, SHORT, count 1, value
            0, 0, 0, 0,                              // no next IFD
        ];
        byte[] exif = [.. "Exif\0\0"u8, .. tiff];
        int length = exif.Length + 2;
        byte[] app1 = [0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. exif];
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }

    private static byte[] Flat(byte level)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(200, 150, SKColorType.Rgba8888, SKAlphaType.Premul));
        bitmap.Erase(new SKColor(level, level, level));
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static byte[] PngOf(string path)
    {
        using SKBitmap bitmap = EditSet.ToBitmap(new SkiaImageDecoder().Decode(path));
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static async Task<(int Code, string Output, string Error)> RunApp(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await DedupApp.RunAsync(args, output, error, errorIsTerminal: false, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}

using System.Text;
using System.Text.Json;
using Aknn.Embedded.Tests.Support;
using ImageDedup.Cli;
using ImageDedup.Decoding;
using ImageDedup.Hashing;
using ImageDedup.Scanning;

namespace Aknn.Embedded.Tests.Samples;

/// <summary>
/// The ImageDedup sample end to end: decoding, scanning, the hash cache, grouping, keepers,
/// reports, moving duplicates, and the command line. Images are decoded in-process by SkiaSharp,
/// so nothing here needs more than the .NET SDK.
/// </summary>
public sealed class ImageDedupTests : IDisposable
{
    /// <summary>PDQ's reference photo and its eleven edits (copied to the test output by the test project).</summary>
    private static readonly string BridgeModsSource = Path.Combine(AppContext.BaseDirectory, "TestData", "pdq", "bridge-mods");

    /// <summary>PDQ's single reference images, unrelated to the bridge; used where the test data holds them.</summary>
    private static readonly string ReferenceImagesSource = Path.Combine(AppContext.BaseDirectory, "TestData", "pdq", "images");

    private static readonly string[] BridgeMods =
    [
        "aaa-orig.jpg", "blur-a-little.jpg", "blur-a-lot.jpg", "high-contrast.jpg", "high-saturation.jpg",
        "sharpen-a-little.jpg", "sharpen-a-lot.jpg", "shrink-a-little.jpg", "shrink-a-lot.jpg",
        "square-128x128.jpg", "square-256x256.jpg", "square-512x512.jpg",
    ];

    private readonly TempFolder _temp = new();

    private string Photos => Path.Combine(_temp.Root, "photos");

    private string Cache => Path.Combine(_temp.Root, "cache");

    public void Dispose() => _temp.Dispose();

    // ------------------------------------------------------------------ grouping

    [Theory]
    [InlineData(HashKind.Pdq)]
    [InlineData(HashKind.PHash)]
    public async Task The_bridge_photo_and_its_eleven_edits_form_one_group_of_twelve(HashKind hash)
    {
        CopyBridgeMods();

        using DedupScanner scanner = Open(hash);
        ScanSummary scan = await scanner.ScanAsync();
        IReadOnlyList<ImageGroup> groups = scanner.FindGroups().Groups;

        Assert.Equal((12, 12, 0, 0, 0, false), (scan.FilesFound, scan.HashedNow, scan.Reused, scan.Removed, scan.Failures.Count, scan.WasCancelled));
        ImageGroup group = Assert.Single(groups);
        Assert.Equal(BridgeMods.Select(f => "bridge-mods/" + f), group.Members.Select(m => m.Path).Order(StringComparer.Ordinal));
        Assert.Equal(0, group.Members[0].Distance);
        Assert.True(group.Members[0].IsKeeper);
        Assert.All(group.Members.Skip(1), m => Assert.False(m.IsKeeper));
        Assert.All(group.Members, m => Assert.InRange(m.Distance, 0, hash.Bits()));
        Assert.All(group.Members, m => Assert.Equal(hash.Bits() / 4, m.Hash.Length));
        Assert.All(group.Members, m => Assert.Equal(new FileInfo(Path.Combine(Photos, m.Path)).Length, m.Size));
        if (hash == HashKind.Pdq) Assert.All(group.Members, m => Assert.InRange(m.Quality!.Value, 0, 100));
        else Assert.All(group.Members, m => Assert.Null(m.Quality));
    }

    [Theory]
    [InlineData(HashKind.Pdq)]
    [InlineData(HashKind.PHash)]
    public async Task Distinct_images_do_not_join_the_group_or_each_other(HashKind hash)
    {
        CopyBridgeMods();
        string others = Path.Combine(Photos, "others");
        MakeDistinctImages(others, 8);
        if (Directory.Exists(ReferenceImagesSource)) CopyFolder(ReferenceImagesSource, Path.Combine(Photos, "reference"));

        using DedupScanner scanner = Open(hash);
        ScanSummary scan = await scanner.ScanAsync();
        IReadOnlyList<ImageGroup> groups = scanner.FindGroups().Groups;

        Assert.Empty(scan.Failures);
        ImageGroup group = Assert.Single(groups);
        Assert.Equal(BridgeMods.Select(f => "bridge-mods/" + f), group.Members.Select(m => m.Path).Order(StringComparer.Ordinal));
    }

    // ------------------------------------------------------------------ the cache

    [Fact]
    public async Task A_rescan_hashes_nothing_new_and_finds_the_same_group()
    {
        CopyBridgeMods();
        IReadOnlyList<ImageGroup> first;
        using (DedupScanner scanner = Open())
        {
            await scanner.ScanAsync();
            first = scanner.FindGroups().Groups;
        }

        using (DedupScanner scanner = Open())
        {
            ScanSummary again = await scanner.ScanAsync();
            Assert.Equal((12, 0, 12, 0), (again.FilesFound, again.HashedNow, again.Reused, again.Removed));
            IReadOnlyList<ImageGroup> second = scanner.FindGroups().Groups;
            Assert.Equal(first.Single().Members, second.Single().Members);
        }
    }

    [Fact]
    public async Task A_modified_file_is_hashed_again()
    {
        string bridge = CopyBridgeMods();
        MakeDistinctImages(Path.Combine(_temp.Root, "spare"), 1);
        using (DedupScanner scanner = Open()) await scanner.ScanAsync();

        // Replace one edit of the bridge with an unrelated picture (new size, new time).
        string changed = Path.Combine(bridge, "blur-a-lot.jpg");
        File.Copy(Directory.GetFiles(Path.Combine(_temp.Root, "spare")).Single(), changed, overwrite: true);
        File.SetLastWriteTimeUtc(changed, DateTime.UtcNow.AddMinutes(1));

        using (DedupScanner scanner = Open())
        {
            ScanSummary scan = await scanner.ScanAsync();
            Assert.Equal((12, 1, 11, 0), (scan.FilesFound, scan.HashedNow, scan.Reused, scan.Removed));
            ImageGroup group = Assert.Single(scanner.FindGroups().Groups);
            Assert.Equal(11, group.Count);
            Assert.DoesNotContain("bridge-mods/blur-a-lot.jpg", group.Members.Select(m => m.Path));
        }
    }

    [Fact]
    public async Task A_removed_file_is_deleted_from_the_index()
    {
        string bridge = CopyBridgeMods();
        using (DedupScanner scanner = Open()) await scanner.ScanAsync();
        File.Delete(Path.Combine(bridge, "sharpen-a-lot.jpg"));

        using (DedupScanner scanner = Open())
        {
            ScanSummary scan = await scanner.ScanAsync();
            Assert.Equal((11, 0, 11, 1), (scan.FilesFound, scan.HashedNow, scan.Reused, scan.Removed));
            ImageGroup group = Assert.Single(scanner.FindGroups().Groups);
            Assert.Equal(11, group.Count);
            Assert.DoesNotContain("bridge-mods/sharpen-a-lot.jpg", group.Members.Select(m => m.Path));
        }
        using var index = VectorIndex.Open(Path.Combine(Cache, "pdq"));
        Assert.Equal(11 * CropRegions.Default.Count, index.Count);
        Assert.False(index.Contains("bridge-mods/sharpen-a-lot.jpg"));
    }

    [Fact]
    public async Task Each_hash_kind_keeps_its_own_index()
    {
        CopyBridgeMods();
        using (DedupScanner pdq = Open(HashKind.Pdq)) await pdq.ScanAsync();

        using (DedupScanner phash = Open(HashKind.PHash))
        {
            ScanSummary scan = await phash.ScanAsync();
            Assert.Equal((12, 0), (scan.HashedNow, scan.Reused));
            Assert.Equal(Path.Combine(Cache, "phash"), phash.IndexFolder);
        }
        using (var index = VectorIndex.Open(Path.Combine(Cache, "pdq"))) Assert.Equal(256, index.Dimensions);
        using (var index = VectorIndex.Open(Path.Combine(Cache, "phash"))) Assert.Equal(64, index.Dimensions);
    }

    [Fact]
    public async Task A_cancelled_scan_keeps_what_it_hashed_and_the_next_scan_hashes_the_rest()
    {
        CopyBridgeMods();
        ScanSummary first;
        using (var cancel = new CancellationTokenSource())
        using (DedupScanner scanner = Open(workers: 1))
        {
            var progress = new InlineProgress(p => { if (p.Phase == "hashing") cancel.Cancel(); });
            first = await scanner.ScanAsync(progress, cancellationToken: cancel.Token);
        }
        Assert.True(first.WasCancelled);
        Assert.InRange(first.HashedNow, 1, 11);

        using DedupScanner again = Open();
        ScanSummary rest = await again.ScanAsync();
        Assert.False(rest.WasCancelled);
        Assert.Equal((first.HashedNow, 12 - first.HashedNow), (rest.Reused, rest.HashedNow));
        Assert.Equal(12, Assert.Single(again.FindGroups().Groups).Count);
    }

    [Fact]
    public async Task An_undecodable_file_is_reported_once_and_the_scan_goes_on()
    {
        CopyBridgeMods();
        File.WriteAllText(Path.Combine(Photos, "broken.jpg"), "not a JPEG");
        var reported = new List<FileFailure>();

        using DedupScanner scanner = Open();
        ScanSummary scan = await scanner.ScanAsync(failed: f => { lock (reported) reported.Add(f); });

        FileFailure failure = Assert.Single(reported);
        Assert.Equal("broken.jpg", failure.Path);
        Assert.False(string.IsNullOrWhiteSpace(failure.Reason));
        Assert.Equal(reported, scan.Failures);
        Assert.Equal((13, 12), (scan.FilesFound, scan.HashedNow));
        Assert.Equal(12, Assert.Single(scanner.FindGroups().Groups).Count);
    }

    [Fact]
    public async Task A_path_too_long_for_an_id_is_stored_under_a_hash_and_shown_with_its_real_path()
    {
        // Three nested folders of 200 characters: a relative path of over 600 bytes.
        string deep = Path.Combine(Photos, new string('a', 200), new string('b', 200), new string('c', 200));
        Directory.CreateDirectory(deep);
        File.Copy(Path.Combine(BridgeModsSource, "aaa-orig.jpg"), Path.Combine(deep, "orig.jpg"));
        File.Copy(Path.Combine(BridgeModsSource, "blur-a-little.jpg"), Path.Combine(Photos, "blur.jpg"));
        string longPath = Path.GetRelativePath(Photos, Path.Combine(deep, "orig.jpg")).Replace('\\', '/');

        using DedupScanner scanner = Open();
        ScanSummary scan = await scanner.ScanAsync();
        ImageGroup group = Assert.Single(scanner.FindGroups().Groups);

        Assert.Equal(2, scan.HashedNow);
        Assert.Equal(new[] { "blur.jpg", longPath }.Order(StringComparer.Ordinal), group.Members.Select(m => m.Path).Order(StringComparer.Ordinal));
    }

    // ------------------------------------------------------------------ the command line

    [Theory]
    [InlineData(new string[0], "Name the folder")]
    [InlineData(new[] { "{photos}", "--hash", "md5" }, "Unknown hash 'md5'")]
    [InlineData(new[] { "{photos}", "--radius", "-3" }, "--radius takes a whole number")]
    [InlineData(new[] { "{photos}", "--radius", "65", "--hash", "phash" }, "larger than the 64 bits")]
    [InlineData(new[] { "{photos}", "--json" }, "--json needs a value")]
    [InlineData(new[] { "{photos}", "--fast" }, "Unknown option '--fast'")]
    [InlineData(new[] { "{photos}", "{photos}" }, "Give one folder")]
    [InlineData(new[] { "{photos}/missing" }, "does not exist")]
    public async Task Usage_errors_exit_with_code_2_and_say_what_is_wrong(string[] args, string message)
    {
        Directory.CreateDirectory(Photos);
        (int code, string output, string error) = await RunApp(args.Select(a => a.Replace("{photos}", Photos)).ToArray());
        Assert.Equal(DedupApp.BadUsage, code);
        Assert.Equal("", output);
        Assert.Contains(message, error);
    }

    [Fact]
    public async Task Help_lists_every_option()
    {
        (int code, string output, _) = await RunApp("--help");
        Assert.Equal(DedupApp.Success, code);
        foreach (string option in new[] { "--hash", "--radius", "--index", "--json", "--html", "--move-duplicates", "--yes", "--include-low-quality", "--no-crops", "--full-resolution", "--quiet", "--help" })
            Assert.Contains(option, output);
    }

    [Fact]
    public async Task The_program_prints_the_group_and_a_summary_and_writes_json()
    {
        CopyBridgeMods();
        string json = Path.Combine(_temp.Root, "report.json");

        (int code, string output, string error) = await RunApp(Photos, "--index", Cache, "--json", json, "--quiet");

        Assert.True(code == DedupApp.Success, error);
        Assert.Equal("", error);
        string[] lines = output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.StartsWith("group 1: 12 images, keep bridge-mods/", lines[0]);
        string keeper = lines[0]["group 1: 12 images, keep ".Length..];
        Assert.Matches(@"^\*\s*0\s+1600x1004\s+[0-9.]+ KB\s+q100\s+" + System.Text.RegularExpressions.Regex.Escape(keeper) + "$", lines[1]);
        Assert.Contains(lines, l => l.StartsWith("12 files scanned (12 hashed now, 0 reused from the index", StringComparison.Ordinal) && l.Contains("1 group with 12 images (pdq, radius 31)"));

        using JsonDocument report = JsonDocument.Parse(File.ReadAllBytes(json));
        JsonElement root = report.RootElement;
        Assert.Equal("pdq", root.GetProperty("hash").GetString());
        Assert.Equal(31, root.GetProperty("radius").GetInt32());
        Assert.Equal(12, root.GetProperty("filesScanned").GetInt32());
        JsonElement group = Assert.Single(root.GetProperty("groups").EnumerateArray());
        Assert.Equal(12, group.GetProperty("count").GetInt32());
        JsonElement[] members = group.GetProperty("members").EnumerateArray().ToArray();
        Assert.Equal(12, members.Length);
        Assert.Equal(keeper, group.GetProperty("keeper").GetString());
        Assert.Equal(keeper, members[0].GetProperty("path").GetString());
        Assert.True(members[0].GetProperty("isKeeper").GetBoolean());
        Assert.Equal(0, members[0].GetProperty("distance").GetInt32());
        foreach (JsonElement member in members)
        {
            string path = Path.Combine(Photos, member.GetProperty("path").GetString()!);
            Assert.Equal(new FileInfo(path).Length, member.GetProperty("size").GetInt64());
            Assert.InRange(member.GetProperty("distance").GetInt32(), 0, 256);
            Assert.True(member.GetProperty("width").GetInt32() > 0 && member.GetProperty("height").GetInt32() > 0);
            Assert.InRange(member.GetProperty("quality").GetInt32(), 0, 100);
        }
    }

    // ------------------------------------------------------------------ pieces

    [Fact]
    public void Ids_are_relative_paths_unless_too_long_or_shaped_like_a_hashed_id()
    {
        Assert.Equal("2024/summer/beach.jpg", ItemIds.For("2024/summer/beach.jpg"));
        string longest = new('é', VectorIndex.MaxIdBytes / 2); // two UTF-8 bytes each: exactly the limit
        Assert.Equal(longest, ItemIds.For(longest));

        string tooLong = longest + "x";
        string hashed = ItemIds.For(tooLong);
        Assert.StartsWith(ItemIds.HashedPrefix, hashed);
        Assert.Equal(ItemIds.HashedPrefix.Length + 64, hashed.Length);
        Assert.Equal(hashed, ItemIds.For(tooLong));
        Assert.NotEqual(hashed, ItemIds.For(tooLong + "y"));

        Assert.StartsWith(ItemIds.HashedPrefix, ItemIds.For("sha256:not-really.jpg"));
        Assert.NotEqual("sha256:not-really.jpg", ItemIds.For("sha256:not-really.jpg"));
    }

    [Fact]
    public void A_cache_folder_holding_foreign_files_is_refused()
    {
        Directory.CreateDirectory(Cache);
        File.WriteAllText(Path.Combine(Cache, "notes.txt"), "mine");

        var ex = Assert.Throws<InvalidOperationException>(() => IndexLocation.Prepare(Cache, Photos, HashKind.Pdq));
        Assert.Contains("did not write", ex.Message);

        string fresh = Path.Combine(_temp.Root, "fresh");
        Assert.Equal(Path.Combine(fresh, "pdq"), IndexLocation.Prepare(fresh, Photos, HashKind.Pdq));
        Assert.Equal(Path.Combine(fresh, "phash"), IndexLocation.Prepare(fresh, Photos, HashKind.PHash)); // the marker makes it ours
    }

    [Fact]
    public void The_default_cache_is_per_user_and_per_folder()
    {
        string a = IndexLocation.DefaultRoot(Path.Combine(_temp.Root, "Holiday Photos"));
        string b = IndexLocation.DefaultRoot(Path.Combine(_temp.Root, "other", "Holiday Photos"));
        Assert.StartsWith(IndexLocation.UserCacheFolder(), a);
        Assert.NotEqual(a, b);
        Assert.StartsWith("Holiday_Photos-", Path.GetFileName(a));
        Assert.Equal(a, IndexLocation.DefaultRoot(Path.Combine(_temp.Root, "Holiday Photos") + Path.DirectorySeparatorChar));
    }

    // ------------------------------------------------------------------ helpers

    private DedupScanner Open(HashKind hash = HashKind.Pdq, int workers = 2) =>
        DedupScanner.Open(new DedupSettings { Folder = Photos, IndexRoot = Cache, Hash = hash, Workers = workers });

    /// <summary>Copies the twelve bridge images to photos/bridge-mods (writable copies) and returns that folder.</summary>
    private string CopyBridgeMods()
    {
        Assert.True(Directory.Exists(BridgeModsSource), $"The test data folder {BridgeModsSource} is missing; the test project copies TestData/pdq/bridge-mods to the output.");
        string target = Path.Combine(Photos, "bridge-mods");
        CopyFolder(BridgeModsSource, target);
        Assert.Equal(BridgeMods, Directory.GetFiles(target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        return target;
    }

    private static void CopyFolder(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(source))
        {
            string copy = Path.Combine(target, Path.GetFileName(file));
            File.Copy(file, copy);
            File.SetAttributes(copy, FileAttributes.Normal); // the originals may be read-only
        }
    }

    /// <summary>Draws <paramref name="count"/> unrelated pictures (random coloured shapes, one seed each) as JPEGs.</summary>
    private static void MakeDistinctImages(string folder, int count)
    {
        Directory.CreateDirectory(folder);
        for (int i = 0; i < count; i++) File.WriteAllBytes(Path.Combine(folder, $"shapes-{i}.jpg"), TestPictures.Shapes(1000 + i, 320, 240));
    }

    private static async Task<(int Code, string Output, string Error)> RunApp(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await DedupApp.RunAsync(args, output, error, errorIsTerminal: false, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Calls its handler on the reporting thread, so a test can react before the scan goes on.</summary>
    private sealed class InlineProgress(Action<ScanProgress> handler) : IProgress<ScanProgress>
    {
        public void Report(ScanProgress value) => handler(value);
    }
}

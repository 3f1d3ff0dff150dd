using System.Globalization;
using System.Text.Json;
using Aknn.Embedded.BrowserTests.Support;
using ImageDedup.Cli;
using ImageDedup.Output;
using Microsoft.Playwright;
using SkiaSharp;
using Xunit.Abstractions;

namespace Aknn.Embedded.BrowserTests.Samples;

/// <summary>
/// ImageDedup's <c>--html</c> report opened in a real, headless Chromium: what a desktop user sees
/// (blocks, keeper mark, captions, thumbnails that actually decode), not just what the markup says.
/// The same page is checked by parsing in Aknn.Embedded.Tests; this test adds the rendering.
/// </summary>
public sealed class HtmlReportInChromiumTests : IDisposable
{
    private static readonly string Bridge = Path.Combine(AppContext.BaseDirectory, "TestData", "bridge-mods");

    /// <summary>Where the last run's page and screenshot are kept for a person to look at (replaced each run).</summary>
    private static readonly string Artifacts = Path.Combine(Path.GetTempPath(), "aknn-browser-tests", "html-report");

    private readonly ITestOutputHelper _log;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "aknn-browser-tests", Guid.NewGuid().ToString("N"));

    public HtmlReportInChromiumTests(ITestOutputHelper log)
    {
        _log = log;
        Directory.CreateDirectory(_root);
    }

    private string Photos => Path.Combine(_root, "photos");

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    [ChromiumFact]
    public async Task The_report_shows_every_group_with_its_keeper_captions_and_rendered_thumbnails()
    {
        // Two groups (a photo with two edits; a drawing as JPEG, half-size PNG and low-quality JPEG),
        // one unrelated picture, one flat picture with a low-quality hash, a truncated JPEG that is
        // not hashed, and a file name that would be markup if the page did not encode it.
        Directory.CreateDirectory(Photos);
        File.Copy(Path.Combine(Bridge, "aaa-orig.jpg"), Path.Combine(Photos, "bridge.jpg"));
        File.Copy(Path.Combine(Bridge, "blur-a-little.jpg"), Path.Combine(Photos, "bridge blurred.jpg"));
        File.Copy(Path.Combine(Bridge, "shrink-a-lot.jpg"), Path.Combine(Photos, "Anna's <b>small & bright bridge.jpg"));
        File.WriteAllBytes(Path.Combine(Photos, "scene.jpg"), Scene.Encode(5, 800, 600, SKEncodedImageFormat.Jpeg));
        File.WriteAllBytes(Path.Combine(Photos, "scene-half.png"), Scene.Encode(5, 400, 300, SKEncodedImageFormat.Png, 100));
        File.WriteAllBytes(Path.Combine(Photos, "scene-q30.jpg"), Scene.Encode(5, 800, 600, SKEncodedImageFormat.Jpeg, 30));
        File.WriteAllBytes(Path.Combine(Photos, "unrelated.jpg"), Scene.Encode(11, 640, 480, SKEncodedImageFormat.Jpeg));
        File.WriteAllBytes(Path.Combine(Photos, "flat.png"), Scene.Flat(300, 200));
        byte[] whole = File.ReadAllBytes(Path.Combine(Bridge, "aaa-orig.jpg"));
        File.WriteAllBytes(Path.Combine(Photos, "cut.jpg"), whole[..(whole.Length * 3 / 4)]);
        string html = Path.Combine(_root, "report.html"), json = Path.Combine(_root, "report.json");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await DedupApp.RunAsync(
            [Photos, "--index", Path.Combine(_root, "index"), "--json", json, "--html", html, "--quiet"],
            output, error, errorIsTerminal: false, CancellationToken.None);
        Assert.True(code == DedupApp.Success, error.ToString());

        // The JSON report says what the groups are; the files on disk say what their sizes are.
        using JsonDocument report = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement[] groups = [.. report.RootElement.GetProperty("groups").EnumerateArray()];
        Assert.Equal(2, groups.Length);

        _log.WriteLine($"scan and reports: {clock.ElapsedMilliseconds} ms");
        clock.Restart();
        var consoleErrors = new List<string>();
        var foreignRequests = new List<string>();
        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium.ExecutablePath,
            Headless = true,
            Timeout = 20_000,
        });
        IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        page.Console += (_, message) => { if (message.Type == "error") consoleErrors.Add(message.Text); };
        page.PageError += (_, message) => consoleErrors.Add(message);
        page.RequestFailed += (_, request) => consoleErrors.Add($"request failed: {request.Url}");
        page.Request += (_, request) =>
        {
            // The page must be self-contained: only itself and its data: thumbnails are loaded.
            if (!request.Url.StartsWith("data:", StringComparison.Ordinal) && request.Url != new Uri(html).AbsoluteUri)
                foreignRequests.Add(request.Url);
        };
        await page.GotoAsync(new Uri(html).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        _log.WriteLine($"driver, browser and page loaded: {clock.ElapsedMilliseconds} ms");

        try
        {
            Assert.Equal("Near-duplicate photos", await page.TitleAsync());
            Assert.True(await page.Locator("h1").IsVisibleAsync());
            // flat.png's hash has quality 0: the page says so where it can be seen.
            Assert.True(await page.Locator("p.low").IsVisibleAsync(), "the low-quality note is not visible");
            Assert.Contains("quality below 50", await page.Locator("p.low").InnerTextAsync());

            // The truncated file is listed, folded away until the user opens the list.
            ILocator failures = page.Locator("details.failures");
            Assert.Equal("1 file not hashed", (await failures.Locator("summary").InnerTextAsync()).Trim());
            ILocator failure = failures.Locator("li");
            Assert.False(await failure.IsVisibleAsync(), "the failure list should start folded");
            await failures.Locator("summary").ClickAsync();
            Assert.True(await failure.IsVisibleAsync(), "the failure list did not open");
            Assert.StartsWith("cut.jpg: ", await failure.InnerTextAsync());
            Assert.Contains("truncated", await failure.InnerTextAsync());

            ILocator sections = page.Locator("section.group");
            Assert.Equal(groups.Length, await sections.CountAsync());
            for (int g = 0; g < groups.Length; g++)
                await CheckGroup(sections.Nth(g), g, groups[g]);

            // Every thumbnail decoded: the browser knows its natural size, and it takes up room.
            int[] natural = await page.Locator("img").EvaluateAllAsync<int[]>("imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)");
            Assert.Equal(groups.Sum(g => g.GetProperty("count").GetInt32()), natural.Length);
            Assert.All(natural, w => Assert.InRange(w, 1, HtmlReport.ThumbnailSide));

            // A file name is shown as text, never turned into markup.
            Assert.Equal(0, await page.Locator("figcaption b").CountAsync());
            Assert.Contains("Anna's <b>small & bright bridge.jpg", await sections.Nth(0).InnerTextAsync());

            Assert.Empty(consoleErrors);
            Assert.Empty(foreignRequests);
        }
        finally
        {
            // Kept for a person to look at; not compared pixel by pixel.
            Directory.CreateDirectory(Artifacts);
            string screenshot = Path.Combine(Artifacts, "report.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
            File.Copy(html, Path.Combine(Artifacts, "report.html"), overwrite: true);
            _log.WriteLine($"screenshot: {screenshot}");
        }
    }

    /// <summary>One group's block against the JSON report's group <paramref name="expected"/>.</summary>
    private async Task CheckGroup(ILocator section, int index, JsonElement expected)
    {
        JsonElement[] members = [.. expected.GetProperty("members").EnumerateArray()];
        Assert.True(await section.IsVisibleAsync(), $"group {index + 1} is not visible");
        Assert.Equal($"Group {index + 1}: {members.Length} images", (await section.Locator("h2").InnerTextAsync()).Trim());

        ILocator figures = section.Locator("figure");
        Assert.Equal(members.Length, await figures.CountAsync());
        Assert.Equal(1, await section.Locator("figure.keeper").CountAsync());

        string? keeperBorder = null;
        for (int m = 0; m < members.Length; m++)
        {
            JsonElement member = members[m];
            ILocator figure = figures.Nth(m);
            string path = member.GetProperty("path").GetString()!;
            bool keeper = member.GetProperty("isKeeper").GetBoolean();
            Assert.Equal(m == 0, keeper); // the keeper comes first
            Assert.Equal(keeper ? "keeper" : "duplicate", await figure.GetAttributeAsync("class"));
            Assert.True(await figure.IsVisibleAsync(), $"{path} is not visible");

            // The keeper's mark is visible, and its frame is drawn differently from the others'.
            ILocator badge = figure.Locator(".badge");
            Assert.Equal(keeper ? 1 : 0, await badge.CountAsync());
            string border = await figure.EvaluateAsync<string>("f => getComputedStyle(f).borderTopColor");
            if (keeper)
            {
                Assert.True(await badge.IsVisibleAsync(), "the keeper's badge is not visible");
                Assert.Equal("keep", (await badge.InnerTextAsync()).Trim());
                keeperBorder = border;
            }
            else
            {
                Assert.NotEqual(keeperBorder, border);
            }

            // The caption as rendered: name, distance to the keeper, pixel size, file size, quality.
            ILocator caption = figure.Locator("figcaption");
            Assert.True(await caption.IsVisibleAsync(), $"{path}: caption not visible");
            string text = await caption.InnerTextAsync();
            string file = Path.Combine(Photos, path);
            (int width, int height) = PixelSize(file);
            Assert.Equal(width, member.GetProperty("width").GetInt32());
            string[] facts =
            [
                $"distance {member.GetProperty("distance").GetInt32()}",
                $"{width}×{height}",
                TextReport.Size(new FileInfo(file).Length),
                string.Create(CultureInfo.InvariantCulture, $"quality {member.GetProperty("quality").GetInt32()}"),
            ];
            Assert.Contains(path, text);
            foreach (string fact in facts)
            {
                Assert.Contains(fact, text);
                // Shown on one line: a caption may wrap between facts, never inside one ("352." / "7 KB").
                int lines = await caption.EvaluateAsync<int>(LinesOfText, fact);
                Assert.True(lines == 1, $"{path}: \"{fact}\" is broken over {lines} lines");
            }
            if (keeper) Assert.Contains("distance 0", text);

            // The caption stays inside its frame (a long name wraps rather than spilling over).
            LocatorBoundingBoxResult frame = (await figure.BoundingBoxAsync())!;
            LocatorBoundingBoxResult box = (await caption.BoundingBoxAsync())!;
            Assert.InRange(box.X, frame.X, frame.X + frame.Width);
            Assert.InRange(box.X + box.Width, frame.X, frame.X + frame.Width + 0.5f);
            Assert.InRange(box.Y + box.Height, frame.Y, frame.Y + frame.Height + 0.5f);

            ILocator image = figure.Locator("img");
            Assert.True(await image.IsVisibleAsync(), $"{path}: thumbnail not visible");
            LocatorBoundingBoxResult shown = (await image.BoundingBoxAsync())!;
            Assert.True(shown.Width > 0 && shown.Height > 0, $"{path}: thumbnail takes no room");
            Assert.InRange(shown.X, frame.X, frame.X + frame.Width);
        }
    }

    /// <summary>
    /// JavaScript: on how many rendered lines the first occurrence of a text (the argument) inside
    /// an element lies, found character by character across its text nodes, whatever the markup.
    /// </summary>
    private const string LinesOfText = """
        (element, wanted) => {
          const chars = [];
          const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode())
            for (let i = 0; i < node.data.length; i++) chars.push({ node, i, c: node.data[i] });
          const at = chars.map(x => x.c).join('').indexOf(wanted);
          if (at < 0) return 0;
          const tops = new Set();
          for (const { node, i, c } of chars.slice(at, at + wanted.length)) {
            if (c.trim() === '') continue;
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            tops.add(Math.round(range.getBoundingClientRect().top));
          }
          return tops.size;
        }
        """;

    private static (int Width, int Height) PixelSize(string file)
    {
        using SKCodec codec = SKCodec.Create(file) ?? throw new InvalidOperationException($"{file} is not an image");
        return (codec.Info.Width, codec.Info.Height);
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using ImageDedup.Decoding;
using ImageDedup.Evaluation;
using ImageDedup.Hashing;
using ImageDedup.Scanning;
using SkiaSharp;

namespace ImageDedup.Output;

/// <summary>
/// The <c>--html</c> report: one self-contained page (styles inline, thumbnails embedded as
/// <c>data:</c> JPEGs, no script, nothing fetched) with one block per group, the keeper first and
/// marked, each image with its distance to the keeper, pixel size, file size and quality.
/// </summary>
public static class HtmlReport
{
    /// <summary>The longest side of a thumbnail, in pixels.</summary>
    public const int ThumbnailSide = 192;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Writes the page to <paramref name="path"/>, decoding each grouped image again for its thumbnail.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="scanner">The scanner (folder, hash, radius).</param>
    /// <param name="scan">What the scan did.</param>
    /// <param name="result">The groups.</param>
    public static void Write(string path, DedupScanner scanner, ScanSummary scan, GroupingResult result) =>
        File.WriteAllText(path, Render(scanner.Folder, scanner.Hash.Name(), scanner.Radius, scan, result), new UTF8Encoding(false));

    /// <summary>The page as a string.</summary>
    /// <param name="folder">The scanned folder (full path); thumbnails are read from it.</param>
    /// <param name="hashName">The hash's name.</param>
    /// <param name="radius">The radius.</param>
    /// <param name="scan">What the scan did.</param>
    /// <param name="result">The groups.</param>
    public static string Render(string folder, string hashName, int radius, ScanSummary scan, GroupingResult result)
    {
        var decoder = new SkiaImageDecoder(ThumbnailSide);
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Near-duplicate photos</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 1.5em; background: #f6f6f6; color: #222; }
            section.group { background: #fff; border: 1px solid #ddd; border-radius: 6px; margin: 1em 0; padding: .5em 1em 1em; }
            section.group h2 { font-size: 1.1em; }
            .members { display: flex; flex-wrap: wrap; gap: 12px; }
            figure { margin: 0; width: 200px; border: 2px solid #ddd; border-radius: 4px; padding: 4px; }
            figure.keeper { border-color: #2a8a2a; background: #eef8ee; }
            figure img { display: block; max-width: 192px; max-height: 192px; margin: 0 auto; }
            figcaption { font-size: .8em; margin-top: 4px; }
            figcaption .name { overflow-wrap: anywhere; }
            figcaption .facts > span { white-space: nowrap; }
            .badge { display: inline-block; background: #2a8a2a; color: #fff; border-radius: 3px; padding: 0 .4em; font-weight: bold; }
            .low { color: #b00; }
            .missing { width: 192px; height: 96px; background: #eee; display: flex; align-items: center; justify-content: center; font-size: .8em; }
            </style>
            </head>
            <body>

            """);
        html.Append(Invariant, $"<h1>Near-duplicate photos in {Encode(folder)}</h1>\n");
        int images = result.Groups.Sum(g => g.Count);
        html.Append(Invariant, $"<p class=\"summary\">{Count(scan.FilesFound, "file")} scanned, {Count(result.Groups.Count, "group")} with {Count(images, "image")} ({Encode(hashName)}, radius {radius}). ");
        html.Append("In each group the keeper (most pixels, then largest file, then oldest) comes first, marked <span class=\"badge\">keep</span>; distances are to the keeper.</p>\n");
        if (scan.Failures.Count > 0)
        {
            html.Append("<details class=\"failures\"><summary>").Append(Invariant, $"{Count(scan.Failures.Count, "file")} not hashed").Append("</summary><ul>\n");
            foreach (FileFailure f in scan.Failures) html.Append("<li>").Append(Encode(f.Path)).Append(": ").Append(Encode(f.Reason)).Append("</li>\n");
            html.Append("</ul></details>\n");
        }
        if (result.LowQuality.Count > 0)
        {
            string have = result.LowQuality.Count == 1 ? "has" : "have";
            html.Append(Invariant, $"<p class=\"low\">{Count(result.LowQuality.Count, "image")} {have} PDQ quality below 50 (flat or tiny pictures)");
            html.Append(result.LowQualityLinks ? " and were allowed to link groups.</p>\n" : " and link nothing.</p>\n");
        }

        for (int g = 0; g < result.Groups.Count; g++)
        {
            ImageGroup group = result.Groups[g];
            html.Append(Invariant, $"<section class=\"group\" id=\"group-{g + 1}\" data-count=\"{group.Count}\">\n");
            html.Append(Invariant, $"<h2>Group {g + 1}: {Count(group.Count, "image")}</h2>\n<div class=\"members\">\n");
            foreach (GroupMember m in group.Members)
            {
                html.Append(Invariant, $"<figure class=\"{(m.IsKeeper ? "keeper" : "duplicate")}\" data-path=\"{Encode(m.Path)}\" data-distance=\"{m.Distance}\">\n");
                string? thumbnail = Thumbnail(decoder, Path.Combine(folder, m.Path.Replace('/', Path.DirectorySeparatorChar)));
                html.Append(thumbnail is null
                    ? "<div class=\"missing\">no preview</div>\n"
                    : $"<img src=\"data:image/jpeg;base64,{thumbnail}\" alt=\"{Encode(m.Path)}\">\n");
                html.Append("<figcaption>");
                if (m.IsKeeper) html.Append("<span class=\"badge\">keep</span> ");
                html.Append("<span class=\"name\">").Append(Encode(m.Path)).Append("</span><br>");
                // Each fact is kept on one line ("352.7 KB", not "352." and "7 KB"); the caption
                // wraps between facts, and a long file name wraps anywhere.
                html.Append(Invariant, $"<span class=\"facts\"><span>distance {m.Distance} ·</span> <span>{m.Width}×{m.Height} ·</span> <span>{TextReport.Size(m.Size)}</span>");
                if (m.Quality is int q) html.Append(Invariant, $" <span>· quality <span class=\"{(m.LowQuality ? "low" : "quality")}\">{q}</span></span>");
                html.Append("</span></figcaption>\n</figure>\n");
            }
            html.Append("</div>\n</section>\n");
        }
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    /// <summary>"1 image", "2 images", "1,200 images".</summary>
    private static string Count(int n, string noun) => string.Create(Invariant, $"{n:N0} {noun}{(n == 1 ? "" : "s")}");

    /// <summary>A JPEG thumbnail as base64, or null when the file cannot be decoded any more.</summary>
    private static string? Thumbnail(SkiaImageDecoder decoder, string path)
    {
        try
        {
            DecodedImage image = decoder.Decode(path);
            double scale = Math.Min(1.0, (double)ThumbnailSide / Math.Max(image.Width, image.Height));
            int w = Math.Max(1, (int)Math.Round(image.Width * scale)), h = Math.Max(1, (int)Math.Round(image.Height * scale));
            using SKBitmap full = EditSet.ToBitmap(image);
            using SKBitmap small = full.Resize(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKCubicResampler.Mitchell))
                ?? throw new ImageDecodeException("the thumbnail could not be scaled");
            return Convert.ToBase64String(EditSet.EncodeJpeg(small, 80));
        }
        catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

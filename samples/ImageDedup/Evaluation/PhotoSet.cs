using ImageDedup.Decoding;
using SkiaSharp;

namespace ImageDedup.Evaluation;

/// <summary>
/// Writes a throughput test set: JPEGs of 1 to 2 megapixels (quality 90) cut and scaled from the
/// large photos in a folder (windows at different positions and scales, some mirrored), so that
/// a first scan decodes real camera-sized files.
/// </summary>
public static class PhotoSet
{
    /// <summary>Writes <paramref name="count"/> JPEGs named photo-NNNN.jpg into <paramref name="output"/>.</summary>
    /// <param name="source">A folder (searched recursively) holding photos of at least 1000 pixels a side.</param>
    /// <param name="output">The folder to fill.</param>
    /// <param name="count">How many files.</param>
    /// <returns>The number of files written.</returns>
    public static int Write(string source, string output, int count)
    {
        Directory.CreateDirectory(output);
        var decoder = new SkiaImageDecoder();
        var photos = Directory.GetFiles(source, "*", SearchOption.AllDirectories)
            .Where(p => p.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || p.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(p => { try { return decoder.Decode(p); } catch (ImageDecodeException) { return null; } })
            .Where(d => d is not null && Math.Min(d.Width, d.Height) >= 800)
            .Select(d => EditSet.ToBitmap(d!))
            .ToList();
        if (photos.Count == 0) throw new InvalidOperationException($"No photo of at least 800 pixels a side in '{source}'.");
        var rng = new Random(14);
        for (int i = 0; i < count; i++)
        {
            SKBitmap photo = photos[i % photos.Count];
            // A window of 70-100% of the photo, drawn at 1-2 megapixels in the photo's aspect ratio.
            double part = 0.7 + 0.3 * rng.NextDouble();
            int ww = (int)(photo.Width * part), wh = (int)(photo.Height * part);
            int x = rng.Next(photo.Width - ww + 1), y = rng.Next(photo.Height - wh + 1);
            double megapixels = 1.0 + rng.NextDouble();
            double scale = Math.Sqrt(megapixels * 1e6 / ((double)ww * wh));
            int w = (int)(ww * scale), h = (int)(wh * scale);
            using var target = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
            using (var canvas = new SKCanvas(target))
            {
                if (i % 2 == 1)
                {
                    canvas.Translate(w, 0);
                    canvas.Scale(-1, 1);
                }
                using SKImage image = SKImage.FromBitmap(photo);
                canvas.DrawImage(image, new SKRect(x, y, x + ww, y + wh), new SKRect(0, 0, w, h), new SKSamplingOptions(SKCubicResampler.Mitchell));
            }
            File.WriteAllBytes(Path.Combine(output, $"photo-{i:D4}.jpg"), EditSet.EncodeJpeg(target, 90));
        }
        foreach (SKBitmap photo in photos) photo.Dispose();
        return count;
    }
}

using ImageDedup.Decoding;
using SkiaSharp;

namespace ImageDedup.Evaluation;

/// <summary>
/// Writes a labelled near-duplicate test set: each original photo copied unchanged into its own
/// folder next to one file per <see cref="PhotoEdit"/>, so that the folder name is the ground truth
/// (two files are duplicates exactly when they share a folder).
/// </summary>
public static class EditSet
{
    /// <summary>The caption drawn by <see cref="PhotoEdit.Caption"/>.</summary>
    public const string CaptionText = "Summer holiday 2024 · best day ever";

    /// <summary>Where Debian's fonts-dejavu-core puts the font the caption is drawn with.</summary>
    public const string DefaultFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

    /// <summary>
    /// Writes <c>&lt;output&gt;/&lt;original name&gt;/original.&lt;ext&gt;</c> and one
    /// <c>&lt;edit&gt;.jpg</c> beside it per edit.
    /// </summary>
    /// <param name="originals">The original photos.</param>
    /// <param name="output">The folder to fill (created when missing).</param>
    /// <param name="fontPath">A TrueType font for the caption; when it does not exist a solid text-like bar is drawn instead (see <see cref="CaptionUsesFont"/>).</param>
    /// <returns>The number of files written.</returns>
    public static int Write(IEnumerable<string> originals, string output, string fontPath = DefaultFontPath)
    {
        Directory.CreateDirectory(output);
        using SKTypeface? typeface = File.Exists(fontPath) ? SKTypeface.FromFile(fontPath) : null;
        int written = 0;
        var decoder = new SkiaImageDecoder();
        foreach (string original in originals)
        {
            string folder = Path.Combine(output, Path.GetFileNameWithoutExtension(original));
            Directory.CreateDirectory(folder);
            File.Copy(original, Path.Combine(folder, "original" + Path.GetExtension(original).ToLowerInvariant()), overwrite: true);
            written++;
            DecodedImage decoded = decoder.Decode(original);
            using SKBitmap source = ToBitmap(decoded);
            foreach (PhotoEdit edit in Enum.GetValues<PhotoEdit>())
            {
                using SKBitmap edited = Apply(source, edit, typeface);
                File.WriteAllBytes(Path.Combine(folder, Name(edit) + ".jpg"), EncodeJpeg(edited, edit == PhotoEdit.Jpeg25 ? 25 : 90));
                written++;
            }
        }
        return written;
    }

    /// <summary>The shorter side, in pixels, below which a picture is not cut into tiles by <see cref="CutTiles"/>.</summary>
    public const int TileMinimumSide = 320;

    /// <summary>
    /// Cuts each large photo into a grid of distinct, non-overlapping originals and writes each as
    /// <c>&lt;output&gt;/&lt;photo name&gt;-r&lt;row&gt;c&lt;column&gt;.jpg</c> (JPEG quality 95),
    /// so that an edit set has many originals (and many unrelated pairs) from a few photos.
    /// </summary>
    /// <remarks>
    /// The grid has as many columns and rows as fit with every tile at least
    /// <paramref name="minimumSide"/> pixels on each side; the tiles share no pixels, so two tiles
    /// are different pictures (of the same scene), which is a harder test of precision than two
    /// unrelated photos. Nothing is scaled up. Photos too small for two tiles are skipped.
    /// </remarks>
    /// <param name="photos">The photos.</param>
    /// <param name="output">The folder to write the tiles to (created when missing).</param>
    /// <param name="minimumSide">The smallest tile side, in pixels.</param>
    /// <returns>The paths of the tiles written, in order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minimumSide"/> is below 16.</exception>
    public static IReadOnlyList<string> CutTiles(IEnumerable<string> photos, string output, int minimumSide = TileMinimumSide)
    {
        ArgumentNullException.ThrowIfNull(photos);
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumSide, 16);
        Directory.CreateDirectory(output);
        var decoder = new SkiaImageDecoder();
        var written = new List<string>();
        foreach (string photo in photos)
        {
            DecodedImage decoded = decoder.Decode(photo);
            int columns = decoded.Width / minimumSide, rows = decoded.Height / minimumSide;
            if (columns * rows < 2) continue;
            using SKBitmap source = ToBitmap(decoded);
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    // Integer edges shared by neighbours: the tiles cover the photo without overlap.
                    int x0 = c * decoded.Width / columns, x1 = (c + 1) * decoded.Width / columns;
                    int y0 = r * decoded.Height / rows, y1 = (r + 1) * decoded.Height / rows;
                    using var tile = new SKBitmap(new SKImageInfo(x1 - x0, y1 - y0, SKColorType.Rgba8888, SKAlphaType.Premul));
                    if (!source.ExtractSubset(tile, new SKRectI(x0, y0, x1, y1)))
                        throw new InvalidOperationException($"Cannot cut {x0},{y0}-{x1},{y1} from '{photo}'.");
                    using SKBitmap copy = tile.Copy();
                    string path = Path.Combine(output, $"{Path.GetFileNameWithoutExtension(photo)}-r{r}c{c}.jpg");
                    File.WriteAllBytes(path, EncodeJpeg(copy, 95));
                    written.Add(path);
                }
            }
        }
        return written;
    }

    /// <summary>Whether <paramref name="fontPath"/> exists, so that captions are real text rather than a bar.</summary>
    /// <param name="fontPath">The font file.</param>
    public static bool CaptionUsesFont(string fontPath = DefaultFontPath) => File.Exists(fontPath);

    /// <summary>The file name (without extension) used for <paramref name="edit"/>: kebab case, e.g. "crop-centre-10".</summary>
    /// <param name="edit">The edit.</param>
    public static string Name(PhotoEdit edit) => edit switch
    {
        PhotoEdit.Resize40 => "resize-40",
        PhotoEdit.Jpeg25 => "jpeg-25",
        PhotoEdit.Brighter => "brighter",
        PhotoEdit.Darker => "darker",
        PhotoEdit.Blur => "blur",
        PhotoEdit.Greyscale => "greyscale",
        PhotoEdit.Caption => "caption",
        PhotoEdit.CropCentre10 => "crop-centre-10",
        PhotoEdit.CropCentre5 => "crop-centre-5",
        PhotoEdit.CropLeft10 => "crop-left-10",
        PhotoEdit.CropCorner10 => "crop-corner-10",
        PhotoEdit.SquashToSquare => "squash-square",
        _ => throw new ArgumentOutOfRangeException(nameof(edit), edit, null),
    };

    /// <summary>Copies decoded RGBA pixels into a Skia bitmap.</summary>
    /// <param name="image">Decoded pixels (<see cref="Aknn.Embedded.Imaging.PixelFormat.Rgba32"/>).</param>
    public static SKBitmap ToBitmap(DecodedImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        System.Runtime.InteropServices.Marshal.Copy(image.Pixels, 0, bitmap.GetPixels(), image.Width * image.Height * 4);
        return bitmap;
    }

    /// <summary>Encodes <paramref name="bitmap"/> as JPEG.</summary>
    /// <param name="bitmap">The picture.</param>
    /// <param name="quality">JPEG quality, 1 to 100.</param>
    public static byte[] EncodeJpeg(SKBitmap bitmap, int quality)
    {
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality)
            ?? throw new InvalidOperationException("Skia could not encode the picture as JPEG.");
        return data.ToArray();
    }

    /// <summary>Applies one edit, returning a new bitmap.</summary>
    /// <param name="source">The original.</param>
    /// <param name="edit">The edit.</param>
    /// <param name="typeface">The caption's font, or null to draw a text-like bar.</param>
    public static SKBitmap Apply(SKBitmap source, PhotoEdit edit, SKTypeface? typeface)
    {
        int w = source.Width, h = source.Height;
        return edit switch
        {
            PhotoEdit.Resize40 => Draw(source, Math.Max(1, (int)Math.Round(w * 0.4)), Math.Max(1, (int)Math.Round(h * 0.4)), null, null),
            PhotoEdit.Jpeg25 => Draw(source, w, h, null, null),
            PhotoEdit.Brighter => Draw(source, w, h, Offset(40), null),
            PhotoEdit.Darker => Draw(source, w, h, Offset(-40), null),
            PhotoEdit.Blur => Draw(source, w, h, null, SKImageFilter.CreateBlur(BlurSigma(w, h), BlurSigma(w, h), SKShaderTileMode.Clamp)),
            PhotoEdit.Greyscale => Draw(source, w, h, Grey(), null),
            PhotoEdit.Caption => Caption(source, typeface),
            PhotoEdit.CropCentre10 => Crop(source, 0.05, 0.05, 0.05, 0.05),
            PhotoEdit.CropCentre5 => Crop(source, 0.025, 0.025, 0.025, 0.025),
            PhotoEdit.CropLeft10 => Crop(source, 0.10, 0, 0, 0),
            PhotoEdit.CropCorner10 => Crop(source, 0, 0.10, 0.10, 0),
            PhotoEdit.SquashToSquare => Draw(source, Math.Min(w, h), Math.Min(w, h), null, null),
            _ => throw new ArgumentOutOfRangeException(nameof(edit), edit, null),
        };
    }

    private static float BlurSigma(int w, int h) => Math.Max(1.5f, Math.Min(w, h) / 200f);

    private static SKColorFilter Offset(int delta)
    {
        float d = delta / 255f;
        return SKColorFilter.CreateColorMatrix([1, 0, 0, 0, d, 0, 1, 0, 0, d, 0, 0, 1, 0, d, 0, 0, 0, 1, 0]);
    }

    private static SKColorFilter Grey() => SKColorFilter.CreateColorMatrix(
    [
        0.299f, 0.587f, 0.114f, 0, 0,
        0.299f, 0.587f, 0.114f, 0, 0,
        0.299f, 0.587f, 0.114f, 0, 0,
        0, 0, 0, 1, 0,
    ]);

    /// <summary>Draws <paramref name="source"/> scaled to <paramref name="w"/> × <paramref name="h"/> on black, through an optional colour and image filter.</summary>
    private static SKBitmap Draw(SKBitmap source, int w, int h, SKColorFilter? colour, SKImageFilter? filter)
    {
        var target = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(target);
        canvas.Clear(SKColors.Black);
        using var paint = new SKPaint { ColorFilter = colour, ImageFilter = filter };
        using SKImage image = SKImage.FromBitmap(source);
        // Shrinking goes through mipmaps (area averaging, as photo editors do); a plain cubic filter
        // would alias at 40% and make the copy noisier than any real resize.
        var sampling = w < source.Width || h < source.Height
            ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
            : new SKSamplingOptions(SKCubicResampler.Mitchell);
        canvas.DrawImage(image, new SKRect(0, 0, w, h), sampling, paint);
        colour?.Dispose();
        filter?.Dispose();
        return target;
    }

    private static SKBitmap Crop(SKBitmap source, double left, double top, double right, double bottom)
    {
        int w = source.Width, h = source.Height;
        int x0 = (int)Math.Round(left * w), y0 = (int)Math.Round(top * h);
        int x1 = w - (int)Math.Round(right * w), y1 = h - (int)Math.Round(bottom * h);
        var target = new SKBitmap(new SKImageInfo(x1 - x0, y1 - y0, SKColorType.Rgba8888, SKAlphaType.Premul));
        if (!source.ExtractSubset(target, new SKRectI(x0, y0, x1, y1)))
            throw new InvalidOperationException($"Cannot crop {x0},{y0}-{x1},{y1} from a {w}×{h} picture.");
        return target.Copy();
    }

    private static SKBitmap Caption(SKBitmap source, SKTypeface? typeface)
    {
        int w = source.Width, h = source.Height;
        SKBitmap target = Draw(source, w, h, null, null);
        using var canvas = new SKCanvas(target);
        float size = Math.Max(8f, h * 0.08f);
        float baseline = h * 0.85f;
        if (typeface is null)
        {
            // No font: a white bar with a dark outline where the text would be, a stand-in for an overlay.
            using var bar = new SKPaint { Color = SKColors.White, IsAntialias = true };
            canvas.DrawRect(w * 0.08f, baseline - size * 0.75f, w * 0.84f, size * 0.8f, bar);
            return target;
        }
        using var font = new SKFont(typeface, size);
        // Shrink the text until it fits within 90% of the width.
        float width = font.MeasureText(CaptionText);
        if (width > w * 0.9f) font.Size = size * w * 0.9f / width;
        float x = (w - font.MeasureText(CaptionText)) / 2;
        using var outline = new SKPaint { Color = SKColors.Black, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = Math.Max(1f, font.Size / 10) };
        using var fill = new SKPaint { Color = SKColors.White, IsAntialias = true };
        canvas.DrawText(CaptionText, x, baseline, SKTextAlign.Left, font, outline);
        canvas.DrawText(CaptionText, x, baseline, SKTextAlign.Left, font, fill);
        return target;
    }
}

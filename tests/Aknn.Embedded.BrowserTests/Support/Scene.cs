using SkiaSharp;

namespace Aknn.Embedded.BrowserTests.Support;

/// <summary>
/// A drawn picture for the report tests: a diagonal two-colour gradient under a few translucent
/// discs and bars, laid out from a seed. Different seeds give unrelated pictures; the same seed
/// rendered at another size or encoding gives a near-duplicate.
/// </summary>
internal static class Scene
{
    /// <summary>The picture at <paramref name="width"/> × <paramref name="height"/>, encoded as <paramref name="format"/>.</summary>
    public static byte[] Encode(int seed, int width, int height, SKEncodedImageFormat format, int quality = 90)
    {
        using SKBitmap bitmap = Draw(seed, width, height);
        using SKData data = bitmap.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>One flat grey picture (PDQ quality 0: nothing to hash).</summary>
    public static byte[] Flat(int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        bitmap.Erase(new SKColor(128, 128, 128));
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static SKBitmap Draw(int seed, int width, int height)
    {
        var rng = new Random(seed);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        // Everything is placed in fractions of the frame, so the picture scales with the size.
        using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height),
                   [Colour(rng), Colour(rng)], SKShaderTileMode.Clamp))
        using (var background = new SKPaint { Shader = shader })
        {
            canvas.DrawRect(0, 0, width, height, background);
        }
        using var paint = new SKPaint { IsAntialias = true };
        for (int k = 0; k < 9; k++)
        {
            paint.Color = Colour(rng).WithAlpha((byte)rng.Next(160, 256));
            float cx = (float)rng.NextDouble() * width, cy = (float)rng.NextDouble() * height;
            float extent = (float)(0.1 + 0.3 * rng.NextDouble()) * Math.Min(width, height);
            if (k % 3 == 0) canvas.DrawRect(cx - extent, cy - extent / 4, 2 * extent, extent / 2, paint);
            else canvas.DrawCircle(cx, cy, extent / 2, paint);
        }
        return bitmap;
    }

    private static SKColor Colour(Random rng) => new((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
}

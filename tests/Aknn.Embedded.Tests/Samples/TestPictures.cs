using SkiaSharp;

namespace Aknn.Embedded.Tests.Samples;

/// <summary>Pictures drawn with SkiaSharp for the ImageDedup tests.</summary>
public static class TestPictures
{
    /// <summary>A JPEG of random coloured rectangles and circles on a random background; every seed gives an unrelated picture.</summary>
    public static byte[] Shapes(int seed, int width, int height)
    {
        var rng = new Random(seed);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(RandomColour(rng));
            using var paint = new SKPaint { IsAntialias = true };
            for (int k = 0; k < 12; k++)
            {
                paint.Color = RandomColour(rng);
                float x = rng.Next(width), y = rng.Next(height), size = rng.Next(width / 8, width / 2);
                if (k % 2 == 0) canvas.DrawRect(x - size / 2, y - size / 3, size, size * 2 / 3, paint);
                else canvas.DrawCircle(x, y, size / 2, paint);
            }
        }
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    private static SKColor RandomColour(Random rng) => new((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
}

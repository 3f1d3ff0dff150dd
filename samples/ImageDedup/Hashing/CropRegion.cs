namespace ImageDedup.Hashing;

/// <summary>
/// A part of the picture that gets its own hash: the fractions of the width and height cut away
/// on each side (all 0 for the full frame).
/// </summary>
/// <param name="Name">Short name stored with the code ("full", "c90", "l90", …).</param>
/// <param name="Left">Fraction of the width cut from the left.</param>
/// <param name="Top">Fraction of the height cut from the top.</param>
/// <param name="Right">Fraction of the width cut from the right.</param>
/// <param name="Bottom">Fraction of the height cut from the bottom.</param>
public sealed record CropRegion(string Name, double Left, double Top, double Right, double Bottom)
{
    /// <summary>The whole picture.</summary>
    public static CropRegion Full { get; } = new("full", 0, 0, 0, 0);

    /// <summary>The pixel rectangle of this region in a <paramref name="width"/> × <paramref name="height"/> picture (at least 1×1).</summary>
    /// <param name="width">The picture's width.</param>
    /// <param name="height">The picture's height.</param>
    public (int X, int Y, int Width, int Height) In(int width, int height)
    {
        int x0 = (int)Math.Round(Left * width), x1 = width - (int)Math.Round(Right * width);
        int y0 = (int)Math.Round(Top * height), y1 = height - (int)Math.Round(Bottom * height);
        if (x1 <= x0) (x0, x1) = (0, width);
        if (y1 <= y0) (y0, y1) = (0, height);
        return (x0, y0, x1 - x0, y1 - y0);
    }
}

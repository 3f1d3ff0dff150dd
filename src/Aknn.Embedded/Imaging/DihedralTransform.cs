namespace Aknn.Embedded.Imaging;

/// <summary>
/// The eight rotations and mirror images of a picture, in the order
/// <see cref="PerceptualHash.PdqDihedral"/> returns their hashes (PDQ's reference order). Each member
/// says which picture its hash stands for; "clockwise" is as the picture is displayed (rows top to
/// bottom).
/// </summary>
public enum DihedralTransform
{
    /// <summary>The picture as it is.</summary>
    Original = 0,

    /// <summary>Rotated 90° counter-clockwise: the top-right corner becomes the top-left.</summary>
    Rotate90 = 1,

    /// <summary>Rotated 180°: upside down.</summary>
    Rotate180 = 2,

    /// <summary>Rotated 270° counter-clockwise (90° clockwise): the bottom-left corner becomes the top-left.</summary>
    Rotate270 = 3,

    /// <summary>Mirrored top to bottom (about the horizontal axis): the first row becomes the last.</summary>
    FlipX = 4,

    /// <summary>Mirrored left to right (about the vertical axis): the first column becomes the last.</summary>
    FlipY = 5,

    /// <summary>Transposed (mirrored about the main diagonal): pixel (row r, column c) moves to (row c, column r).</summary>
    FlipPlus1 = 6,

    /// <summary>Mirrored about the anti-diagonal: the transpose rotated 180°; the top-left corner becomes the bottom-right.</summary>
    FlipMinus1 = 7,
}

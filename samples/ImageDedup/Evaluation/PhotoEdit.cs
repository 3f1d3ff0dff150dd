namespace ImageDedup.Evaluation;

/// <summary>The edits <see cref="EditSet"/> applies to each original photo.</summary>
public enum PhotoEdit
{
    /// <summary>Scaled to 40% of each side.</summary>
    Resize40,

    /// <summary>Recompressed as JPEG at quality 25.</summary>
    Jpeg25,

    /// <summary>Every channel raised by 40 of 255.</summary>
    Brighter,

    /// <summary>Every channel lowered by 40 of 255.</summary>
    Darker,

    /// <summary>Gaussian blur with a sigma of 1/200 of the shorter side (at least 1.5 pixels).</summary>
    Blur,

    /// <summary>Turned grey (ITU-R 601 luma).</summary>
    Greyscale,

    /// <summary>A line of white caption text with a dark outline across the lower part of the picture.</summary>
    Caption,

    /// <summary>5% cut from each side (10% of each dimension in all).</summary>
    CropCentre10,

    /// <summary>2.5% cut from each side (5% of each dimension).</summary>
    CropCentre5,

    /// <summary>10% of the width cut from the left.</summary>
    CropLeft10,

    /// <summary>10% cut from the top and 10% from the right.</summary>
    CropCorner10,

    /// <summary>The whole frame squashed to a square whose side is the shorter side.</summary>
    SquashToSquare,
}

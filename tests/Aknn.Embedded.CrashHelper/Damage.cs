namespace Aknn.Embedded.CrashHelper;

/// <summary>
/// One damage to one file of a kind: the bits of <see cref="Mask"/> flipped in the byte at a
/// position, or the file cut at that position. The position is <see cref="PerMillion"/> millionths
/// of the file's length, so that one description fits files of any length.
/// </summary>
/// <param name="Truncate">Cut the file there instead of flipping bits.</param>
/// <param name="FileChoice">Which file of the kind, counted modulo the number there are (sorted by name).</param>
/// <param name="PerMillion">Position in the file, 0 to 999,999 millionths of its length.</param>
/// <param name="Mask">The bits to flip (never 0).</param>
public sealed record Damage(bool Truncate, int FileChoice, int PerMillion, byte Mask)
{
    /// <summary>The byte offset in a file of <paramref name="length"/> bytes.</summary>
    public long Offset(long length) => length == 0 ? 0 : (long)((decimal)length * PerMillion / 1_000_000m);

    /// <inheritdoc/>
    public override string ToString() => Truncate
        ? $"truncate file #{FileChoice} at {PerMillion / 1e4:F4}% of its length"
        : $"flip mask 0x{Mask:X2} in file #{FileChoice} at {PerMillion / 1e4:F4}% of its length";
}

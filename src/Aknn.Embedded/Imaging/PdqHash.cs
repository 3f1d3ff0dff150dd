using System.Globalization;
using System.Numerics;

namespace Aknn.Embedded.Imaging;

/// <summary>
/// A 256-bit PDQ hash and its quality score. Compare two hashes with <see cref="DistanceTo"/>: PDQ's
/// authors recommend treating a distance of 31 or less as a match and discarding hashes whose
/// <see cref="Quality"/> is below 50.
/// </summary>
/// <remarks>
/// Bit k (0..255) is set when DCT coefficient (k / 16, k % 16) exceeds the median of the 256
/// coefficients, exactly as in PDQ's reference. <see cref="ToHex"/> prints the 256-bit number
/// whose bit k is that bit, most significant digit first, which is the reference tools' text;
/// <see cref="ToWords"/> gives bit k as bit k % 64 of word k / 64, which is how a
/// <see cref="VectorIndex"/> numbers the bits of a code.
/// </remarks>
public sealed class PdqHash
{
    private readonly ulong _w0, _w1, _w2, _w3;

    internal PdqHash(ReadOnlySpan<ulong> words, int quality)
    {
        _w0 = words[0];
        _w1 = words[1];
        _w2 = words[2];
        _w3 = words[3];
        Quality = quality;
    }

    /// <summary>
    /// How much detail the hashed picture has, 0..100, as PDQ defines it: the sum of the clearly
    /// visible brightness steps between neighbouring pixels of the 64×64 downsample, scaled so that
    /// ordinary photos reach 100. Flat or nearly blank pictures score low, and their hashes are
    /// dominated by noise; PDQ's authors discard hashes below 50. Images smaller than 5 pixels in
    /// either direction score 0 and hash to all zeros.
    /// </summary>
    public int Quality { get; }

    /// <summary>
    /// The hash as four 64-bit words, bit k of the hash being bit k % 64 of word k / 64: pass it to
    /// <see cref="VectorIndex.UpsertCode"/> or <see cref="VectorIndex.SearchCodeRadius"/> on an index
    /// created with <c>Dimensions = 256</c> and <see cref="Metric.Hamming"/>.
    /// </summary>
    /// <returns>A new array of 4 words; word 0 holds bits 0..63 (the last 16 hex digits).</returns>
    public ulong[] ToWords() => [_w0, _w1, _w2, _w3];

    /// <summary>
    /// The hash as 64 lowercase hex digits, exactly as PDQ's reference tools print it: sixteen
    /// 16-bit words, the word holding bits 240..255 first.
    /// </summary>
    /// <returns>64 characters, 0-9 and a-f.</returns>
    public string ToHex() => string.Create(64, this, static (chars, h) =>
    {
        h._w3.TryFormat(chars[..16], out _, "x16", CultureInfo.InvariantCulture);
        h._w2.TryFormat(chars[16..32], out _, "x16", CultureInfo.InvariantCulture);
        h._w1.TryFormat(chars[32..48], out _, "x16", CultureInfo.InvariantCulture);
        h._w0.TryFormat(chars[48..], out _, "x16", CultureInfo.InvariantCulture);
    });

    /// <summary>Same as <see cref="ToHex"/>.</summary>
    /// <returns>64 lowercase hex digits.</returns>
    public override string ToString() => ToHex();

    /// <summary>Reads a hash printed by <see cref="ToHex"/> or by PDQ's reference tools.</summary>
    /// <param name="hex">Exactly 64 hex digits (either case), nothing else.</param>
    /// <param name="quality">The quality to attach, 0..100; text forms carry none, so it defaults to 100.</param>
    /// <returns>The hash.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hex"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="hex"/> is not 64 hex digits.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="quality"/> is outside 0..100.</exception>
    public static PdqHash FromHex(string hex, int quality = 100)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (hex.Length != 64)
        {
            throw new ArgumentException(
                $"A PDQ hash is 64 hex digits, but {hex.Length} characters were passed. Pass the text that PdqHash.ToHex or PDQ's tools print.", nameof(hex));
        }
        CheckQuality(quality);
        Span<ulong> words = stackalloc ulong[4];
        for (int i = 0; i < 4; i++)
        {
            words[3 - i] = HexWord(hex.AsSpan(i * 16, 16), hex, nameof(hex));
        }
        return new PdqHash(words, quality);
    }

    /// <summary>Rebuilds a hash from the words of <see cref="ToWords"/>, for example a code read back from an index.</summary>
    /// <param name="words">Exactly 4 words, word 0 holding bits 0..63.</param>
    /// <param name="quality">The quality to attach, 0..100.</param>
    /// <returns>The hash.</returns>
    /// <exception cref="ArgumentException"><paramref name="words"/> does not hold 4 words.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="quality"/> is outside 0..100.</exception>
    public static PdqHash FromWords(ReadOnlySpan<ulong> words, int quality = 100)
    {
        if (words.Length != 4)
        {
            throw new ArgumentException($"A PDQ hash is 4 words of 64 bits, but {words.Length} words were passed.", nameof(words));
        }
        CheckQuality(quality);
        return new PdqHash(words, quality);
    }

    /// <summary>The number of bits in which this hash and <paramref name="other"/> differ, 0..256.</summary>
    /// <param name="other">The hash to compare with.</param>
    /// <returns>The Hamming distance; 31 or less is PDQ's recommended match threshold.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    public int DistanceTo(PdqHash other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return BitOperations.PopCount(_w0 ^ other._w0) + BitOperations.PopCount(_w1 ^ other._w1)
             + BitOperations.PopCount(_w2 ^ other._w2) + BitOperations.PopCount(_w3 ^ other._w3);
    }

    internal static ulong HexWord(ReadOnlySpan<char> digits, string whole, string paramName)
    {
        ulong v = 0;
        foreach (char c in digits)
        {
            int d = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => -1,
            };
            if (d < 0)
            {
                throw new ArgumentException($"'{whole}' is not a hex string: '{c}' is not a hex digit. Pass only 0-9 and a-f.", paramName);
            }
            v = (v << 4) | (uint)d;
        }
        return v;
    }

    private static void CheckQuality(int quality)
    {
        if (quality is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(quality), quality, "PDQ quality lies between 0 and 100.");
        }
    }
}

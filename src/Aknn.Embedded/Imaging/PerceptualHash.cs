using System.Globalization;

namespace Aknn.Embedded.Imaging;

/// <summary>
/// Perceptual hashes of decoded pixels: the 64-bit pHash, dHash and aHash exactly as Python's
/// <c>imagehash</c> library computes them with Pillow, and Meta's 256-bit PDQ. Similar pictures
/// get hashes that differ in few bits; store them in a Hamming <see cref="VectorIndex"/> and search
/// by radius to find near-duplicates. docs/imaging.md gives the exact definitions.
/// </summary>
/// <remarks>
/// All methods are thread-safe and read the pixels only; alpha is ignored. The 64-bit hashes of a
/// picture do not depend on the pixel format it is passed in (grey pixels count as already
/// converted); PDQ gives the same hash for every colour format. Typical match thresholds: 64-bit
/// hashes within 8–10 bits, PDQ within 31 bits.
/// </remarks>
public static class PerceptualHash
{
    private const int PHashSize = 32;

    /// <summary>
    /// imagehash's <c>phash</c> (hash_size 8, highfreq_factor 4): grey (<c>convert("L")</c>), resized
    /// to 32×32 with Pillow's LANCZOS, 2-D DCT-II, the top-left 8×8 coefficients including the DC
    /// term, each bit set where the coefficient exceeds their median.
    /// </summary>
    /// <param name="image">The decoded picture, any size.</param>
    /// <returns>The 64 bits, the first coefficient (row 0, column 0) in the most significant bit; <see cref="ToHex"/> prints imagehash's text.</returns>
    public static ulong PHash(PixelImage image)
    {
        Span<byte> small = stackalloc byte[PHashSize * PHashSize];
        PilResize.GreyResize(image, PHashSize, PHashSize, small);

        // scipy.fftpack.dct along axis 0 (down each column), then along axis 1 (across each row);
        // only the coefficients k, l < 8 are needed.
        Span<double> column = stackalloc double[PHashSize];
        Span<double> low = stackalloc double[8];
        Span<double> t = stackalloc double[8 * PHashSize];
        for (int x = 0; x < PHashSize; x++)
        {
            for (int y = 0; y < PHashSize; y++) column[y] = small[y * PHashSize + x];
            Dct.LowCoefficients(column, low);
            for (int k = 0; k < 8; k++) t[k * PHashSize + x] = low[k];
        }
        Span<double> z = stackalloc double[64];
        for (int k = 0; k < 8; k++) Dct.LowCoefficients(t.Slice(k * PHashSize, PHashSize), z.Slice(k * 8, 8));

        Span<double> sorted = stackalloc double[64];
        z.CopyTo(sorted);
        sorted.Sort();
        double median = (sorted[31] + sorted[32]) / 2;
        ulong hash = 0;
        for (int i = 0; i < 64; i++)
        {
            if (z[i] > median) hash |= 1UL << (63 - i);
        }
        return hash;
    }

    /// <summary>
    /// imagehash's <c>dhash</c> (hash_size 8): grey, resized to 9 wide × 8 high with Pillow's LANCZOS,
    /// each bit set where a pixel is brighter than its left neighbour.
    /// </summary>
    /// <param name="image">The decoded picture, any size.</param>
    /// <returns>The 64 bits, row by row, the comparison of row 0's first two pixels in the most significant bit.</returns>
    public static ulong DHash(PixelImage image)
    {
        Span<byte> small = stackalloc byte[9 * 8];
        PilResize.GreyResize(image, 9, 8, small);
        ulong hash = 0;
        for (int y = 0; y < 8; y++)
        {
            for (int x = 0; x < 8; x++)
            {
                if (small[y * 9 + x + 1] > small[y * 9 + x]) hash |= 1UL << (63 - (y * 8 + x));
            }
        }
        return hash;
    }

    /// <summary>
    /// imagehash's <c>average_hash</c> (hash_size 8): grey, resized to 8×8 with Pillow's LANCZOS,
    /// each bit set where a pixel is brighter than the mean of the 64.
    /// </summary>
    /// <param name="image">The decoded picture, any size.</param>
    /// <returns>The 64 bits, row by row, pixel (0, 0) in the most significant bit.</returns>
    public static ulong AHash(PixelImage image)
    {
        Span<byte> small = stackalloc byte[64];
        PilResize.GreyResize(image, 8, 8, small);
        int sum = 0;
        foreach (byte b in small) sum += b;
        ulong hash = 0;
        for (int i = 0; i < 64; i++)
        {
            if (small[i] * 64 > sum) hash |= 1UL << (63 - i); // pixel > sum / 64, without rounding
        }
        return hash;
    }

    /// <summary>
    /// Meta's PDQ hash with its quality score: float luma, a tent-filter downsample to 64×64, the
    /// 16×16 lowest non-constant DCT coefficients, each bit set where a coefficient exceeds their
    /// median. The image is hashed at the size given (PDQ's command-line tools first shrink
    /// pictures larger than 512 pixels; this method does not).
    /// </summary>
    /// <param name="image">The decoded picture; smaller than 5×5 pixels gives the all-zero hash of quality 0.</param>
    /// <returns>The hash; see <see cref="PdqHash.Quality"/> before trusting it.</returns>
    public static PdqHash Pdq(PixelImage image)
    {
        Span<float> dct = stackalloc float[256];
        Span<ulong> words = stackalloc ulong[4];
        if (!PdqCore.Coefficients(image, dct, out int quality)) return new PdqHash(words, 0);
        PdqCore.Bits(dct, words);
        return new PdqHash(words, quality);
    }

    /// <summary>
    /// The PDQ hashes of the picture and of its seven rotations and mirror images, from one pass over
    /// the pixels (the transformed hashes are derived from the DCT coefficients, as PDQ's reference
    /// does). Index the array with <see cref="DihedralTransform"/>: original, rotated 90°, 180° and
    /// 270° counter-clockwise, mirrored top to bottom, mirrored left to right, transposed, mirrored
    /// about the anti-diagonal. Storing all eight lets a search match rotated or mirrored copies.
    /// </summary>
    /// <param name="image">The decoded picture.</param>
    /// <returns>Eight hashes sharing one quality; element 0 equals <see cref="Pdq"/>'s result. A derived hash is close to, though not always identical with, the hash of the actually transformed pixels.</returns>
    public static PdqHash[] PdqDihedral(PixelImage image)
    {
        var result = new PdqHash[8];
        Span<float> dct = stackalloc float[256];
        Span<float> transformed = stackalloc float[256];
        Span<ulong> words = stackalloc ulong[4];
        if (!PdqCore.Coefficients(image, dct, out int quality))
        {
            for (int i = 0; i < 8; i++) result[i] = new PdqHash(words, 0);
            return result;
        }
        for (int i = 0; i < 8; i++)
        {
            PdqCore.Transform(dct, (DihedralTransform)i, transformed);
            PdqCore.Bits(transformed, words);
            result[i] = new PdqHash(words, quality);
        }
        return result;
    }

    /// <summary>A 64-bit hash as 16 lowercase hex digits, most significant first: the text imagehash prints for an 8×8 hash.</summary>
    /// <param name="hash">A hash from <see cref="PHash"/>, <see cref="DHash"/> or <see cref="AHash"/>.</param>
    /// <returns>16 characters, 0-9 and a-f.</returns>
    public static string ToHex(ulong hash) => hash.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>Reads the text of <see cref="ToHex"/> or of imagehash's <c>str(hash)</c> for an 8×8 hash.</summary>
    /// <param name="hex">Exactly 16 hex digits (either case).</param>
    /// <returns>The 64-bit hash.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hex"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="hex"/> is not 16 hex digits.</exception>
    public static ulong ParseHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (hex.Length != 16)
        {
            throw new ArgumentException(
                $"A 64-bit hash is 16 hex digits, but {hex.Length} characters were passed. Pass the text that PerceptualHash.ToHex or imagehash prints for an 8×8 hash.", nameof(hex));
        }
        return PdqHash.HexWord(hex, hex, nameof(hex));
    }
}

using Aknn.Embedded.Imaging;
using ImageDedup.Decoding;

namespace ImageDedup.Hashing;

/// <summary>A perceptual hash of one image, as stored in the index.</summary>
/// <param name="Code">The hash as 64-bit words (4 for PDQ, 1 for pHash), as <see cref="Aknn.Embedded.VectorIndex.UpsertCode"/> takes it.</param>
/// <param name="Hex">The hash in its usual hexadecimal spelling.</param>
/// <param name="Quality">PDQ's quality score (0 to 100; below 50 the hash says little about the image); null for pHash.</param>
public sealed record ImageHash(ulong[] Code, string Hex, int? Quality);

/// <summary>Computes the configured perceptual hash of decoded pixels with <see cref="PerceptualHash"/>.</summary>
public static class ImageHasher
{
    /// <summary>Hashes <paramref name="image"/>.</summary>
    /// <param name="kind">Which hash.</param>
    /// <param name="image">Decoded pixels.</param>
    public static ImageHash Compute(HashKind kind, DecodedImage image)
    {
        switch (kind)
        {
            case HashKind.Pdq:
                PdqHash pdq = PerceptualHash.Pdq(image.AsPixelImage());
                return new ImageHash(pdq.ToWords(), pdq.ToHex(), pdq.Quality);
            case HashKind.PHash:
                ulong code = PerceptualHash.PHash(image.AsPixelImage());
                return new ImageHash([code], PerceptualHash.ToHex(code), null);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }
}

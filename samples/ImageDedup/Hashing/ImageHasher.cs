using Aknn.Embedded.Imaging;
using ImageDedup.Decoding;

namespace ImageDedup.Hashing;

/// <summary>A perceptual hash of one image or of one region of it, as stored in the index.</summary>
/// <param name="Region">Which part of the picture was hashed.</param>
/// <param name="Code">The hash as 64-bit words (4 for PDQ, 1 for pHash), as <see cref="Aknn.Embedded.VectorIndex.UpsertCode"/> takes it.</param>
/// <param name="Hex">The hash in its usual hexadecimal spelling.</param>
/// <param name="Quality">PDQ's quality score (0 to 100; below 50 the hash says little about the image); null for pHash.</param>
public sealed record ImageHash(CropRegion Region, ulong[] Code, string Hex, int? Quality);

/// <summary>Computes the configured perceptual hash of decoded pixels with <see cref="PerceptualHash"/>.</summary>
public static class ImageHasher
{
    /// <summary>Hashes the whole of <paramref name="image"/>.</summary>
    /// <param name="kind">Which hash.</param>
    /// <param name="image">Decoded pixels.</param>
    public static ImageHash Compute(HashKind kind, DecodedImage image) => Compute(kind, image, CropRegion.Full);

    /// <summary>Hashes one region of <paramref name="image"/>.</summary>
    /// <param name="kind">Which hash.</param>
    /// <param name="image">Decoded pixels.</param>
    /// <param name="region">The part of the picture to hash.</param>
    public static ImageHash Compute(HashKind kind, DecodedImage image, CropRegion region)
    {
        var (x, y, w, h) = region.In(image.Width, image.Height);
        // A crop is copied into packed rows first: the library's hashes read a strided view about
        // three times slower than packed pixels (measured: 2.45 ms against 0.82 ms for PDQ of a
        // 294×184 picture), and copying the rows costs far less than that.
        PixelImage pixels = region == CropRegion.Full ? image.AsPixelImage() : image.CropCopy(x, y, w, h).AsPixelImage();
        switch (kind)
        {
            case HashKind.Pdq:
                PdqHash pdq = PerceptualHash.Pdq(pixels);
                return new ImageHash(region, pdq.ToWords(), pdq.ToHex(), pdq.Quality);
            case HashKind.PHash:
                ulong code = PerceptualHash.PHash(pixels);
                return new ImageHash(region, [code], PerceptualHash.ToHex(code), null);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>
    /// The largest shorter side of the reduced copy that crop regions are hashed on. The full
    /// frame is hashed on the decoded pixels; the crops, on a grey copy shrunk by a box filter
    /// (<see cref="DecodedImage.ReduceToGrey"/>) to at most this size, because hashing ten crops at the
    /// decoded size would cost ten times the hash of the full frame (PDQ's cost grows with the
    /// pixel count). Both sides of every comparison hash their crops the same way.
    /// </summary>
    public const int CropCanvasSide = 256;

    /// <summary>Hashes every region of <paramref name="regions"/> (the first is normally <see cref="CropRegion.Full"/>).</summary>
    /// <param name="kind">Which hash.</param>
    /// <param name="image">Decoded pixels.</param>
    /// <param name="regions">The regions.</param>
    public static ImageHash[] ComputeAll(HashKind kind, DecodedImage image, IReadOnlyList<CropRegion> regions)
    {
        var hashes = new ImageHash[regions.Count];
        DecodedImage? canvas = null;
        for (int i = 0; i < regions.Count; i++)
        {
            if (regions[i] == CropRegion.Full)
            {
                hashes[i] = Compute(kind, image, regions[i]);
                continue;
            }
            canvas ??= image.ReduceToGrey(CropCanvasSide);
            hashes[i] = Compute(kind, canvas, regions[i]);
        }
        return hashes;
    }
}

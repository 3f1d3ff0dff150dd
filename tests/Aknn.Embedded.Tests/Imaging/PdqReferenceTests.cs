using Aknn.Embedded.Imaging;
using Xunit.Abstractions;

namespace Aknn.Embedded.Tests.Imaging;

/// <summary>
/// PDQ on Meta's reference images (TestData/pdq, decoded in-process by SkiaSharp at full
/// resolution) against the hashes the reference implementation's tests assert. Every test prints
/// the distances it saw.
/// </summary>
public class PdqReferenceTests(ITestOutputHelper output)
{
    private static IEnumerable<(string Path, PdqHash Expected)> Expected() =>
        File.ReadAllLines(Path.Combine(TestImages.PdqData, "expected-pdq.csv"))
            .Skip(1)
            .Where(line => line.Length > 0)
            .Select(line => line.Split(','))
            .Select(f => (f[0], PdqHash.FromHex(f[1])));

    private static readonly string[] Bridge =
    [
        "aaa-orig.jpg", "blur-a-little.jpg", "blur-a-lot.jpg", "high-contrast.jpg", "high-saturation.jpg",
        "sharpen-a-little.jpg", "sharpen-a-lot.jpg", "shrink-a-little.jpg", "shrink-a-lot.jpg",
        "square-128x128.jpg", "square-256x256.jpg", "square-512x512.jpg",
    ];

    [Fact]
    public void Reference_images_hash_within_16_bits_and_within_10_at_quality_80()
    {
        var failures = new List<string>();
        foreach (var (path, expected) in Expected())
        {
            var image = TestImages.DecodePdq(path);
            var hash = PerceptualHash.Pdq(image.View());
            int d = hash.DistanceTo(expected);
            output.WriteLine($"{path} ({image.Width}x{image.Height}): distance {d}, quality {hash.Quality}");
            int limit = hash.Quality >= 80 ? 10 : 16;
            if (d > limit) failures.Add($"{path}: distance {d} > {limit} (quality {hash.Quality})");
        }
        Assert.Empty(failures);
    }

    /// <summary>
    /// Tighter than PDQ's own criteria: every picture of 512 pixels or less with a usable quality
    /// matches bit for bit (the decoders agree on these JPEGs and PNG), and the two large ones stay
    /// within the 6 bits seen with both ImageMagick and SkiaSharp decoding (the reference tools
    /// shrank them before hashing). q0003.jpg (quality 3) and small.jpg (quality 0) are flat: only
    /// the general bound above applies to them.
    /// </summary>
    [Fact]
    public void Reference_images_of_usable_quality_hash_bit_for_bit_up_to_512_pixels_and_within_6_bits_above()
    {
        var failures = new List<string>();
        foreach (var (path, expected) in Expected())
        {
            var image = TestImages.DecodePdq(path);
            var hash = PerceptualHash.Pdq(image.View());
            if (hash.Quality < 50) continue;
            int d = hash.DistanceTo(expected);
            int limit = Math.Max(image.Width, image.Height) <= 512 ? 0 : 6;
            output.WriteLine($"{path} ({image.Width}x{image.Height}): distance {d}, limit {limit}");
            if (d > limit) failures.Add($"{path}: distance {d} > {limit}");
        }
        Assert.Empty(failures);
    }

    [Fact]
    public void Every_edited_copy_of_the_bridge_matches_the_original()
    {
        var original = PerceptualHash.Pdq(TestImages.DecodePdq("bridge-mods/aaa-orig.jpg").View());
        var failures = new List<string>();
        foreach (string name in Bridge)
        {
            var hash = PerceptualHash.Pdq(TestImages.DecodePdq("bridge-mods/" + name).View());
            int d = hash.DistanceTo(original);
            output.WriteLine($"{name}: distance {d} to aaa-orig.jpg, quality {hash.Quality}");
            if (d > 31) failures.Add($"{name}: distance {d}");
        }
        Assert.Empty(failures);
    }

    [Fact]
    public void Dihedral_variants_of_a_large_photo_are_close_to_the_hashes_of_rotated_and_mirrored_pixels()
    {
        var image = TestImages.DecodePdq("bridge-mods/aaa-orig.jpg");
        var variants = PerceptualHash.PdqDihedral(image.View());
        int[] distances = DirectDistances(image, variants, out _);
        output.WriteLine("aaa-orig.jpg (1600x1004): " + Describe(distances));
        Assert.Equal(0, distances[0]);
        Assert.All(distances, d => Assert.InRange(d, 0, 16));
        // The variants are genuinely different hashes: a rotated copy would not match the original's.
        for (int t = 1; t < 8; t++) Assert.True(variants[t].DistanceTo(variants[0]) > 31, $"{(DihedralTransform)t} is too close to the original");
    }

    /// <summary>
    /// On small pictures the derived variants drift further from the hashes of transformed pixels:
    /// the reference's box filter (even window sizes) and its 64-point sampling grid are not
    /// symmetric under mirroring, and the narrow windows of a small picture make that shift a large
    /// part of a sample. Each variant still points at its own orientation.
    /// </summary>
    [Fact]
    public void Dihedral_variants_of_small_photos_still_identify_their_orientation()
    {
        foreach (string path in new[] { "bridge-mods/square-512x512.jpg", "images/q2821.jpg", "images/q1050.jpg" })
        {
            var image = TestImages.DecodePdq(path);
            var variants = PerceptualHash.PdqDihedral(image.View());
            int[] distances = DirectDistances(image, variants, out var direct);
            output.WriteLine($"{path} ({image.Width}x{image.Height}): " + Describe(distances));
            Assert.Equal(0, distances[0]);
            for (int t = 0; t < 8; t++)
            {
                for (int u = 0; u < 8; u++)
                {
                    if (u != t) Assert.True(direct[t].DistanceTo(variants[u]) > distances[t], $"{path}: {(DihedralTransform)t} is closer to variant {(DihedralTransform)u}");
                }
            }
        }
    }

    private static int[] DirectDistances(DecodedImage image, PdqHash[] variants, out PdqHash[] direct)
    {
        direct = new PdqHash[8];
        var distances = new int[8];
        for (int t = 0; t < 8; t++)
        {
            direct[t] = PerceptualHash.Pdq(SyntheticImages.Transform(image, (DihedralTransform)t).View());
            distances[t] = direct[t].DistanceTo(variants[t]);
        }
        return distances;
    }

    private static string Describe(int[] distances) =>
        string.Join(", ", distances.Select((d, t) => $"{(DihedralTransform)t} {d}"));

    [Fact]
    public void Distinct_images_are_far_apart()
    {
        // small.jpg (quality 0) is left out: PDQ does not promise anything for hashes that flat.
        var hashes = Expected()
            .Where(e => e.Path.StartsWith("images/", StringComparison.Ordinal) && e.Path != "images/small.jpg")
            .Select(e => (e.Path, Hash: PerceptualHash.Pdq(TestImages.DecodePdq(e.Path).View())))
            .Append((Path: "bridge-mods/aaa-orig.jpg", Hash: PerceptualHash.Pdq(TestImages.DecodePdq("bridge-mods/aaa-orig.jpg").View())))
            .ToList();
        int closest = int.MaxValue;
        for (int i = 0; i < hashes.Count; i++)
        {
            for (int j = i + 1; j < hashes.Count; j++)
            {
                int d = hashes[i].Hash.DistanceTo(hashes[j].Hash);
                closest = Math.Min(closest, d);
                Assert.True(d > 31, $"{hashes[i].Path} and {hashes[j].Path}: distance {d}");
            }
        }
        output.WriteLine($"{hashes.Count} distinct images: the closest pair is {closest} bits apart");
    }
}

using System.Numerics;
using Aknn.Embedded.Imaging;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace Aknn.Embedded.Tests.Imaging;

/// <summary>The hashes on pictures built in code: no decoder needed.</summary>
public class PerceptualHashTests(ITestOutputHelper output)
{
    /// <summary>
    /// pHash, dHash, aHash of the formula pictures as printed by
    /// <c>/usr/bin/python3 reference_hashes.py --synthetic</c> (Pillow 9.4, SciPy 1.10, NumPy 1.24).
    /// </summary>
    public static TheoryData<string, string, string, string> Imagehash => new()
    {
        { "weave-97x61", "80000d2f1f2f7f3f", "f68cb5b3a9535331", "026f5f7fffebfbdf" },
        { "rings-300x200", "c212ca1fb5d836ad", "f8e1c79f1edcf3c7", "1c78e3c3872c38f1" },
        { "tiny-7x5", "8b134d24f3ca8cdb", "f9f9f9d9d9f3f3f3", "0d1c3c7c5d3b3979" },
        { "exact-32x32", "830f1c451f2f5d4d", "e6ebea4bcad69794", "13352f276aeaf3d4" },
        { "exact-9x8", "86a51a3aa56a5ad7", "eeeeeae6eead6dec", "27363e3276643434" },
        { "tall-40x333", "80077f1f7f077103", "d429d4a8d1a8d1b2", "00df2fdf2fdf2ddc" },
        { "strip-150x2", "8002ff82ff82ff42", "d9d9d19191939292", "6d6d6d79797b5a5a" },
        { "dot-1x1", "8000000000000000", "0000000000000000", "0000000000000000" },
    };

    [Theory]
    [MemberData(nameof(Imagehash))]
    public void Formula_pictures_hash_exactly_as_imagehash(string name, string phash, string dhash, string ahash)
    {
        var image = SyntheticImages.Formula(name);
        Assert.Equal(phash, PerceptualHash.ToHex(PerceptualHash.PHash(image.View())));
        Assert.Equal(dhash, PerceptualHash.ToHex(PerceptualHash.DHash(image.View())));
        Assert.Equal(ahash, PerceptualHash.ToHex(PerceptualHash.AHash(image.View())));
    }

    [Fact]
    public void DHash_of_gradients_follows_the_direction_of_brightening()
    {
        var rightward = SyntheticImages.Grey(256, 64, (x, _) => x);
        var leftward = SyntheticImages.Grey(256, 64, (x, _) => 255 - x);
        var downward = SyntheticImages.Grey(64, 256, (_, y) => y);
        Assert.Equal(ulong.MaxValue, PerceptualHash.DHash(rightward.View()));
        Assert.Equal(0UL, PerceptualHash.DHash(leftward.View()));
        Assert.Equal(0UL, PerceptualHash.DHash(downward.View()));
    }

    [Fact]
    public void AHash_of_dark_left_and_bright_right_halves_sets_the_right_four_columns()
    {
        var halves = SyntheticImages.Grey(64, 48, (x, _) => x < 32 ? 0 : 255);
        Assert.Equal(0x0f0f0f0f0f0f0f0fUL, PerceptualHash.AHash(halves.View()));
        var checker = SyntheticImages.Grey(80, 80, (x, y) => (x / 10 + y / 10) % 2 == 0 ? 255 : 0);
        Assert.Equal(0xaa55aa55aa55aa55UL, PerceptualHash.AHash(checker.View()));
    }

    [Fact]
    public void Every_pixel_format_gives_the_same_hashes_for_the_same_picture()
    {
        foreach (string name in new[] { "rings-300x200", "weave-97x61" })
        {
            var rgb = SyntheticImages.Formula(name);
            var rgba = SyntheticImages.Convert(rgb, PixelFormat.Rgba32, (x, y) => (byte)(x * 31 + y));
            var bgra = SyntheticImages.Convert(rgb, PixelFormat.Bgra32, (x, y) => (byte)(x ^ y));
            var grey = SyntheticImages.Convert(rgb, PixelFormat.Gray8);
            foreach (var other in new[] { rgba, bgra, grey })
            {
                Assert.Equal(PerceptualHash.PHash(rgb.View()), PerceptualHash.PHash(other.View()));
                Assert.Equal(PerceptualHash.DHash(rgb.View()), PerceptualHash.DHash(other.View()));
                Assert.Equal(PerceptualHash.AHash(rgb.View()), PerceptualHash.AHash(other.View()));
            }
            // PDQ computes its own float luma from colour; identical for every colour layout.
            string pdq = PerceptualHash.Pdq(rgb.View()).ToHex();
            Assert.Equal(pdq, PerceptualHash.Pdq(rgba.View()).ToHex());
            Assert.Equal(pdq, PerceptualHash.Pdq(bgra.View()).ToHex());
        }
    }

    [Fact]
    public void A_grey_picture_hashes_the_same_as_grey_bytes_and_as_equal_rgb_channels()
    {
        var grey = SyntheticImages.Grey(120, 90, (x, y) => (x * x / 9 + y * 5) % 256);
        var rgb = SyntheticImages.FromColors(120, 90, (x, y) => { int v = grey.Pixels[y * 120 + x]; return (v, v, v); });
        Assert.Equal(PerceptualHash.PHash(grey.View()), PerceptualHash.PHash(rgb.View()));
        Assert.Equal(PerceptualHash.DHash(grey.View()), PerceptualHash.DHash(rgb.View()));
        Assert.Equal(PerceptualHash.AHash(grey.View()), PerceptualHash.AHash(rgb.View()));
        // PDQ's reference takes grey bytes as they are but weighs equal channels as 0.299 + 0.587 + 0.114,
        // which can differ from the grey level in the last bit of a float; the hashes stay within a few bits.
        int d = PerceptualHash.Pdq(grey.View()).DistanceTo(PerceptualHash.Pdq(rgb.View()));
        output.WriteLine($"PDQ grey bytes vs equal RGB channels: distance {d}");
        Assert.True(d <= 4, $"distance {d}");
    }

    [Theory]
    [InlineData(PixelFormat.Gray8)]
    [InlineData(PixelFormat.Rgb24)]
    [InlineData(PixelFormat.Rgba32)]
    [InlineData(PixelFormat.Bgra32)]
    public void Stride_padding_is_never_read(PixelFormat format)
    {
        var packed = SyntheticImages.Convert(SyntheticImages.Formula("rings-300x200"), format);
        foreach (int padding in new[] { 1, 13 })
        {
            var (px, stride) = SyntheticImages.Padded(packed, padding, seed: padding);
            var padded = new PixelImage(px, packed.Width, packed.Height, stride, format);
            Assert.Equal(PerceptualHash.PHash(packed.View()), PerceptualHash.PHash(padded));
            Assert.Equal(PerceptualHash.DHash(packed.View()), PerceptualHash.DHash(padded));
            Assert.Equal(PerceptualHash.AHash(packed.View()), PerceptualHash.AHash(padded));
            Assert.Equal(PerceptualHash.Pdq(packed.View()).ToHex(), PerceptualHash.Pdq(padded).ToHex());
        }
    }

    [Fact]
    public void One_pixel_images_hash_without_error()
    {
        var dot = new PixelImage([200], 1, 1, PixelFormat.Gray8);
        Assert.Equal(0UL, PerceptualHash.DHash(dot));
        Assert.Equal(0UL, PerceptualHash.AHash(dot));
        Assert.Equal(0x8000000000000000UL, PerceptualHash.PHash(dot)); // only the DC term exceeds the median of zeros
        var pdq = PerceptualHash.Pdq(dot);
        Assert.Equal((0, new string('0', 64)), (pdq.Quality, pdq.ToHex()));
    }

    /// <summary>
    /// PDQ of the formula pictures, pinned as this implementation computes them. The pipeline is
    /// checked against the reference's own hashes in PdqReferenceTests (distance 0 on every image of
    /// 512 pixels or less); these pins catch any later change to the float arithmetic.
    /// </summary>
    public static TheoryData<string, string, int> PdqPins => new()
    {
        { "weave-97x61", "3c6b38eff0c7e182c787878a078e1c3e7c12fc3c60fe01d82b7c6ef0fec0da00", 100 },
        { "rings-300x200", "f948529287df7350d64650daded65390d43e5398d6b62a0d4696ff6cae29b024", 100 },
        { "exact-32x32", "a2b82b87e933cf62904f7e43f23c8b67742c47c96d5dc5f88c3c30c0a99c5a78", 100 },
        { "tall-40x333", "e1fe87a05f012709640b678f2f38671f6e7a98e0b1869dc03f0fdce011cedde0", 100 },
    };

    [Theory]
    [MemberData(nameof(PdqPins))]
    public void Pdq_of_formula_pictures_is_stable(string name, string hex, int quality)
    {
        var hash = PerceptualHash.Pdq(SyntheticImages.Formula(name).View());
        output.WriteLine($"{name} {hash.ToHex()} {hash.Quality}");
        Assert.Equal(hex, hash.ToHex());
        Assert.Equal(quality, hash.Quality);
    }

    [Fact]
    public void Pdq_of_tiny_and_flat_pictures_has_quality_zero()
    {
        var four = SyntheticImages.Grey(4, 40, (x, y) => x * 50 + y);
        var hash = PerceptualHash.Pdq(four.View());
        Assert.Equal((0, new string('0', 64)), (hash.Quality, hash.ToHex()));
        Assert.All(PerceptualHash.PdqDihedral(four.View()), h => Assert.Equal(new string('0', 64), h.ToHex()));

        var flat = SyntheticImages.Grey(100, 80, (_, _) => 77);
        Assert.Equal(0, PerceptualHash.Pdq(flat.View()).Quality);

        var five = SyntheticImages.Grey(5, 5, (x, y) => (x * 97 + y * 51) % 256);
        Assert.NotEqual(new string('0', 64), PerceptualHash.Pdq(five.View()).ToHex());
    }

    [Fact]
    public void Pdq_at_the_working_size_of_64x64_skips_the_filter_consistently()
    {
        var image = SyntheticImages.FromColors(64, 64, (x, y) => ((x * 7 + y * y) % 256, (x * y) % 256, (x + y * 3) % 256));
        var hash = PerceptualHash.Pdq(image.View());
        var all = PerceptualHash.PdqDihedral(image.View());
        Assert.Equal(hash.ToHex(), all[0].ToHex());
        Assert.Equal(hash.Quality, all[0].Quality);
        Assert.InRange(hash.Quality, 1, 100);
    }

    [Theory]
    [InlineData("rings-300x200")]
    [InlineData("weave-97x61")]
    public void Pdq_dihedral_variants_match_the_hashes_of_transformed_pixels(string name)
    {
        var image = SyntheticImages.Formula(name);
        var variants = PerceptualHash.PdqDihedral(image.View());
        Assert.Equal(PerceptualHash.Pdq(image.View()).ToHex(), variants[0].ToHex());
        var distances = new int[8];
        for (int t = 0; t < 8; t++)
        {
            var moved = SyntheticImages.Transform(image, (DihedralTransform)t);
            distances[t] = PerceptualHash.Pdq(moved.View()).DistanceTo(variants[t]);
            Assert.Equal(variants[0].Quality, variants[t].Quality);
        }
        output.WriteLine($"{name}: " + string.Join(", ", distances.Select((d, t) => $"{(DihedralTransform)t} {d}")));
        Assert.Equal(0, distances[0]);
        // Sharp synthetic edges are the worst case for the derived variants (the filter and the
        // sampling grid are not symmetric); they still lie within PDQ's match threshold.
        Assert.All(distances, d => Assert.InRange(d, 0, 31));
    }

    [Fact]
    public void ToHex_prints_16_lowercase_digits_most_significant_first()
    {
        Assert.Equal("0000000000000000", PerceptualHash.ToHex(0));
        Assert.Equal("8000000000000001", PerceptualHash.ToHex(0x8000000000000001));
        Assert.Equal("00fedcba98765432", PerceptualHash.ToHex(0x00FEDCBA98765432));
        Assert.Equal(0x00FEDCBA98765432UL, PerceptualHash.ParseHex("00FEDCBA98765432"));
    }

    [Fact]
    public void Hex_text_round_trips()
    {
        Prop.ForAll<ulong>(h => PerceptualHash.ParseHex(PerceptualHash.ToHex(h)) == h).QuickCheckThrowOnFailure();
        Prop.ForAll<ulong, ulong, ulong>((a, b, c) =>
        {
            ulong d = (a * 0x9E3779B97F4A7C15UL) ^ BitOperations.RotateLeft(c, 17);
            var hash = PdqHash.FromWords([a, b, c, d], 42);
            var back = PdqHash.FromHex(hash.ToHex().ToUpperInvariant(), 42);
            return back.ToHex() == hash.ToHex() && back.ToWords().SequenceEqual(new[] { a, b, c, d }) && hash.ToString() == hash.ToHex();
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void PdqHash_numbers_bits_as_the_reference_prints_them()
    {
        // Bit 0 is the last hex digit's lowest bit; bit 255 the first digit's highest.
        var low = PdqHash.FromHex(new string('0', 63) + "1");
        Assert.Equal(new ulong[] { 1, 0, 0, 0 }, low.ToWords());
        var high = PdqHash.FromHex("8" + new string('0', 63));
        Assert.Equal(new ulong[] { 0, 0, 0, 1UL << 63 }, high.ToWords());
        Assert.Equal("0123456789abcdef" + "fedcba9876543210" + "0000000000000000" + "ffffffffffffffff",
            PdqHash.FromWords([ulong.MaxValue, 0, 0xfedcba9876543210, 0x0123456789abcdef]).ToHex());
        Assert.Equal(100, low.Quality);
    }

    [Fact]
    public void DistanceTo_counts_differing_bits()
    {
        Prop.ForAll<ulong, ulong, ulong>((a, b, c) =>
        {
            ulong d = ~(a ^ BitOperations.RotateLeft(b, 29));
            var x = PdqHash.FromWords([a, b, c, d]);
            var y = PdqHash.FromWords([d, c, b, a]);
            int expected = 2 * BitOperations.PopCount(a ^ d) + 2 * BitOperations.PopCount(b ^ c);
            return x.DistanceTo(y) == expected && x.DistanceTo(x) == 0 && y.DistanceTo(x) == expected;
        }).QuickCheckThrowOnFailure();
    }
}

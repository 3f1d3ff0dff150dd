using Aknn.Embedded.Imaging;

namespace Aknn.Embedded.Tests.Imaging;

/// <summary>Every impossible size, stride, buffer, format and hash text is refused with a message naming the problem.</summary>
public class PixelImageValidationTests
{
    private static readonly byte[] Buffer = new byte[400];

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Width_below_one_is_refused(int width)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PixelImage(Buffer, width, 2, PixelFormat.Gray8));
        Assert.Equal("width", e.ParamName);
        Assert.Contains("width must be at least 1", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new PixelImage(Buffer, width, 2, 10, PixelFormat.Gray8));
        Assert.Equal("width", e.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Height_below_one_is_refused(int height)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PixelImage(Buffer, 2, height, PixelFormat.Rgb24));
        Assert.Equal("height", e.ParamName);
        Assert.Contains("height must be at least 1", e.Message);
    }

    [Theory]
    [InlineData(PixelFormat.Gray8, 9)]
    [InlineData(PixelFormat.Rgb24, 29)]
    [InlineData(PixelFormat.Rgba32, 39)]
    [InlineData(PixelFormat.Bgra32, 0)]
    [InlineData(PixelFormat.Rgb24, -30)]
    public void Stride_shorter_than_a_row_is_refused(PixelFormat format, int stride)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PixelImage(Buffer, 10, 2, stride, format));
        Assert.Equal("stride", e.ParamName);
        Assert.Contains("shorter than one row", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(-1)]
    public void Unknown_format_is_refused(int format)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PixelImage(Buffer, 2, 2, (PixelFormat)format));
        Assert.Equal("format", e.ParamName);
        Assert.Contains("Unknown pixel format", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PixelImage(Buffer, 2, 2, 8, (PixelFormat)format));
    }

    [Fact]
    public void Short_packed_buffer_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new PixelImage(new byte[10 * 10 * 3 - 1], 10, 10, PixelFormat.Rgb24));
        Assert.Equal("pixels", e.ParamName);
        Assert.Contains("needs at least 300 bytes", e.Message);
    }

    [Fact]
    public void Short_strided_buffer_is_refused_but_the_last_row_needs_no_padding()
    {
        // 3 rows of 4 Rgba32 pixels, 20 bytes apart: 2 × 20 + 16 = 56 bytes suffice.
        var image = new PixelImage(new byte[56], 4, 3, 20, PixelFormat.Rgba32);
        Assert.Equal((4, 3, 20, PixelFormat.Rgba32, 4), (image.Width, image.Height, image.Stride, image.Format, image.BytesPerPixel));
        var e = Assert.Throws<ArgumentException>(() => new PixelImage(new byte[55], 4, 3, 20, PixelFormat.Rgba32));
        Assert.Equal("pixels", e.ParamName);
        Assert.Contains("needs at least 56 bytes", e.Message);
        Assert.Throws<ArgumentException>(() => new PixelImage(ReadOnlySpan<byte>.Empty, 1, 1, PixelFormat.Gray8));
    }

    [Fact]
    public void Row_too_long_for_a_span_is_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PixelImage(Buffer, int.MaxValue / 2, 1, PixelFormat.Rgba32));
        Assert.Equal("width", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PixelImage(Buffer, int.MaxValue / 2, 1, int.MaxValue, PixelFormat.Rgb24));
    }

    [Fact]
    public void Packed_constructor_sets_the_stride_from_the_format()
    {
        Assert.Equal(30, new PixelImage(Buffer, 10, 2, PixelFormat.Rgb24).Stride);
        Assert.Equal(40, new PixelImage(Buffer, 10, 2, PixelFormat.Bgra32).Stride);
        Assert.Equal(10, new PixelImage(Buffer, 10, 2, PixelFormat.Gray8).Stride);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0123456789abcde")]
    [InlineData("0123456789abcdef0")]
    [InlineData("0123456789abcdeg")]
    [InlineData("0x23456789abcdef")]
    [InlineData(" 123456789abcdef")]
    public void ParseHex_refuses_anything_but_16_hex_digits(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => PerceptualHash.ParseHex(text));
        Assert.Equal("hex", e.ParamName);
        Assert.Throws<ArgumentNullException>(() => PerceptualHash.ParseHex(null!));
    }

    [Fact]
    public void PdqHash_FromHex_refuses_bad_text_and_quality()
    {
        string good = new('a', 64);
        Assert.Throws<ArgumentNullException>(() => PdqHash.FromHex(null!));
        Assert.Contains("64 hex digits", Assert.Throws<ArgumentException>(() => PdqHash.FromHex(good[1..])).Message);
        Assert.Contains("not a hex digit", Assert.Throws<ArgumentException>(() => PdqHash.FromHex(good[1..] + "z")).Message);
        Assert.Equal("quality", Assert.Throws<ArgumentOutOfRangeException>(() => PdqHash.FromHex(good, -1)).ParamName);
        Assert.Equal("quality", Assert.Throws<ArgumentOutOfRangeException>(() => PdqHash.FromHex(good, 101)).ParamName);
        Assert.Equal(0, PdqHash.FromHex(good, 0).Quality);
    }

    [Fact]
    public void PdqHash_FromWords_and_DistanceTo_refuse_bad_arguments()
    {
        Assert.Equal("words", Assert.Throws<ArgumentException>(() => PdqHash.FromWords(new ulong[3])).ParamName);
        Assert.Throws<ArgumentException>(() => PdqHash.FromWords(new ulong[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PdqHash.FromWords(new ulong[4], 200));
        Assert.Throws<ArgumentNullException>(() => PdqHash.FromWords(new ulong[4]).DistanceTo(null!));
    }
}

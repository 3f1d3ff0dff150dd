using Aknn.Embedded.Imaging;

namespace ImageDedup.Decoding;

/// <summary>
/// Reads one binary Netpbm image, as ImageMagick writes it to <c>ppm:-</c>: P6 (RGB) or P5
/// (grey), 8 bits per channel (maxval 255).
/// </summary>
/// <remarks>
/// The header is the magic number, then width, height and maxval as ASCII decimals separated by
/// whitespace (a <c>#</c> starts a comment that runs to the end of the line), then exactly one
/// whitespace byte, then the raster: rows top to bottom, pixels left to right, one byte per channel.
/// </remarks>
public static class PpmReader
{
    /// <summary>Largest width or height accepted (a guard against a nonsense header).</summary>
    public const int MaxSide = 1 << 17;

    /// <summary>Reads the header and the raster from <paramref name="stream"/>.</summary>
    /// <param name="stream">The stream, positioned at the magic number; the raster is read with exact-length reads.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="InvalidDataException">The data is not an 8-bit P6 or P5 image, or ends early.</exception>
    public static async Task<DecodedImage> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var header = new HeaderReader(stream);
        int p = await header.ReadByteAsync(cancellationToken);
        if (p < 0) throw new InvalidDataException("the decoder produced no image data");
        int kind = await header.ReadByteAsync(cancellationToken);
        PixelFormat format = (p, kind) switch
        {
            ('P', '6') => PixelFormat.Rgb24,
            ('P', '5') => PixelFormat.Gray8,
            _ => throw new InvalidDataException("the decoder's output is not a binary PPM or PGM image (expected the magic number P6 or P5)"),
        };
        int width = await header.ReadNumberAsync("width", cancellationToken);
        int height = await header.ReadNumberAsync("height", cancellationToken);
        int maxValue = await header.ReadNumberAsync("maxval", cancellationToken, lastField: true);
        if (width < 1 || height < 1 || width > MaxSide || height > MaxSide)
            throw new InvalidDataException($"the image size {width}×{height} is out of range (1 to {MaxSide} pixels a side)");
        if (maxValue != 255)
            throw new InvalidDataException($"the image has maxval {maxValue}; only 8-bit images (maxval 255) are read, which '-depth 8' asks ImageMagick for");

        int channels = format == PixelFormat.Rgb24 ? 3 : 1;
        long length = (long)width * height * channels;
        if (length > Array.MaxLength)
            throw new InvalidDataException($"the image ({width}×{height}) is too large to hold in memory as one array");
        var pixels = new byte[length];
        try
        {
            await stream.ReadExactlyAsync(pixels, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"the image data ends before the {length:N0} bytes its {width}×{height} header announces");
        }
        return new DecodedImage(pixels, width, height, format);
    }

    /// <summary>Reads the header byte by byte, so that the raster that follows is left in the stream.</summary>
    private sealed class HeaderReader(Stream stream)
    {
        private readonly byte[] _one = new byte[1];

        public async ValueTask<int> ReadByteAsync(CancellationToken ct) =>
            await stream.ReadAsync(_one, ct) == 0 ? -1 : _one[0];

        public async ValueTask<int> ReadNumberAsync(string field, CancellationToken ct, bool lastField = false)
        {
            int b = await ReadByteAsync(ct);
            while (IsSpace(b) || b == '#')
            {
                if (b == '#') await SkipCommentAsync(ct);
                b = await ReadByteAsync(ct);
            }
            if (b < '0' || b > '9')
                throw new InvalidDataException($"the image header ends or holds a stray byte where the {field} should be");
            long value = 0;
            while (b >= '0' && b <= '9')
            {
                value = value * 10 + (b - '0');
                if (value > int.MaxValue) throw new InvalidDataException($"the image header's {field} is out of range");
                b = await ReadByteAsync(ct);
            }
            // The byte after the last field is the single whitespace byte before the raster; after
            // the other fields it may also open a comment.
            if (b == '#' && !lastField) await SkipCommentAsync(ct);
            else if (!IsSpace(b)) throw new InvalidDataException($"the image header's {field} is not followed by whitespace");
            return (int)value;
        }

        /// <summary>Skips the rest of a comment, up to and including its line break.</summary>
        private async ValueTask SkipCommentAsync(CancellationToken ct)
        {
            int b;
            do b = await ReadByteAsync(ct);
            while (b >= 0 && b != '\n' && b != '\r');
        }

        private static bool IsSpace(int b) => b is ' ' or '\t' or '\n' or '\r' or '\v' or '\f';
    }
}

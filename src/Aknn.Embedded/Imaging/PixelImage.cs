namespace Aknn.Embedded.Imaging;

/// <summary>
/// A view of decoded pixels that the caller owns: rows top to bottom, pixels left to right within a
/// row, each row starting <see cref="Stride"/> bytes after the previous one. Nothing is copied; the
/// constructor only checks that the sizes are possible and that the buffer is long enough.
/// </summary>
/// <remarks>
/// Decode the file with any library (System.Drawing, ImageSharp, SkiaSharp, libvips, a camera SDK)
/// and pass its pixel buffer. Bytes between the end of a row's pixels and the next row's start
/// (stride padding) are never read.
/// </remarks>
public readonly ref struct PixelImage
{
    /// <summary>Wraps tightly packed rows: the stride is <paramref name="width"/> times the bytes per pixel of <paramref name="format"/>.</summary>
    /// <param name="pixels">The pixel bytes, at least <paramref name="height"/> full rows.</param>
    /// <param name="width">Pixels per row, at least 1.</param>
    /// <param name="height">Number of rows, at least 1.</param>
    /// <param name="format">The layout of one pixel.</param>
    /// <exception cref="ArgumentOutOfRangeException">The width, height or format is impossible.</exception>
    /// <exception cref="ArgumentException">The buffer is shorter than the image.</exception>
    public PixelImage(ReadOnlySpan<byte> pixels, int width, int height, PixelFormat format)
        : this(pixels, width, height, PackedStride(width, format), format)
    {
    }

    /// <summary>Wraps rows that start <paramref name="stride"/> bytes apart (a stride larger than a row's pixels skips padding).</summary>
    /// <param name="pixels">The pixel bytes: at least (<paramref name="height"/> − 1) × <paramref name="stride"/> + <paramref name="width"/> × bytes per pixel.</param>
    /// <param name="width">Pixels per row, at least 1.</param>
    /// <param name="height">Number of rows, at least 1.</param>
    /// <param name="stride">Bytes from the start of one row to the start of the next, at least <paramref name="width"/> × bytes per pixel.</param>
    /// <param name="format">The layout of one pixel.</param>
    /// <exception cref="ArgumentOutOfRangeException">The width, height, stride or format is impossible.</exception>
    /// <exception cref="ArgumentException">The buffer is shorter than the image.</exception>
    public PixelImage(ReadOnlySpan<byte> pixels, int width, int height, int stride, PixelFormat format)
    {
        int bpp = BytesPerPixelOf(format);
        CheckWidth(width);
        if (height < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(height), height,
                $"The height must be at least 1 pixel, but {height} was passed. Pass the number of pixel rows of the decoded image.");
        }
        long rowBytes = (long)width * bpp;
        if (rowBytes > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width,
                $"A row of {width} {format} pixels needs {rowBytes} bytes, more than a span can hold. Pass a smaller image.");
        }
        if (stride < rowBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride,
                $"The stride ({stride} bytes) is shorter than one row of {width} {format} pixels ({rowBytes} bytes). Pass the distance in bytes from one row's start to the next, at least width × {bpp}.");
        }
        long needed = (long)(height - 1) * stride + rowBytes;
        if (pixels.Length < needed)
        {
            throw new ArgumentException(
                $"The pixel buffer holds {pixels.Length} bytes, but a {width}×{height} {format} image with a stride of {stride} bytes needs at least {needed} bytes ((height − 1) × stride + width × {bpp}). Pass the whole decoded buffer, or check the width, height, stride and format.",
                nameof(pixels));
        }
        Pixels = pixels;
        Width = width;
        Height = height;
        Stride = stride;
        Format = format;
    }

    /// <summary>The pixel bytes as passed to the constructor.</summary>
    public ReadOnlySpan<byte> Pixels { get; }

    /// <summary>Pixels per row.</summary>
    public int Width { get; }

    /// <summary>Number of rows.</summary>
    public int Height { get; }

    /// <summary>Bytes from the start of one row to the start of the next.</summary>
    public int Stride { get; }

    /// <summary>The layout of one pixel.</summary>
    public PixelFormat Format { get; }

    /// <summary>Bytes per pixel of <see cref="Format"/>: 1, 3 or 4.</summary>
    public int BytesPerPixel => BytesPerPixelOf(Format);

    /// <summary>The bytes of row <paramref name="y"/>'s pixels, without the stride padding.</summary>
    internal ReadOnlySpan<byte> Row(int y) => Pixels.Slice(y * Stride, Width * BytesPerPixel);

    /// <summary>Bytes per pixel of <paramref name="format"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The format is not one of the defined values.</exception>
    public static int BytesPerPixelOf(PixelFormat format) => format switch
    {
        PixelFormat.Gray8 => 1,
        PixelFormat.Rgb24 => 3,
        PixelFormat.Rgba32 => 4,
        PixelFormat.Bgra32 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format,
            $"Unknown pixel format {(int)format}. Pass PixelFormat.Gray8, Rgb24, Rgba32 or Bgra32."),
    };

    private static int PackedStride(int width, PixelFormat format)
    {
        int bpp = BytesPerPixelOf(format);
        CheckWidth(width);
        long rowBytes = (long)width * bpp;
        if (rowBytes > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width,
                $"A row of {width} {format} pixels needs {rowBytes} bytes, more than a span can hold. Pass a smaller image.");
        }
        return (int)rowBytes;
    }

    private static void CheckWidth(int width)
    {
        if (width < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width,
                $"The width must be at least 1 pixel, but {width} was passed. Pass the number of pixels per row of the decoded image.");
        }
    }
}

using System.Buffers;
using Aknn.Embedded.Imaging;
using Microsoft.Win32.SafeHandles;
using SkiaSharp;

namespace ImageDedup.Decoding;

/// <summary>
/// Decodes images in-process with SkiaSharp (JPEG, PNG, WebP, GIF, BMP, ICO, WBMP, and HEIF/AVIF
/// where the platform's Skia build has a codec for them) into upright 8-bit RGBA pixels.
/// </summary>
/// <remarks>
/// <para>
/// The EXIF orientation (<see cref="SKCodec.EncodedOrigin"/>) is applied, so a photo and its
/// rotated-by-tag copy decode to the same pixels. Animations and multi-page files give their first
/// frame. No colour management is done (no ICC conversion), as with the hashes' reference tools.
/// </para>
/// <para>
/// With <see cref="MinimumSide"/> above 0, JPEGs are decoded at the smallest scale libjpeg-turbo
/// offers (1/8, 2/8, … 8/8 in each dimension, applied inside the inverse DCT, so the skipped
/// detail is never computed) whose shorter side is still at least that many pixels. The hashes
/// reduce every picture to 64×64 (PDQ) or 32×32 (pHash) anyway; decoding at a quarter of the size
/// costs about a quarter of the time. Formats without scaled decoding are decoded whole.
/// </para>
/// <para>
/// A file that is truncated (<see cref="SKCodecResult.IncompleteInput"/>) or damaged is never
/// hashed: <see cref="Decode(string)"/> throws <see cref="ImageDecodeException"/>, naming the problem,
/// even though Skia fills the missing rows with grey and could return a picture. Instances are
/// immutable and thread-safe.
/// </para>
/// </remarks>
public sealed class SkiaImageDecoder
{
    /// <summary>
    /// Largest picture decoded, in pixels after scaling (a guard against decompression bombs: a
    /// small file that claims a huge size); 200 megapixels take 800 MB as RGBA.
    /// </summary>
    public const long MaxPixels = 200_000_000;

    /// <summary>Creates a decoder.</summary>
    /// <param name="minimumSide">
    /// 0 to decode at full resolution; otherwise the shortest side, in pixels, that a scaled-down
    /// decode must keep (see the remarks).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minimumSide"/> is negative.</exception>
    public SkiaImageDecoder(int minimumSide = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumSide);
        MinimumSide = minimumSide;
    }

    /// <summary>The shortest side a scaled decode keeps; 0 for full resolution.</summary>
    public int MinimumSide { get; }

    /// <summary>Decodes the first frame of the image at <paramref name="path"/>.</summary>
    /// <param name="path">The image file.</param>
    /// <exception cref="ImageDecodeException">
    /// The file is not an image Skia can decode, is truncated or damaged, or is too large; the
    /// message says which.
    /// </exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public DecodedImage Decode(string path) => Decode(path, null);

    /// <summary>
    /// Decodes the first frame of the image at <paramref name="path"/>, taking the pixel buffer
    /// from <paramref name="pool"/> (and reading the file through a buffer rented from it), so that
    /// a scan of many files does not allocate two large arrays per file.
    /// </summary>
    /// <param name="path">The image file.</param>
    /// <param name="pool">
    /// Null to allocate; otherwise the pool the pixels come from. The returned
    /// <see cref="DecodedImage.Pixels"/> may then be longer than the picture; give it back with
    /// <c>pool.Return(image.Pixels)</c> once the image is no longer used.
    /// </param>
    /// <exception cref="ImageDecodeException">The file is not a decodable, complete image, or is too large; the message says why.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public DecodedImage Decode(string path, ArrayPool<byte>? pool)
    {
        if (pool is null) return Decode(File.ReadAllBytes(path));
        using SafeFileHandle handle = File.OpenHandle(path);
        long length = RandomAccess.GetLength(handle);
        if (length > int.MaxValue) throw new ImageDecodeException($"the file is {length:N0} bytes, over the 2 GB this program reads");
        byte[] buffer = pool.Rent((int)Math.Max(1, length));
        try
        {
            int read = 0;
            while (read < length)
            {
                int n = RandomAccess.Read(handle, buffer.AsSpan(read, (int)length - read), read);
                if (n == 0) break; // the file shrank while being read: decode what is there (it will be reported as truncated)
                read += n;
            }
            return Decode(buffer.AsSpan(0, read), pool);
        }
        finally
        {
            pool.Return(buffer);
        }
    }

    /// <summary>Decodes the first frame of an image held in memory.</summary>
    /// <param name="encoded">The file's bytes.</param>
    /// <exception cref="ImageDecodeException">The bytes are not a decodable, complete image; the message says why.</exception>
    public DecodedImage Decode(byte[] encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        return Decode(encoded, null);
    }

    private DecodedImage Decode(ReadOnlySpan<byte> encoded, ArrayPool<byte>? pool)
    {
        if (encoded.IsEmpty) throw new ImageDecodeException("the file is empty");
        // Skia keeps its own copy of the bytes; the stream and the codec hold references to it.
        using SKData data = SKData.CreateCopy(encoded);
        var stream = new SKMemoryStream(data);
        using SKCodec? codec = SKCodec.Create(stream, out SKCodecResult opened);
        if (codec is null)
        {
            stream.Dispose();
            throw new ImageDecodeException(opened switch
            {
                SKCodecResult.IncompleteInput => "the file ends before its image header does (truncated)",
                SKCodecResult.Unimplemented or SKCodecResult.InvalidInput or SKCodecResult.Success =>
                    "not an image format this build of SkiaSharp decodes (JPEG, PNG, WebP, GIF, BMP; HEIF/AVIF only where the platform provides a codec)",
                _ => $"the image header cannot be read ({Describe(opened)})",
            });
        }

        SKImageInfo full = codec.Info;
        if (full.Width < 1 || full.Height < 1) throw new ImageDecodeException($"the image claims a size of {full.Width}×{full.Height} pixels");
        SKSizeI size = ScaledSize(codec);
        if ((long)size.Width * size.Height > MaxPixels)
            throw new ImageDecodeException($"the image is {full.Width}×{full.Height} pixels, over the {MaxPixels / 1_000_000} megapixels this program decodes");

        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        // Every byte is written by the decoder, so the buffer need not be cleared first.
        int bytes = checked((int)info.BytesSize64);
        byte[] pixels = pool is null ? GC.AllocateUninitializedArray<byte>(bytes) : pool.Rent(bytes);
        SKCodecResult result;
        unsafe
        {
            fixed (byte* p = pixels) result = codec.GetPixels(info, (IntPtr)p, info.RowBytes, new SKCodecOptions(0));
        }
        if (result != SKCodecResult.Success)
        {
            pool?.Return(pixels);
            throw new ImageDecodeException(result == SKCodecResult.IncompleteInput
                ? "the file is truncated: the image data ends before the last row (a partial copy or an interrupted download)"
                : $"the image data cannot be decoded ({Describe(result)})");
        }

        SKEncodedOrigin origin = codec.EncodedOrigin;
        bool swaps = SwapsSides(origin);
        int sourceWidth = swaps ? full.Height : full.Width;
        int sourceHeight = swaps ? full.Width : full.Height;
        if (origin is SKEncodedOrigin.TopLeft)
            return new DecodedImage(pixels, size.Width, size.Height, PixelFormat.Rgba32, sourceWidth, sourceHeight);
        byte[] upright = Orient(pixels, size.Width, size.Height, origin, pool);
        pool?.Return(pixels);
        return swaps
            ? new DecodedImage(upright, size.Height, size.Width, PixelFormat.Rgba32, sourceWidth, sourceHeight)
            : new DecodedImage(upright, size.Width, size.Height, PixelFormat.Rgba32, sourceWidth, sourceHeight);
    }

    /// <summary>The decode size: full, or the smallest supported scale whose shorter side stays at least <see cref="MinimumSide"/>.</summary>
    private SKSizeI ScaledSize(SKCodec codec)
    {
        SKSizeI full = codec.Info.Size;
        if (MinimumSide == 0 || Math.Min(full.Width, full.Height) <= MinimumSide) return full;
        // libjpeg-turbo scales by k/8; asking Skia for each k in turn returns the sizes it supports
        // (other formats answer with the full size, which ends the search).
        for (int eighths = 1; eighths < 8; eighths++)
        {
            SKSizeI scaled = codec.GetScaledDimensions(eighths / 8f);
            if (scaled == full) return full;
            if (Math.Min(scaled.Width, scaled.Height) >= MinimumSide) return scaled;
        }
        return full;
    }

    private static bool SwapsSides(SKEncodedOrigin origin) =>
        origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    /// <summary>
    /// Turns stored pixels (<paramref name="w"/> × <paramref name="h"/>, RGBA) upright: each output
    /// pixel (x, y) reads the stored pixel the EXIF orientation maps it to.
    /// </summary>
    internal static byte[] Orient(byte[] stored, int w, int h, SKEncodedOrigin origin, ArrayPool<byte>? pool = null)
    {
        bool swaps = SwapsSides(origin);
        int outW = swaps ? h : w, outH = swaps ? w : h;
        byte[] output = pool is null ? new byte[w * h * 4] : pool.Rent(w * h * 4);
        ReadOnlySpan<uint> src = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(stored.AsSpan(0, w * h * 4));
        Span<uint> dst = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(output.AsSpan());
        for (int oy = 0; oy < outH; oy++)
        {
            for (int ox = 0; ox < outW; ox++)
            {
                (int sx, int sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (w - 1 - ox, oy),             // 2: mirrored left-right
                    SKEncodedOrigin.BottomRight => (w - 1 - ox, h - 1 - oy),  // 3: turned 180°
                    SKEncodedOrigin.BottomLeft => (ox, h - 1 - oy),           // 4: mirrored top-bottom
                    SKEncodedOrigin.LeftTop => (oy, ox),                      // 5: transposed
                    SKEncodedOrigin.RightTop => (oy, h - 1 - ox),             // 6: stored turned 90° anticlockwise; turn it clockwise
                    SKEncodedOrigin.RightBottom => (w - 1 - oy, h - 1 - ox),  // 7: transverse
                    SKEncodedOrigin.LeftBottom => (w - 1 - oy, ox),           // 8: stored turned 90° clockwise; turn it back
                    _ => (ox, oy),
                };
                dst[oy * outW + ox] = src[sy * w + sx];
            }
        }
        return output;
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.ErrorInInput => "the data is damaged",
        SKCodecResult.InvalidInput => "the data is not valid for its format",
        SKCodecResult.InvalidConversion => "its pixel format cannot be converted to 8-bit RGBA",
        SKCodecResult.Unimplemented => "a feature of the file is not supported by the decoder",
        _ => "Skia reports " + result,
    };
}

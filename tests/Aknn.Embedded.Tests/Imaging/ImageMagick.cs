using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Aknn.Embedded.Imaging;

namespace Aknn.Embedded.Tests.Imaging;

/// <summary>Decoded pixels owned by a test.</summary>
public sealed record DecodedImage(byte[] Pixels, int Width, int Height, PixelFormat Format)
{
    public PixelImage View() => new(Pixels, Width, Height, Format);
}

/// <summary>
/// Decodes test images with ImageMagick's <c>convert</c> (the same operations the Python reference
/// script applies), so the library is tested on exactly the pixels the reference values were made from.
/// </summary>
public static class ImageMagick
{
    private static readonly Lazy<string?> Missing = new(Probe);
    private static readonly Lazy<IReadOnlyDictionary<string, DecodedImage>> PdqImages = new(DecodePdqFolder);

    /// <summary>Null when ImageMagick works; otherwise why not, phrased as a skip reason.</summary>
    public static string? MissingReason => Missing.Value;

    /// <summary>The folder holding the PDQ reference data copied next to the test assembly.</summary>
    public static string PdqData => Path.Combine(AppContext.BaseDirectory, "TestData", "pdq");

    /// <summary>
    /// A picture of TestData/pdq by its path relative to that folder, e.g. "images/c.png". The whole
    /// folder is decoded once, by one <c>convert</c> process (starting ImageMagick costs more than
    /// decoding); tests share the pixels and must not change them.
    /// </summary>
    public static DecodedImage DecodePdq(string relativePath) => PdqImages.Value[relativePath];

    /// <summary>The first frame of each file, as 8-bit sRGB pixels, in the order given.</summary>
    public static IReadOnlyList<DecodedImage> Decode(IReadOnlyList<string> paths)
    {
        if (MissingReason is { } why) throw new InvalidOperationException(why);
        var args = paths.Select(p => p + "[0]").Concat(["-colorspace", "sRGB", "-depth", "8", "-type", "TrueColor", "ppm:-"]).ToArray();
        byte[] stream = Run(args);
        var images = new List<DecodedImage>();
        int pos = 0;
        foreach (string path in paths) images.Add(ParsePnm(stream, ref pos, path));
        if (pos != stream.Length) throw new InvalidDataException($"convert wrote {stream.Length - pos} bytes more than {paths.Count} images");
        return images;
    }

    private static IReadOnlyDictionary<string, DecodedImage> DecodePdqFolder()
    {
        var relative = new[] { "images", "bridge-mods" }
            .SelectMany(folder => Directory.GetFiles(Path.Combine(PdqData, folder)).Select(f => folder + "/" + Path.GetFileName(f)))
            .Order(StringComparer.Ordinal)
            .ToList();
        var decoded = Decode(relative.Select(r => Path.Combine(PdqData, r)).ToList());
        return relative.Zip(decoded).ToDictionary(p => p.First, p => p.Second);
    }

    /// <summary>Reads one binary PPM (P6) or PGM (P5) with a maximum value of 255 starting at <paramref name="pos"/>, and moves past it.</summary>
    public static DecodedImage ParsePnm(byte[] data, ref int pos, string what)
    {
        string magic = Token(data, ref pos, what);
        int width = int.Parse(Token(data, ref pos, what), System.Globalization.CultureInfo.InvariantCulture);
        int height = int.Parse(Token(data, ref pos, what), System.Globalization.CultureInfo.InvariantCulture);
        string max = Token(data, ref pos, what);
        pos++; // the single whitespace byte before the raster
        if (max != "255") throw new InvalidDataException($"{what}: maximum value {max}, expected 255");
        var format = magic switch
        {
            "P6" => PixelFormat.Rgb24,
            "P5" => PixelFormat.Gray8,
            _ => throw new InvalidDataException($"{what}: '{magic}' is not a binary PPM or PGM"),
        };
        int length = width * height * PixelImage.BytesPerPixelOf(format);
        if (data.Length - pos < length) throw new InvalidDataException($"{what}: the raster is truncated");
        var image = new DecodedImage(data.AsSpan(pos, length).ToArray(), width, height, format);
        pos += length;
        return image;
    }

    private static string Token(byte[] data, ref int pos, string what)
    {
        while (true)
        {
            while (pos < data.Length && char.IsWhiteSpace((char)data[pos])) pos++;
            if (pos < data.Length && data[pos] == '#')
            {
                while (pos < data.Length && data[pos] != '\n') pos++;
                continue;
            }
            break;
        }
        int start = pos;
        while (pos < data.Length && !char.IsWhiteSpace((char)data[pos])) pos++;
        if (pos == start) throw new InvalidDataException($"{what}: the PNM header ends early");
        return Encoding.ASCII.GetString(data, start, pos - start);
    }

    private static byte[] Run(params string[] args)
    {
        var psi = new ProcessStartInfo("convert")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("convert did not start");
        var errors = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"convert {string.Join(' ', args)} exited with {process.ExitCode}: {errors.Result}");
        }
        return output.ToArray();
    }

    private static string? Probe()
    {
        const string Install = "ImageMagick is not installed; install it with `apt-get install imagemagick` to run this test.";
        try
        {
            byte[] version = Run("-version");
            return Encoding.ASCII.GetString(version).Contains("ImageMagick", StringComparison.Ordinal) ? null : Install;
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            return Install;
        }
    }
}

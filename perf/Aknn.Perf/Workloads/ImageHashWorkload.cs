using System.Diagnostics;
using Aknn.Embedded.Imaging;
using SkiaSharp;

namespace Aknn.Perf.Workloads;

/// <summary>
/// Perceptual-hash throughput on one thread, from decoded pixels (decoding is not timed): pHash,
/// dHash, aHash, PDQ and PDQ with its 7 dihedral variants, on real photos of the PDQ reference data
/// decoded in-process by SkiaSharp and scaled to 1024×768 and to 512×512 (the size PDQ's reference
/// tools hash at) once at the start, or on synthetic pictures of the same sizes where the photos
/// are not found (a copy of the perf program without the repository beside it).
/// </summary>
internal static class ImageHashWorkload
{
    /// <summary>The photos used, relative to the tests' TestData/pdq folder.</summary>
    private static readonly string[] Photos = ["bridge-mods/aaa-orig.jpg", "images/c.png", "bridge-mods/high-contrast.jpg"];

    private const double RoundMs = 400;
    private const double WarmupMs = 1500;

    private delegate ulong Hasher(byte[] pixels, int width, int height);

    private static readonly (string Name, int Bits, Hasher Hash)[] Kinds =
    [
        ("phash", 64, (p, w, h) => PerceptualHash.PHash(new PixelImage(p, w, h, PixelFormat.Rgb24))),
        ("dhash", 64, (p, w, h) => PerceptualHash.DHash(new PixelImage(p, w, h, PixelFormat.Rgb24))),
        ("ahash", 64, (p, w, h) => PerceptualHash.AHash(new PixelImage(p, w, h, PixelFormat.Rgb24))),
        ("pdq", 256, (p, w, h) => PerceptualHash.Pdq(new PixelImage(p, w, h, PixelFormat.Rgb24)).ToWords()[0]),
        ("pdq_dihedral", 256, (p, w, h) => PerceptualHash.PdqDihedral(new PixelImage(p, w, h, PixelFormat.Rgb24))[7].ToWords()[0]),
    ];

    public static void Run(PerfContext ctx)
    {
        int rounds = ctx.RunsOr(5);
        foreach (var (width, height) in new[] { (1024, 768), (512, 512) })
        {
            var (images, source) = Load(width, height);
            Console.WriteLine($"imagehash: {images.Count} {source} pictures of {width}x{height} RGB, {rounds} rounds of ~{RoundMs} ms per hash kind, one thread");
            foreach (var (name, bits, hash) in Kinds)
            {
                ulong sink = 0;
                long warm = Stopwatch.GetTimestamp();
                int calls = 0;
                while (Stats.MsSince(warm) < WarmupMs || calls < 20)
                {
                    var (px, w, h) = images[calls++ % images.Count];
                    sink ^= hash(px, w, h);
                }
                double msPerCall = Stats.MsSince(warm) / calls;
                int perRound = Math.Max(images.Count, (int)(RoundMs / msPerCall) / images.Count * images.Count);

                var rates = new List<double>();
                var allocated = new List<double>();
                for (int round = 0; round < rounds; round++)
                {
                    Stats.Settle();
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    long start = Stopwatch.GetTimestamp();
                    for (int i = 0; i < perRound; i++)
                    {
                        var (px, w, h) = images[i % images.Count];
                        sink ^= hash(px, w, h);
                    }
                    double ms = Stats.MsSince(start);
                    rates.Add(perRound / (ms / 1000));
                    allocated.Add((double)(GC.GetAllocatedBytesForCurrentThread() - before) / perRound);
                }
                GC.KeepAlive(sink);
                double median = Stats.Median(rates);
                ctx.Printer.Emit(new ResultRow("aknn", "imagehash", perRound, bits)
                    .Add("hash", name).Add("width", width).Add("height", height).Add("source", source)
                    .Add("threads", 1)
                    .Add("hashes_per_s", median)
                    .Add("best_hashes_per_s", rates.Max())
                    .Add("ms_per_hash", 1000 / median)
                    .Add("allocated_per_hash", Stats.Median(allocated))
                    .Add("loadavg", Stats.LoadAverage()));
            }
        }
    }

    /// <summary>The test photos scaled to exactly width × height, or synthetic pictures where they are missing.</summary>
    private static (List<(byte[] Pixels, int Width, int Height)> Images, string Source) Load(int width, int height)
    {
        string folder = Path.Combine(RepositoryRoot(), "tests", "Aknn.Embedded.Tests", "TestData", "pdq");
        var images = new List<(byte[], int, int)>();
        try
        {
            foreach (string photo in Photos)
            {
                string path = Path.Combine(folder, photo);
                if (!File.Exists(path)) throw new FileNotFoundException(path);
                images.Add((DecodeScaled(path, width, height), width, height));
            }
            return (images, "photo");
        }
        catch (FileNotFoundException e)
        {
            ResultPrinter.Note($"photo not found ({e.Message}); hashing synthetic pictures instead (run from the repository for photos)");
            images.Clear();
            for (int seed = 0; seed < Photos.Length; seed++) images.Add((Synthetic(width, height, seed), width, height));
            return (images, "synthetic");
        }
    }

    /// <summary>
    /// The file decoded by SkiaSharp and scaled to exactly width × height (the aspect ratio is not
    /// kept, so that every picture of a round has the same size), as 8-bit RGB with alpha dropped.
    /// The photos used carry no EXIF orientation, so none is applied.
    /// </summary>
    private static byte[] DecodeScaled(string path, int width, int height)
    {
        using SKCodec codec = SKCodec.Create(path) ?? throw new InvalidOperationException($"{path}: SkiaSharp does not recognise this image format");
        var full = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var decoded = new SKBitmap(full);
        SKCodecResult result = codec.GetPixels(full, decoded.GetPixels());
        if (result != SKCodecResult.Success)
            throw new InvalidOperationException($"{path}: SkiaSharp could not decode it ({result})");
        using SKBitmap scaled = decoded.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKCubicResampler.Mitchell))
            ?? throw new InvalidOperationException($"{path}: could not be scaled to {width}x{height}");
        ReadOnlySpan<byte> rgba = scaled.GetPixelSpan();
        var rgb = new byte[width * height * 3];
        for (int i = 0, o = 0; o < rgb.Length; i += 4, o += 3)
        {
            rgb[o] = rgba[i];
            rgb[o + 1] = rgba[i + 1];
            rgb[o + 2] = rgba[i + 2];
        }
        return rgb;
    }

    /// <summary>Smooth shapes plus a little noise: detail at every scale, like a photo.</summary>
    private static byte[] Synthetic(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var px = new byte[width * height * 3];
        double fx = 3 + seed, fy = 2 + seed * 0.5;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double u = (double)x / width, v = (double)y / height;
                double s = Math.Sin(fx * Math.PI * u) * Math.Cos(fy * Math.PI * v) + 0.5 * Math.Sin(11 * u * v);
                int o = (y * width + x) * 3;
                for (int c = 0; c < 3; c++)
                    px[o + c] = (byte)Math.Clamp(128 + 90 * s + 20 * (c - 1) * u + rng.Next(-12, 13), 0, 255);
            }
        }
        return px;
    }

    /// <summary>The folder holding Aknn.Embedded.sln, found by walking up from the program and the current folder.</summary>
    private static string RepositoryRoot()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Aknn.Embedded.sln"))) return d.FullName;
        }
        return Directory.GetCurrentDirectory();
    }
}

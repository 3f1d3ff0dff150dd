using System.Globalization;
using ImageDedup.Hashing;
using ImageDedup.Scanning;

namespace ImageDedup.Evaluation;

/// <summary>
/// The maintainers' commands behind the figures in docs/benchmarks.md, reached as the first
/// argument of the program (<c>make-edit-set</c>, <c>make-photo-set</c>, <c>evaluate</c>,
/// <c>stages</c>); they are
/// not part of the user's command line.
/// </summary>
public static class EvaluationCommands
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Runs the command in <paramref name="args"/>[0] if it is one of these; returns null otherwise.</summary>
    /// <param name="args">The program's arguments.</param>
    /// <param name="output">Where results go.</param>
    public static async Task<int?> TryRunAsync(string[] args, TextWriter output)
    {
        if (args.Length == 0) return null;
        switch (args[0])
        {
            case "make-edit-set" when args.Length == 3:
            {
                // The originals are photo-sized tiles cut from the reference photos that are large
                // enough to be a dedup user's photos (c.png, 1432×812, and aaa-orig.jpg, 1600×1004):
                // a grid of distinct tiles of at least 320 pixels a side, nothing scaled up. The
                // 256×256 and smaller reference pictures are thumbnails, not photos (see docs/benchmarks.md).
                var photos = Directory.GetFiles(Path.Combine(args[1], "images"))
                    .Append(Path.Combine(args[1], "bridge-mods", "aaa-orig.jpg"))
                    .Order(StringComparer.Ordinal).ToList();
                string tiles = Path.Combine(Path.GetTempPath(), "imagededup-tiles-" + Guid.NewGuid().ToString("N"));
                try
                {
                    // Tiles of flat sky or wall have a PDQ quality below 50: they are flagged and link
                    // nothing by default, so they would test the quality gate, not the hash; left out.
                    var decoder = new Decoding.SkiaImageDecoder();
                    IReadOnlyList<string> cut = EditSet.CutTiles(photos, tiles);
                    var originals = cut.Where(t => ImageHasher.Compute(HashKind.Pdq, decoder.Decode(t)).Quality >= DedupSettings.MinimumQuality).ToList();
                    output.WriteLine($"{cut.Count} tiles, {cut.Count - originals.Count} of PDQ quality below {DedupSettings.MinimumQuality} left out");
                    int n = EditSet.Write(originals, args[2]);
                    output.WriteLine($"{n} files from {originals.Count} originals (tiles of at least {EditSet.TileMinimumSide} px) in {args[2]} (caption drawn {(EditSet.CaptionUsesFont() ? "with DejaVu Sans Bold" : "as a bar: no font found")})");
                }
                finally
                {
                    if (Directory.Exists(tiles)) Directory.Delete(tiles, recursive: true);
                }
                return 0;
            }
            case "make-thumbnail-edit-set" when args.Length == 3:
            {
                // The previous set: the reference pictures themselves whose PDQ quality is 50 or more
                // (small.jpg, q0003 and q0004 score 0 to 4), including the 256×256 thumbnails and wee.jpg (34×42).
                string[] skip = ["small.jpg", "q0003.jpg", "q0004.jpg"];
                var originals = Directory.GetFiles(Path.Combine(args[1], "images"))
                    .Where(p => !skip.Contains(Path.GetFileName(p)))
                    .Append(Path.Combine(args[1], "bridge-mods", "aaa-orig.jpg"))
                    .Order(StringComparer.Ordinal).ToList();
                int n = EditSet.Write(originals, args[2]);
                output.WriteLine($"{n} files from {originals.Count} originals in {args[2]}");
                return 0;
            }
            case "make-photo-set" when args.Length == 4:
            {
                int n = PhotoSet.Write(args[1], args[2], int.Parse(args[3], Invariant));
                output.WriteLine($"{n} JPEGs of 1-2 megapixels in {args[2]}");
                return 0;
            }
            case "evaluate" when args.Length >= 3:
            {
                HashKind hash = HashKinds.TryParse(args[2], out HashKind h) ? h : throw new ArgumentException("evaluate DIR pdq|phash [radius]");
                int? radius = args.Length > 3 ? int.Parse(args[3], Invariant) : null;
                string cache = Path.Combine(Path.GetTempPath(), "imagededup-evaluate-" + Guid.NewGuid().ToString("N"));
                try
                {
                    using DedupScanner scanner = DedupScanner.Open(new DedupSettings { Folder = args[1], IndexRoot = cache, Hash = hash, Radius = radius });
                    ScanSummary scan = await scanner.ScanAsync();
                    GroupingResult result = scanner.FindGroups();
                    var files = ImageFiles.Find(scanner.Folder, null, null, CancellationToken.None).Select(f => f.RelativePath).ToList();
                    EditSetScore score = EditSetEvaluation.Score(files, result.Groups);
                    output.WriteLine(string.Create(Invariant, $"{hash.Name()} radius {scanner.Radius}, {scanner.Regions.Count} codes per image: {score.Files} files, pair recall {score.PairRecall:0.000}, pair precision {score.PairPrecision:0.000} ({score.CorrectPairs}/{score.TruePairs} true pairs found, {score.FoundPairs} pairs grouped), {scan.Failures.Count} not hashed, {result.LowQuality.Count} low quality"));
                    foreach (var (edit, rate) in score.MissRateByEdit) output.WriteLine(string.Create(Invariant, $"  {edit,-16} miss rate {rate:0.00}"));
                    output.WriteLine(string.Create(Invariant, $"  scan {scan.Elapsed.TotalSeconds:0.00} s: {scan.HashedNow / scan.Elapsed.TotalSeconds:0} images/s; per image decode {scan.DecodeTime.TotalMilliseconds / Math.Max(1, scan.HashedNow):0.00} ms, hash {scan.HashTime.TotalMilliseconds / Math.Max(1, scan.HashedNow):0.00} ms (summed over workers)"));
                }
                finally
                {
                    if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
                }
                return 0;
            }
            case "stages" when args.Length is 2 or 3:
                Stages(args[1], args.Length == 3 ? int.Parse(args[2], Invariant) : DedupSettings.DefaultDecodeMinimumSide, output);
                return 0;
            case "decode-scales" when args.Length == 2:
                DecodeScales(args[1], output);
                return 0;
            default:
                return null;
        }
    }

    /// <summary>
    /// Times each step of hashing one file on one thread, over every JPEG in a folder, after a
    /// warm-up round: reading the file, decoding (scaled, as a scan does), the full-frame PDQ, the
    /// grey reduction and the ten crop hashes. The index and the reports are not included.
    /// </summary>
    private static void Stages(string folder, int minimumSide, TextWriter output)
    {
        var decoder = new Decoding.SkiaImageDecoder(minimumSide);
        var files = Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new ArgumentException($"No .jpg files in '{folder}'.");
        for (int round = 0; round < 2; round++)
        {
            long read = 0, decode = 0, full = 0, reduce = 0, crops = 0;
            foreach (string file in files)
            {
                long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                byte[] bytes = File.ReadAllBytes(file);
                long t1 = System.Diagnostics.Stopwatch.GetTimestamp();
                Decoding.DecodedImage image = decoder.Decode(bytes);
                long t2 = System.Diagnostics.Stopwatch.GetTimestamp();
                ImageHasher.Compute(HashKind.Pdq, image);
                long t3 = System.Diagnostics.Stopwatch.GetTimestamp();
                Decoding.DecodedImage grey = image.ReduceToGrey(ImageHasher.CropCanvasSide);
                long t4 = System.Diagnostics.Stopwatch.GetTimestamp();
                foreach (CropRegion region in CropRegions.Default.Skip(1)) ImageHasher.Compute(HashKind.Pdq, grey, region);
                long t5 = System.Diagnostics.Stopwatch.GetTimestamp();
                read += t1 - t0; decode += t2 - t1; full += t3 - t2; reduce += t4 - t3; crops += t5 - t4;
            }
            if (round == 0) continue; // the first round warms up the JIT and the file cache
            double ms = 1000.0 / System.Diagnostics.Stopwatch.Frequency / files.Count;
            double total = (read + decode + full + reduce + crops) * ms;
            output.WriteLine(string.Create(Invariant,
                $"{files.Count} files, ms per image on one thread: read {read * ms:0.00}, decode {decode * ms:0.00}, PDQ full frame {full * ms:0.00}, grey reduction {reduce * ms:0.00}, 10 crop PDQs {crops * ms:0.00}; total {total:0.00} ({1000 / total:0} images/s per core)"));
        }
    }

    /// <summary>
    /// Measures what scaled JPEG decoding does to PDQ: for every JPEG in a folder, the distance
    /// between the full-frame PDQ of a full-resolution decode and of decodes scaled to a shorter
    /// side of at least 256, 128 and 64 pixels (the smallest libjpeg-turbo scale that keeps it),
    /// with the decode time of each on one thread (after a warm-up pass).
    /// </summary>
    private static void DecodeScales(string folder, TextWriter output)
    {
        var files = Directory.GetFiles(folder, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new ArgumentException($"No .jpg files in '{folder}'.");
        int[] sides = [0, 256, 128, 64];
        var reference = new Dictionary<string, ulong[]>(StringComparer.Ordinal);
        foreach (int side in sides)
        {
            var decoder = new Decoding.SkiaImageDecoder(side);
            foreach (string file in files.Take(20)) decoder.Decode(File.ReadAllBytes(file)); // warm-up
            var distances = new List<int>();
            long ticks = 0;
            var sizes = new List<int>();
            foreach (string file in files)
            {
                byte[] bytes = File.ReadAllBytes(file);
                long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                Decoding.DecodedImage image = decoder.Decode(bytes);
                ticks += System.Diagnostics.Stopwatch.GetTimestamp() - t0;
                sizes.Add(Math.Min(image.Width, image.Height));
                ulong[] code = ImageHasher.Compute(HashKind.Pdq, image).Code;
                if (side == 0) { reference[file] = code; continue; }
                ulong[] full = reference[file];
                int d = 0;
                for (int i = 0; i < code.Length; i++) d += System.Numerics.BitOperations.PopCount(code[i] ^ full[i]);
                distances.Add(d);
            }
            double ms = ticks * 1000.0 / System.Diagnostics.Stopwatch.Frequency / files.Count;
            sizes.Sort();
            string moved = distances.Count == 0 ? "reference" : string.Create(Invariant,
                $"PDQ distance to full resolution: median {Percentile(distances, 0.5)}, 90th percentile {Percentile(distances, 0.9)}, max {distances.Max()}");
            output.WriteLine(string.Create(Invariant, $"shorter side >= {side} (0 = full; median decoded shorter side {sizes[sizes.Count / 2]}): decode {ms:0.00} ms per image; {moved}"));
        }
    }

    private static int Percentile(List<int> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
    }
}

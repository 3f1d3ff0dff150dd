using System.Diagnostics;
using CommunityToolkit.HighPerformance;

namespace Aknn.Embedded;

/// <summary>
/// Chooses LSH tables, bits, candidates and probes by measurement: indexes a sample, runs held-out
/// sample queries through every configuration, measures recall@K against brute force and the
/// latency of each search, and returns the fastest configuration that meets the target recall
/// together with the measured frontier.
/// </summary>
/// <remarks>
/// Trials build real indexes (with <see cref="VectorIndex.BulkLoad"/>) in a temporary folder that
/// is deleted afterwards, and time real searches on one thread, so the figures include everything
/// a search costs. The best bits per table grow with the number of rows (about log2 of the rows
/// per bucket you want): tune on a sample close to the size you will index, or re-check the
/// chosen configuration on the full index.
/// </remarks>
public static class LshTuner
{
    /// <summary>Tunes for float vectors: <paramref name="sample"/> rows are split into held-out queries and indexed rows.</summary>
    /// <param name="sample">Representative vectors, one per row (at least <see cref="LshTuningOptions.Queries"/> + K rows), finite.</param>
    /// <param name="metric">The metric the index will use (not Hamming: use <see cref="TuneCodes"/>).</param>
    /// <param name="options">Target, K and the grid; null for the defaults.</param>
    /// <param name="progress">Receives progress; may be null.</param>
    /// <param name="cancellationToken">Cancels the tuning.</param>
    /// <exception cref="ArgumentException">The sample is too small, the metric is Hamming, or an option is out of range.</exception>
    /// <exception cref="OperationCanceledException">The tuning was cancelled.</exception>
    public static LshTuning Tune(ReadOnlySpan2D<float> sample, Metric metric, LshTuningOptions? options = null,
        IProgress<LshTuningProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (metric == Metric.Hamming)
            throw new ArgumentException("Binary codes are tuned with LshTuner.TuneCodes.", nameof(metric));
        var flat = new float[sample.Height * sample.Width];
        sample.CopyTo(flat);
        return Run(new Rows(metric, sample.Width, sample.Height, flat, null), options ?? new LshTuningOptions(), progress, cancellationToken);
    }

    /// <summary>Tunes bit sampling for binary codes (Hamming): <paramref name="sample"/> rows are split into held-out queries and indexed rows.</summary>
    /// <param name="sample">Representative codes, one per row of bits/64 words (bits a multiple of 64).</param>
    /// <param name="options">Target, K and the grid; null for the defaults.</param>
    /// <param name="progress">Receives progress; may be null.</param>
    /// <param name="cancellationToken">Cancels the tuning.</param>
    /// <exception cref="ArgumentException">The sample is too small or an option is out of range.</exception>
    /// <exception cref="OperationCanceledException">The tuning was cancelled.</exception>
    public static LshTuning TuneCodes(ReadOnlySpan2D<ulong> sample, LshTuningOptions? options = null,
        IProgress<LshTuningProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var flat = new ulong[sample.Height * sample.Width];
        sample.CopyTo(flat);
        return Run(new Rows(Metric.Hamming, sample.Width * 64, sample.Height, null, flat), options ?? new LshTuningOptions(), progress, cancellationToken);
    }

    /// <summary>Tunes for the vectors (or codes) already stored in <paramref name="index"/>: a sample of them is copied out and measured.</summary>
    /// <param name="index">An index holding representative data (its own model does not matter).</param>
    /// <param name="options">Target, K and the grid; null for the defaults.</param>
    /// <param name="progress">Receives progress; may be null.</param>
    /// <param name="cancellationToken">Cancels the tuning.</param>
    /// <exception cref="ArgumentException">The index holds too few rows or an option is out of range.</exception>
    /// <exception cref="OperationCanceledException">The tuning was cancelled.</exception>
    public static LshTuning Tune(VectorIndex index, LshTuningOptions? options = null,
        IProgress<LshTuningProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        options ??= new LshTuningOptions();
        byte[][] rows = index.SampleLiveRows(options.MaxIndexedRows + options.Queries);
        int rowBytes = Storage.IndexEngine.RowBytesOf(index.Metric, index.Dimensions);
        var bytes = new byte[rows.Length * rowBytes];
        for (int i = 0; i < rows.Length; i++) rows[i].CopyTo(bytes, i * rowBytes);
        return index.Metric == Metric.Hamming
            ? Run(new Rows(Metric.Hamming, index.Dimensions, rows.Length, null, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bytes).ToArray()), options, progress, cancellationToken)
            : Run(new Rows(index.Metric, index.Dimensions, rows.Length, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray(), null), options, progress, cancellationToken);
    }

    /// <summary>The sample: float rows or code rows (<see cref="Width"/> floats or words each).</summary>
    private sealed record Rows(Metric Metric, int Dimensions, int Count, float[]? Floats, ulong[]? Codes)
    {
        public int Width => Floats is not null ? Dimensions : Dimensions / 64;
    }

    private static LshTuning Run(Rows sample, LshTuningOptions o, IProgress<LshTuningProgress>? progress, CancellationToken cancel)
    {
        if (o.K < 1 || o.K > SearchOptions.MaxK) throw new ArgumentOutOfRangeException(nameof(o.K), o.K, "K must lie between 1 and 100,000.");
        if (!(o.TargetRecall is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(o.TargetRecall), o.TargetRecall, "The target recall lies in (0, 1].");
        if (o.Queries < 1) throw new ArgumentOutOfRangeException(nameof(o.Queries), o.Queries, "At least one held-out query is needed.");
        if (o.MaxIndexedRows < 1) throw new ArgumentOutOfRangeException(nameof(o.MaxIndexedRows), o.MaxIndexedRows, "At least one row must be indexed.");
        if (sample.Count < o.Queries + o.K)
            throw new ArgumentException($"The sample has {sample.Count} rows; tuning needs at least Queries + K = {o.Queries + o.K} (held-out queries plus rows to find). Pass more rows or lower LshTuningOptions.Queries.");

        // Held-out queries and indexed rows: a seeded shuffle, so the split does not follow the sample's order.
        var order = Enumerable.Range(0, sample.Count).ToArray();
        new Random(o.Seed).Shuffle(order);
        int[] queryRows = order[..o.Queries];
        int[] indexedRows = order[o.Queries..Math.Min(order.Length, o.Queries + o.MaxIndexedRows)];
        string root = Path.Combine(Path.GetTempPath(), "aknn-tune-" + Guid.NewGuid().ToString("N"));
        try
        {
            progress?.Report(new LshTuningProgress(0, 0, "ground truth"));
            var (truth, exactMs, kthDistance) = GroundTruth(sample, queryRows, indexedRows, o.K, Path.Combine(root, "exact"), cancel);
            IReadOnlyList<IndexModel> models = o.Models ?? DefaultModels(sample.Metric, sample.Dimensions, indexedRows.Length, kthDistance);
            IReadOnlyList<int> budgets = o.CandidateCounts ?? [2 * o.K, 5 * o.K, 10 * o.K, 20 * o.K, 50 * o.K, 100 * o.K, 200 * o.K];
            var trials = new List<LshTrial>();
            int total = models.Sum(m => ProbesFor(m, o).Count) * budgets.Count, done = 0;
            for (int mi = 0; mi < models.Count; mi++)
            {
                cancel.ThrowIfCancellationRequested();
                IndexModel model = models[mi];
                progress?.Report(new LshTuningProgress(done, total, "building"));
                string folder = Path.Combine(root, "m" + mi);
                long start = Stopwatch.GetTimestamp();
                using var index = Build(sample, indexedRows, model, folder, cancel);
                double buildRate = indexedRows.Length / Math.Max(1e-9, Stopwatch.GetElapsedTime(start).TotalSeconds);
                foreach (int probes in ProbesFor(model, o))
                {
                    foreach (int candidates in budgets)
                    {
                        cancel.ThrowIfCancellationRequested();
                        if (candidates < o.K) continue;
                        progress?.Report(new LshTuningProgress(done, total, "measuring"));
                        trials.Add(Measure(index, sample, queryRows, truth, new SearchOptions { K = o.K, Candidates = candidates, Probes = probes }, model, buildRate));
                        done++;
                    }
                }
            }
            progress?.Report(new LshTuningProgress(done, total, "done"));
            var frontier = Frontier(trials);
            LshTrial? best = trials.Where(t => t.Recall >= o.TargetRecall).OrderBy(t => t.MedianMilliseconds).FirstOrDefault();
            return new LshTuning(trials, frontier, best, indexedRows.Length, queryRows.Length, exactMs);
        }
        finally
        {
            try { if (Directory.Exists(root)) Directory.Delete(root, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Trials that no other trial beats on both recall and median latency, fastest first.</summary>
    internal static List<LshTrial> Frontier(IEnumerable<LshTrial> trials)
    {
        var frontier = new List<LshTrial>();
        foreach (var t in trials.OrderBy(t => t.MedianMilliseconds).ThenByDescending(t => t.Recall))
            if (frontier.Count == 0 || t.Recall > frontier[^1].Recall) frontier.Add(t);
        return frontier;
    }

    private static IReadOnlyList<int> ProbesFor(IndexModel m, LshTuningOptions o) =>
        o.ProbeCounts ?? (m.Family == LshFamily.StableDistribution ? [0, m.Tables, 4 * m.Tables] : [0]);

    /// <summary>
    /// A grid around the usual choices: tables 8 to 32; bits around log2 of the rows (so buckets hold
    /// tens to hundreds of rows); for stable-distribution models, widths of one to four times the
    /// typical distance of the K-th neighbour; for cosine and dot product at
    /// <see cref="SignCodeMinDimensions"/> dimensions or more, sign codes of about one and two bits
    /// per dimension (bucket tables lose recall there: see docs/benchmarks.md, issue 12).
    /// </summary>
    internal static List<IndexModel> DefaultModels(Metric metric, int dimensions, int rows, double kthDistance)
    {
        int log = Math.Max(4, (int)Math.Round(Math.Log2(Math.Max(rows, 16))));
        int[] tables = [8, 16, 32];
        int[] bits = [Math.Clamp(log - 6, 2, 32), Math.Clamp(log - 3, 2, 32), Math.Clamp(log, 2, 32)];
        var models = new List<IndexModel>();
        foreach (int l in tables)
        {
            foreach (int k in bits.Distinct())
            {
                switch (metric)
                {
                    case Metric.Cosine or Metric.DotProduct:
                        models.Add(IndexModel.RandomHyperplanes(l, k));
                        break;
                    case Metric.Hamming:
                        models.Add(IndexModel.BitSampling(l, Math.Min(k, dimensions)));
                        break;
                    default:
                        models.Add(IndexModel.BisectingHyperplanes(l, k, fitRows: Math.Min(rows, IndexModel.DefaultFitRows)));
                        break;
                }
            }
            if (metric is Metric.Euclidean or Metric.Manhattan && kthDistance > 0)
            {
                // Stable hashes: fewer per table than bits (each splits space into many buckets, not two).
                foreach (int k in new[] { Math.Max(1, log / 4), Math.Max(2, log / 2) }.Distinct())
                    foreach (double scale in new[] { 1.0, 2.0, 4.0 })
                        models.Add(IndexModel.StableDistribution(l, k, (float)(kthDistance * scale)));
            }
        }
        if (metric is Metric.Cosine or Metric.DotProduct && dimensions >= SignCodeMinDimensions)
            foreach (int b in SignCodeBits(dimensions)) models.Add(IndexModel.SignCodes(b));
        return models;
    }

    /// <summary>Fewest dimensions at which the default grid includes sign codes.</summary>
    internal const int SignCodeMinDimensions = 128;

    /// <summary>Code lengths of about one and two bits per dimension: multiples of 8, at most <see cref="IndexModel.SignCodes(int, int?)"/>'s 2,040.</summary>
    internal static int[] SignCodeBits(int dimensions) =>
        new[] { dimensions, 2 * dimensions }.Select(IndexModel.SignCodeBitsNear).Distinct().ToArray();

    private static VectorIndex Build(Rows sample, int[] rows, IndexModel model, string folder, CancellationToken cancel)
    {
        var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = sample.Dimensions, Metric = sample.Metric, Model = model, Durability = Durability.Manual });
        try
        {
            string[] ids = rows.Select(r => r.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            int w = sample.Width;
            if (sample.Floats is { } f)
            {
                var data = new float[rows.Length * w];
                for (int i = 0; i < rows.Length; i++) f.AsSpan(rows[i] * w, w).CopyTo(data.AsSpan(i * w));
                index.BulkLoad(ids, new ReadOnlySpan2D<float>(data, rows.Length, w), cancellationToken: cancel);
            }
            else
            {
                var data = new ulong[rows.Length * w];
                for (int i = 0; i < rows.Length; i++) sample.Codes!.AsSpan(rows[i] * w, w).CopyTo(data.AsSpan(i * w));
                index.BulkLoadCodes(ids, new ReadOnlySpan2D<ulong>(data, rows.Length, w), cancellationToken: cancel);
            }
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    private static SearchResults Search(VectorIndex index, Rows sample, int row, SearchOptions options) => sample.Floats is { } f
        ? index.Search(f.AsSpan(row * sample.Width, sample.Width), options)
        : index.SearchCode(sample.Codes.AsSpan(row * sample.Width, sample.Width), options);

    /// <summary>The exact K nearest indexed rows of each query, the exact search's median latency, and the median K-th distance.</summary>
    private static (HashSet<string>[] Truth, double MedianMs, double KthDistance) GroundTruth(Rows sample, int[] queries, int[] rows, int k, string folder, CancellationToken cancel)
    {
        using var exact = Build(sample, rows, IndexModel.Exact, folder, cancel);
        var truth = new HashSet<string>[queries.Length];
        var ms = new double[queries.Length];
        var kth = new List<double>();
        for (int i = 0; i < queries.Length; i++)
        {
            cancel.ThrowIfCancellationRequested();
            long t = Stopwatch.GetTimestamp();
            var hits = Search(exact, sample, queries[i], new SearchOptions { K = k });
            ms[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            truth[i] = hits.Select(h => h.Id).ToHashSet(StringComparer.Ordinal);
            if (hits.Count > 0) kth.Add(hits[^1].Distance);
        }
        return (truth, Median(ms), kth.Count > 0 ? Median([.. kth]) : 0);
    }

    private static LshTrial Measure(VectorIndex index, Rows sample, int[] queries, HashSet<string>[] truth, SearchOptions options, IndexModel model, double buildRate)
    {
        // One untimed pass warms the caches and the code; the timed pass follows.
        foreach (int q in queries.Take(Math.Min(20, queries.Length))) Search(index, sample, q, options);
        var ms = new double[queries.Length];
        double recall = 0, examined = 0;
        for (int i = 0; i < queries.Length; i++)
        {
            long t = Stopwatch.GetTimestamp();
            var hits = Search(index, sample, queries[i], options);
            ms[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            int found = hits.Count(h => truth[i].Contains(h.Id));
            recall += truth[i].Count == 0 ? 1 : found / (double)truth[i].Count;
            examined += hits.CandidatesExamined;
        }
        Array.Sort(ms);
        return new LshTrial(model, options.Candidates!.Value, options.Probes!.Value, recall / queries.Length, Median(ms),
            ms[Math.Min(ms.Length - 1, (int)Math.Ceiling(ms.Length * 0.99) - 1)], examined / queries.Length, buildRate);
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}

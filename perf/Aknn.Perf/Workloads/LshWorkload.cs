using System.Diagnostics;
using System.Globalization;
using Aknn.Embedded;
using Aknn.Perf.Data;
using Aknn.Perf.Peers;
using CommunityToolkit.HighPerformance;

namespace Aknn.Perf.Workloads;

/// <summary>
/// Approximate K=10 Euclidean (or, with <c>--metric cosine</c>, cosine on the normalised variant of
/// the data) search by locality-sensitive hashing, one query per call on one thread, side by side
/// with hnswlib (HNSW graph) and FAISS IndexLSH on the same seeded clustered data and ground truth
/// (default 1,000,000 × 25, the scale of EsAknn's published table, and 1,000 queries; the issues
/// also ask for 200,000 × 128 and 200,000 × 768 cosine). The aknn indexes stay open across
/// <c>--runs</c> rounds (default 3); each round measures every aknn setting once and then runs the
/// hnswlib peer, so the two alternate, and the QPS ratio is the median of the per-round ratios.
/// <para>
/// For each LSH model of the sweep (see <see cref="DefaultSweep"/>, or <c>--lsh-config</c>), an index
/// is created in a temporary folder and filled by <see cref="VectorIndex.BulkLoad"/>: the build time,
/// hashing included, gives <c>vectors_per_s</c>. Then every (candidates, probes) setting of that
/// model runs all queries after a warm-up: <c>recall</c> is mean recall@10 against the cached
/// brute-force ground truth (ties with the 10th true distance count; <c>recall_strict</c> does not),
/// <c>p50_ms</c>/<c>p99_ms</c> are per-call latency percentiles, <c>qps</c> is queries over the
/// whole timed loop, and <c>candidates</c> is the mean <see cref="SearchResults.CandidatesExamined"/>
/// (rows whose exact distance was computed; <c>budget</c> is the <see cref="SearchOptions.Candidates"/> asked for).
/// </para>
/// <para>
/// <c>--peers</c> runs <c>peers/hnsw_peer.py</c> (M=16, efConstruction=200, built with 2 threads,
/// ef swept) and <c>peers/faiss_lsh_peer.py</c> (IndexLSH at 64 to 512 bits, plain and re-ranked)
/// on the same files. At the end a table compares all systems and, for each aknn configuration
/// that reaches recall 0.9, its QPS is divided by hnswlib's QPS at the same recall (see
/// <see cref="HnswQpsAt"/>) and its build speed by hnswlib's (targets: QPS ratio ≥ 1, build ratio
/// ≥ 50). <c>--tune</c> first runs <see cref="LshTuner"/> on a sample and prints its frontier.
/// Every RESULT line of the run is also written to <c>results/lsh-n{N}-d{D}-s{seed}.csv</c> under
/// the data folder, for <c>perf/plot_lsh.py</c>.
/// </para>
/// </summary>
internal static class LshWorkload
{
    // =============================================================================================
    // THE AKNN CONFIGURATIONS SWEPT BY DEFAULT: the one place to change them once LSH is tuned.
    // Each model is built once; each of its (candidates, probes) pairs is then measured.
    // =============================================================================================

    /// <summary>Candidate budgets (<see cref="SearchOptions.Candidates"/>, EsAknn's k1) tried with every model.</summary>
    private static readonly int[] CandidateSweep = [50, 100, 200, 400, 800, 1600];

    /// <summary>
    /// The models of the default sweep for <paramref name="n"/> rows of <paramref name="dim"/>
    /// dimensions under <paramref name="metric"/>. <paramref name="nearDistance"/> is the median
    /// distance from a query to its 10th true neighbour, the scale the stable family's bucket width
    /// is set from.
    /// </summary>
    private static List<LshSpec> DefaultSweep(int n, int dim, double nearDistance, Metric metric)
    {
        int?[] noProbes = [null];
        if (metric == Metric.Cosine)
        {
            // Unit-length data: sign codes of about one and two bits per dimension, ranked by Hamming
            // distance and re-ranked exactly (issue 12), and one bucket-table model for comparison.
            int oneBit = Math.Clamp((dim + 7) / 8 * 8, 64, IndexModel.MaxTables * 8), twoBits = Math.Min(2 * oneBit, IndexModel.MaxTables * 8);
            return
            [
                new LshSpec(LshSpec.SignCodes, Tables: oneBit / 8, Bits: 8, 0, 0, Boxed([100, 200, 400, 800]), noProbes),
                new LshSpec(LshSpec.SignCodes, Tables: twoBits / 8, Bits: 8, 0, 0, Boxed([100, 200, 400]), noProbes),
                new LshSpec(LshSpec.Hyperplanes, Tables: 32, Bits: 12, 0, 0, Boxed([1000, 2000]), Boxed([128])),
            ];
        }
        // Bits per table so that a table has about n / 64 buckets (14 bits at 1M, 12 at 200k).
        int bits = Math.Clamp((int)Math.Round(Math.Log2(n)) - 6, 4, IndexModel.MaxBitsPerTable - 4);
        // On this clustered data the stable-distribution family with multi-probe is the fastest at
        // recall 0.9 (measured 2026-11-22, docs/benchmarks.md); one bisecting model (EsAknn's) is kept
        // for comparison: its planes mostly separate clusters, so its buckets are whole clusters.
        return
        [
            new LshSpec(LshSpec.Bisecting, Tables: 32, Bits: bits + 2, 0, IndexModel.DefaultFitRows, Boxed([100, 400, 1600]), noProbes),
            new LshSpec(LshSpec.Stable, Tables: 16, Bits: 12, (float)(6 * nearDistance), 0, Boxed([400, 800, 1200, 1600]), Boxed([64, 192, 400])),
            new LshSpec(LshSpec.Stable, Tables: 32, Bits: 10, (float)(5 * nearDistance), 0, Boxed([200, 400, 800, 1600]), Boxed([0, 32, 96, 192])),
        ];
    }

    // =============================================================================================

    private const int Warmup = 20;

    /// <summary>The first setting of each index warms up at least this long, so that the JIT's optimised tier is in place.</summary>
    private const double WarmupMs = 1500;

    /// <summary>Recall the issue's targets are stated at.</summary>
    private const double TargetRecall = 0.9;

    /// <summary>The issue's second recall level.</summary>
    private const double HighRecall = 0.95;

    /// <summary>How many times faster than hnswlib's the build must be.</summary>
    private const double TargetBuildRatio = 50;

    private const string Workload = "lsh";

    /// <summary>The peers' system names, as their RESULT lines give them.</summary>
    private const string Hnswlib = "hnswlib", FaissLsh = "faiss-lsh";

    public static void Run(PerfContext ctx)
    {
        int n = ctx.Options.N ?? 1_000_000;
        int dim = ctx.Options.Dim ?? 25;
        int q = ctx.Options.QueryCount ?? 1000;
        Metric metric = ctx.Options.Metric == "cosine" ? Metric.Cosine : Metric.Euclidean;
        string family = ctx.Options.Config ?? "all";
        if (family is not ("all" or "bisecting" or "stable" or "hyperplanes" or "signcodes" or "none"))
            throw new UsageException($"lsh: --config is all, bisecting, stable, hyperplanes, signcodes or none (the peers only), not '{family}'.");
        foreach (string peer in ctx.Options.PeerNames)
            if (peer is not (Hnswlib or FaissLsh)) throw new UsageException($"lsh: --peer is {Hnswlib} or {FaissLsh}, not '{peer}'.");
        bool RunsPeer(string name) => ctx.Options.Peers && (ctx.Options.PeerNames.Count == 0 || ctx.Options.PeerNames.Contains(name));

        foreach (string config in ctx.Options.LshConfigs) LshSpec.Parse(config, n, 1); // report mistakes before making data

        float[] rows = ctx.Store.Base(n, dim);
        float[] queries = ctx.Store.Queries(q, dim);
        // On the unit-length (cosine) data, Euclidean order is cosine order, so one ground truth serves both.
        int[] truth = ctx.Store.Truth(n, dim, rows, queries);
        double near = NearDistance(rows, queries, truth, dim);
        List<LshSpec> specs = ctx.Options.LshConfigs.Count > 0
            ? ctx.Options.LshConfigs.Select(c => LshSpec.Parse(c, n, near)).ToList()
            : DefaultSweep(n, dim, near, metric).Where(s => family == "all" || s.Family == family).ToList();
        int settings = specs.Sum(s => s.Candidates.Count * s.Probes.Count);
        int rounds = ctx.RunsOr(3);
        Console.WriteLine($"lsh: {n:N0} x {dim}, {q} queries, K={DataStore.K}, {metric}{(ctx.Store.Unit ? " on unit-length data" : "")}; median distance to the 10th neighbour {near:G4}; " +
                          $"{specs.Count} aknn models, {settings} settings, {rounds} rounds{(RunsPeer(Hnswlib) ? "; hnswlib alternating with aknn, every round" : "")}{(RunsPeer(FaissLsh) ? "; faiss-lsh once" : "")}");
        ctx.Printer.Emit(new ResultRow("machine", Workload, n, dim)
            .Add("cores", Environment.ProcessorCount).Add("loadavg", Stats.LoadAverage()).Add("near_distance", near).Add("metric", metric.ToString()));

        if (ctx.Options.Tune) Tune(ctx, rows, n, dim, metric);

        string[] files =
        [
            "--base", ctx.Store.BasePath(n, dim), "--queries", ctx.Store.QueryPath(q, dim), "--truth", ctx.Store.TruthPath(n, q, dim),
            "--k", DataStore.K.ToString(CultureInfo.InvariantCulture),
        ];
        // The graph is kept and reused by later runs (delete the .bin file to build and time it again).
        string[] hnswArgs = [.. files, "--space", metric == Metric.Cosine ? "cosine" : "l2", "--cache", ctx.Store.IndexPath("hnsw-M16-efc200", n, dim) + ".bin"];

        var aknn = new List<ResultRow>();
        var aknnRounds = new List<double[]>(); // per aknn row: its QPS in each round
        var hnswRounds = new List<List<ResultRow>>();
        var built = new List<Built>();
        try
        {
            string[] ids = specs.Count > 0 ? InsertWorkload.MakeIds(n) : [];
            foreach (LshSpec spec in specs)
                if (Build(ctx, spec, ids, rows, n, dim, metric) is { } b) built.Add(b);
            var measured = built.SelectMany(b => b.Spec.Candidates.SelectMany(c => b.Spec.Probes.Select(p => new Setting(b, c, p)))).ToList();
            // The peak resident memory reported is that of the search phase: the builds' temporary
            // arrays are collected and the kernel's high-water mark set back to the current size.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            bool peakReset = ProcessMemory.ResetPeak();
            // Rounds alternate aknn and hnswlib, so a noisy moment on the shared machine hits one round
            // of each rather than all of one system; the ratios are taken round by round.
            for (int round = 0; round < rounds; round++)
            {
                foreach (Setting setting in measured.ToList())
                    if (!MeasureOnce(setting, queries, dim, round == 0)) measured.Remove(setting);
                if (RunsPeer(Hnswlib))
                {
                    var rowsOfRound = PythonPeer.Run(ctx, Hnswlib, "hnsw_peer.py", "lsh", hnswArgs);
                    foreach (ResultRow r in rowsOfRound) r.Add("round", round);
                    hnswRounds.Add(rowsOfRound);
                }
            }
            double peakMb = ProcessMemory.PeakMb(), rssMb = ProcessMemory.CurrentMb();
            // What a second thread could give at all under the machine's current load.
            double cpuScaling = measured.Count > 0 ? CpuScaling.TwoThreadRatio() : double.NaN;
            ResultPrinter.Note($"a pure arithmetic loop on two threads: {cpuScaling:F2} x one thread (the ceiling for two_thread_ratio right now)");
            ResultPrinter.Note($"aknn search phase: peak resident {peakMb:F0} MiB{(peakReset ? "" : " (since the process began: the peak could not be reset)")}, now {rssMb:F0} MiB, " +
                $"with {built.Count} index(es) open and the data set ({(long)rows.Length * 4 / (1 << 20):N0} MiB of base vectors) in memory");
            foreach (Setting setting in measured.Where(m => m.Qps.Count > 0))
            {
                aknn.Add(ctx.Printer.Emit(setting.Result(ctx, truth, rows, queries, n, dim).Add("peak_rss_mb", peakMb).Add("peak_rss_scope", peakReset ? "search" : "process").Add("indexes_open", built.Count)
                    .Add("cpu_two_thread_ratio", cpuScaling)));
                aknnRounds.Add([.. setting.Qps]);
            }
        }
        finally
        {
            foreach (Built b in built) b.Dispose();
        }

        List<ResultRow> faissLsh = [];
        if (RunsPeer(FaissLsh))
            faissLsh = PythonPeer.Run(ctx, "faiss", "faiss_lsh_peer.py", "lsh", files, new Dictionary<string, string> { ["OPENBLAS_NUM_THREADS"] = "1" });

        if (!RunsPeer(Hnswlib) && aknn.Count > 0)
        {
            // Without --peers, compare with the hnswlib figures an earlier --peers run stored.
            var stored = Stored(ctx, n, dim).Where(r => r.System == Hnswlib).ToList();
            if (stored.Count > 0)
            {
                ResultPrinter.Note($"hnswlib figures from {ResultsPath(ctx, n, dim)} (measured {stored[0].Get("date")}; --peers measures them again, alternating)");
                foreach (var group in stored.GroupBy(r => r.Get("round") ?? "0")) hnswRounds.Add(group.ToList());
            }
        }
        Compare(ctx, n, dim, aknn, aknnRounds, hnswRounds, faissLsh);
        Save(ctx, n, dim);
    }

    /// <summary>One built aknn index of the sweep, kept open across the rounds.</summary>
    private sealed class Built(LshSpec spec, VectorIndex index, string folder, double buildS, long bytes) : IDisposable
    {
        public LshSpec Spec { get; } = spec;
        public VectorIndex Index { get; } = index;
        public double BuildS { get; } = buildS;

        /// <summary>The index folder's size on disk right after the build.</summary>
        public long Bytes { get; } = bytes;

        /// <summary>Whether the JIT warm-up of this index has run.</summary>
        public bool Warm { get; set; }

        public void Dispose()
        {
            Index.Dispose();
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>One (candidates, probes) setting of a built index and what its rounds measured.</summary>
    private sealed class Setting(Built built, int? candidates, int? probes)
    {
        public Built Built { get; } = built;
        public List<double> Qps { get; } = [];

        /// <summary>QPS of two threads searching the same index at once, per round.</summary>
        public List<double> Qps2 { get; } = [];
        public List<double> P50 { get; } = [];
        public List<double> P99 { get; } = [];
        public SearchOptions Options { get; } = new() { K = DataStore.K, Candidates = candidates, Probes = probes, Exact = built.Spec.ExactSearch };
        public int[][] Found { get; set; } = [];
        public long Examined { get; set; }
        public long Approximate { get; set; }

        /// <summary>Microseconds per query of each search stage, from an untimed pass of the first round.</summary>
        public string StagesUs { get; set; } = "";

        /// <summary>The RESULT row: median QPS and latencies over the rounds, with the QPS spread.</summary>
        public ResultRow Result(PerfContext ctx, int[] truth, float[] rows, float[] queries, int n, int dim)
        {
            int q = queries.Length / dim;
            LshSpec spec = Built.Spec;
            double recall = GroundTruth.Recall(truth, DataStore.K, Found, rows, queries, dim, tieAware: true);
            double strict = GroundTruth.Recall(truth, DataStore.K, Found, rows, queries, dim, tieAware: false);
            return new ResultRow("aknn", Workload, n, dim)
                .Add("config", spec.ConfigName(Options.Candidates, Options.Probes))
                .Add("model", Built.Index.Model.ToString())
                .Add("family", spec.Family).Add("tables", spec.Tables).Add("bits", spec.Bits)
                .Add("width", spec.Width)
                .Add("budget", Options.Candidates?.ToString(CultureInfo.InvariantCulture) ?? "default")
                .Add("probes", Options.Probes?.ToString(CultureInfo.InvariantCulture) ?? "model")
                .Add("search", spec.ExactSearch ? "exact" : "index")
                .Add("k", DataStore.K).Add("queries", q).Add("rounds", Qps.Count).Add("threads", 1)
                .Add("recall", recall)
                .Add("recall_strict", strict)
                .Add("p50_ms", Stats.Median(P50))
                .Add("p99_ms", Stats.Median(P99))
                .Add("qps", Stats.Median(Qps))
                .Add("qps_min", Qps.Min())
                .Add("qps_max", Qps.Max())
                .Add("qps_2threads", Stats.Median(Qps2))
                .Add("two_thread_ratio", Stats.Median(Qps2.Zip(Qps, (two, one) => two / one).ToList()))
                .Add("two_thread_ratio_min", Qps2.Zip(Qps, (two, one) => two / one).Min())
                .Add("two_thread_ratio_max", Qps2.Zip(Qps, (two, one) => two / one).Max())
                .Add("vectors_per_s", n / Built.BuildS)
                .Add("build_s", Built.BuildS)
                .Add("index_bytes_per_vector", (double)Built.Bytes / n)
                .Add("candidates", (double)Examined / q)
                .Add("approximate", (double)Approximate / q)
                .Add("stages_us", StagesUs.Replace(", ", "/", StringComparison.Ordinal).Replace(' ', ':'))
                .Add("loadavg", Stats.LoadAverage());
        }
    }

    /// <summary>Rows of the untimed build before each timed one.</summary>
    private const int WarmUpRows = 5_000;

    /// <summary>
    /// Builds a small index of the same model first, untimed, so that the timed build measures the
    /// compiled code a long-running service has, not the JIT's first compilation of the build path
    /// (the first model of a run otherwise built at half the speed of the same model built again).
    /// </summary>
    private static void WarmUpBuild(LshSpec spec, string[] ids, float[] rows, int dim, Metric metric, string folder)
    {
        int n = Math.Min(WarmUpRows, ids.Length);
        try
        {
            using var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = dim, Metric = metric, Model = spec.Model(), Durability = Durability.Manual });
            index.BulkLoad(ids.AsSpan(0, n).ToArray(), new ReadOnlySpan2D<float>(rows, 0, n, dim, 0));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Creates and bulk-loads the index of one model (timed: <c>vectors_per_s</c>); null when the model cannot be built.</summary>
    private static Built? Build(PerfContext ctx, LshSpec spec, string[] ids, float[] rows, int n, int dim, Metric metric)
    {
        string folder = Path.Combine(ctx.Store.Folder, $"tmp-lsh-{spec.Name}-d{dim}-n{n}-s{ctx.Store.Seed}-p{Environment.ProcessId}");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        VectorIndex? index = null;
        try
        {
            WarmUpBuild(spec, ids, rows, dim, metric, folder + "-warmup");
            Stats.Settle();
            long t = Stopwatch.GetTimestamp();
            index = VectorIndex.Create(folder, new IndexOptions { Dimensions = dim, Metric = metric, Model = spec.Model(), Durability = Durability.Manual });
            Aknn.Embedded.Storage.BuildStages.Start();
            index.BulkLoad(ids, new ReadOnlySpan2D<float>(rows, n, dim));
            double buildS = Stats.MsSince(t) / 1000;
            string stages = string.Join(", ", Aknn.Embedded.Storage.BuildStages.Stop().Select(s => $"{s.Stage} {s.Ms / 1000:F2} s ({s.CpuMs / 1000:F2} s cpu)"));
            ResultPrinter.Note($"built {spec.Name} ({index.Model}) in {buildS:F2} s, {n / buildS:N0} vectors/s; stages: {stages}");
            var b = new Built(spec, index, folder, buildS, Stats.FolderBytes(folder));
            index = null;
            return b;
        }
        catch (NotImplementedException e)
        {
            ResultPrinter.Note($"aknn {spec.Name} skipped: building it is not implemented yet ({e.Message})");
            return null;
        }
        finally
        {
            if (index is not null)
            {
                index.Dispose();
                if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>
    /// An extra, untimed pass over the queries with the search-stage hook on: the microseconds per
    /// query of each stage, written as <c>probe 12, count 150, pick 30, int8 0, exact 80</c>.
    /// </summary>
    private static string SearchStagesPerQuery(VectorIndex index, SearchOptions options, float[] queries, int dim)
    {
        int q = queries.Length / dim;
        Aknn.Embedded.Search.SearchStages.Start();
        for (int i = 0; i < q; i++) index.Search(queries.AsSpan(i * dim, dim), options);
        var stages = Aknn.Embedded.Search.SearchStages.Stop();
        return string.Join(", ", stages.Select(s => $"{s.Stage.ToString().ToLowerInvariant()} {s.Ms * 1000 / q:F0}"));
    }

    /// <summary>
    /// One timed pass of every query through one setting (after a warm-up, longer for an index's
    /// first setting so that the JIT's optimised tier is in place); <paramref name="first"/> also
    /// keeps the results for recall. False when searching is not implemented.
    /// </summary>
    private static bool MeasureOnce(Setting setting, float[] queries, int dim, bool first)
    {
        int q = queries.Length / dim;
        VectorIndex index = setting.Built.Index;
        Aknn.Embedded.Search.LshSearch.CompactRerankEnabled = !setting.Built.Spec.ExactRerank;
        try
        {
            long warm = Stopwatch.GetTimestamp();
            for (int i = 0; i < Warmup || (!setting.Built.Warm && Stats.MsSince(warm) < WarmupMs); i++)
                index.Search(queries.AsSpan(i % q * dim, dim), setting.Options);
            setting.Built.Warm = true;
            Stats.Settle();
            var latency = new double[q];
            var hits = new SearchResults[q];
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < q; i++)
            {
                long s = Stopwatch.GetTimestamp();
                hits[i] = index.Search(queries.AsSpan(i * dim, dim), setting.Options);
                latency[i] = Stats.MsSince(s);
            }
            setting.Qps.Add(q / (Stats.MsSince(start) / 1000));
            setting.P50.Add(Stats.Percentile(latency, 50));
            setting.P99.Add(Stats.Percentile(latency, 99));
            setting.Qps2.Add(TwoThreadQps(index, setting.Options, queries, dim));
            if (!first) return true;
            setting.StagesUs = SearchStagesPerQuery(index, setting.Options, queries, dim);
            setting.Found = new int[q][];
            for (int i = 0; i < q; i++)
            {
                setting.Found[i] = hits[i].Select(h => int.Parse(h.Id, CultureInfo.InvariantCulture)).ToArray();
                setting.Examined += hits[i].CandidatesExamined;
                if (hits[i].Approximate) setting.Approximate++;
            }
            return true;
        }
        catch (NotImplementedException e)
        {
            ResultPrinter.Note($"aknn {setting.Built.Spec.Name} skipped: searching it is not implemented yet ({e.Message})");
            return false;
        }
    }

    /// <summary>
    /// QPS of two threads sharing the index, each searching every other query (after a short
    /// warm-up of its own, so that its per-thread buffers exist), timed from a common start until
    /// both are done.
    /// </summary>
    private static double TwoThreadQps(VectorIndex index, SearchOptions options, float[] queries, int dim)
    {
        int q = queries.Length / dim;
        using var ready = new Barrier(3);
        var threads = new Thread[2];
        for (int t = 0; t < threads.Length; t++)
        {
            int first = t;
            threads[t] = new Thread(() =>
            {
                for (int i = 0; i < Warmup; i++) index.Search(queries.AsSpan((first + 2 * i) % q * dim, dim), options);
                ready.SignalAndWait();
                for (int i = first; i < q; i += 2) index.Search(queries.AsSpan(i * dim, dim), options);
            });
            threads[t].Start();
        }
        ready.SignalAndWait();
        long start = Stopwatch.GetTimestamp();
        foreach (Thread thread in threads) thread.Join();
        return q / (Stats.MsSince(start) / 1000);
    }

    /// <summary>
    /// Runs <see cref="LshTuner.Tune(ReadOnlySpan2D{float}, Metric, LshTuningOptions?, IProgress{LshTuningProgress}?, CancellationToken)"/>
    /// on the first <c>--tune-rows</c> base rows (default 20,000; the generator draws rows
    /// independently, so they are a random sample) with 200 held-out queries and target recall 0.9,
    /// and prints its frontier and pick.
    /// </summary>
    private static void Tune(PerfContext ctx, float[] rows, int n, int dim, Metric metric)
    {
        int sampleRows = Math.Min(n, ctx.Options.TuneRows);
        var options = new LshTuningOptions { K = DataStore.K, TargetRecall = TargetRecall, Queries = Math.Min(200, sampleRows / 2), MaxIndexedRows = sampleRows };
        Console.WriteLine($"lsh tune: LshTuner.Tune on {sampleRows:N0} sample rows, {options.Queries} held-out queries, target recall@{options.K} {options.TargetRecall}");
        long t = Stopwatch.GetTimestamp();
        LshTuning tuning = LshTuner.Tune(new ReadOnlySpan2D<float>(rows, sampleRows, dim), metric, options, new StageProgress());
        Console.WriteLine($"  {tuning.Trials.Count} trials on {tuning.IndexedRows:N0} rows and {tuning.Queries} queries in {Stats.MsSince(t) / 1000:F1} s; " +
                          $"exact search takes {tuning.ExactMedianMilliseconds:G4} ms (median)");
        Console.WriteLine("  frontier (fastest first):");
        var table = new List<string[]> { new[] { "model", "candidates", "probes", "recall", "p50_ms", "p99_ms", "examined", "build_vps" } };
        foreach (LshTrial trial in tuning.Frontier)
        {
            table.Add([trial.Model.ToString(), N(trial.Candidates), N(trial.Probes), F(trial.Recall), F(trial.MedianMilliseconds),
                F(trial.P99Milliseconds), F(trial.MeanCandidatesExamined), F(trial.BuildVectorsPerSecond)]);
            ctx.Printer.Emit(new ResultRow("aknn-tuner", "lsh-tune", tuning.IndexedRows, dim)
                .Add("model", trial.Model.ToString()).Add("budget", trial.Candidates).Add("probes", trial.Probes)
                .Add("recall", trial.Recall).Add("p50_ms", trial.MedianMilliseconds).Add("p99_ms", trial.P99Milliseconds)
                .Add("candidates", trial.MeanCandidatesExamined).Add("vectors_per_s", trial.BuildVectorsPerSecond)
                .Add("best", ReferenceEquals(trial, tuning.Best) ? "yes" : "no"));
        }
        PrintTable(table, leftColumns: 1);
        Console.WriteLine(tuning.Best is { } best
            ? $"  best (fastest with recall >= {options.TargetRecall}): {best.Model}, candidates {best.Candidates}, probes {best.Probes}: " +
              $"recall {F(best.Recall)}, p50 {F(best.MedianMilliseconds)} ms, p99 {F(best.P99Milliseconds)} ms"
            : $"  best: none reached recall {options.TargetRecall} (highest on the frontier: {F(tuning.Frontier.Count == 0 ? double.NaN : tuning.Frontier.Max(f => f.Recall))})");
    }

    /// <summary>Prints the tuner's stage whenever it changes.</summary>
    private sealed class StageProgress : IProgress<LshTuningProgress>
    {
        private string? _stage;

        public void Report(LshTuningProgress value)
        {
            if (value.Stage == _stage) return;
            _stage = value.Stage;
            ResultPrinter.Note($"tuner: {value.Stage} ({value.TrialsDone}/{value.TrialsTotal} trials)");
        }
    }

    /// <summary>
    /// The comparison table of every system, then per aknn configuration with recall ≥ 0.9 its QPS
    /// and build speed relative to hnswlib (emitted as <c>system=aknn-over-hnswlib</c> rows): the QPS
    /// ratio is taken round by round (aknn's round r against hnswlib's round r, interpolated at
    /// aknn's recall) and reported as the median with its minimum and maximum.
    /// </summary>
    private static void Compare(PerfContext ctx, int n, int dim, List<ResultRow> aknn, List<double[]> aknnRounds,
        List<List<ResultRow>> hnswRounds, List<ResultRow> faissLsh)
    {
        // The table shows hnswlib's median QPS per ef over its rounds.
        var hnsw = hnswRounds.SelectMany(r => r).GroupBy(r => r.Get("config") ?? "").Select(g =>
        {
            var qps = g.Select(r => r.Number("qps") ?? double.NaN).ToList();
            var first = g.First();
            return new ResultRow(Hnswlib, Workload, n, dim).Add("config", first.Get("config") ?? "").Add("ef", first.Get("ef") ?? "?")
                .Add("recall", first.Number("recall") ?? double.NaN).Add("p50_ms", Stats.Median(g.Select(r => r.Number("p50_ms") ?? double.NaN)))
                .Add("p99_ms", Stats.Median(g.Select(r => r.Number("p99_ms") ?? double.NaN)))
                .Add("qps", Stats.Median(qps)).Add("qps_min", qps.Min()).Add("qps_max", qps.Max()).Add("rounds", qps.Count)
                .Add("vectors_per_s", first.Number("vectors_per_s") ?? double.NaN)
                .Add("peak_rss_mb", g.Max(r => r.Number("peak_rss_mb") ?? double.NaN));
        }).ToList();
        var all = aknn.Concat(hnsw).Concat(faissLsh).Where(r => r.Workload == Workload).ToList();
        if (all.Count == 0) return;
        Console.WriteLine();
        Console.WriteLine($"== lsh: recall@10 against speed, {n:N0} x {dim}, one thread, one query per call (qps: median of the rounds) ==");
        var table = new List<string[]> { new[] { "system", "config", "recall", "p50_ms", "p99_ms", "qps", "qps_min", "qps_max", "qps_2t", "x2t", "vectors_per_s", "candidates", "bytes/vec", "peak_rss_mb" } };
        foreach (var r in all.OrderBy(r => r.System, StringComparer.Ordinal).ThenBy(r => r.Number("recall") ?? 0).ThenByDescending(r => r.Number("qps") ?? 0))
            table.Add([r.System, r.Get("config") ?? "", r.Get("recall") ?? "", r.Get("p50_ms") ?? "", r.Get("p99_ms") ?? "", r.Get("qps") ?? "",
                r.Get("qps_min") ?? "", r.Get("qps_max") ?? "", r.Get("qps_2threads") ?? "", r.Get("two_thread_ratio") ?? "", r.Get("vectors_per_s") ?? "", r.Get("candidates") ?? "", r.Get("index_bytes_per_vector") ?? "", r.Get("peak_rss_mb") ?? ""]);
        PrintTable(table, leftColumns: 2);

        var curves = hnswRounds.Select(HnswFront).Where(c => c.Count > 0).ToList();
        if (curves.Count == 0)
        {
            if (aknn.Count > 0) Console.WriteLine("  (no hnswlib results: run with --peers for the QPS and build ratios)");
            return;
        }
        double hnswBuild = hnswRounds.SelectMany(r => r).Select(r => r.Number("vectors_per_s") ?? double.NaN).First();
        Console.WriteLine();
        Console.WriteLine($"== lsh: aknn against hnswlib at the same recall (targets at recall >= {TargetRecall} and >= {HighRecall}: qps_ratio >= 1, build_ratio >= {TargetBuildRatio}) ==");
        Console.WriteLine("  qps_ratio: median over the rounds of aknn's QPS / hnswlib's QPS of the same round interpolated at aknn's recall");
        Console.WriteLine("  (log QPS linear in recall between the two nearest ef points); min and max: the spread of those per-round ratios.");
        var ratios = new List<string[]> { new[] { "config", "recall", "qps", "hnswlib_qps", "qps_ratio", "qps_ratio_min", "qps_ratio_max", "next_ef", "build_ratio", "meets" } };
        for (int a = 0; a < aknn.Count; a++)
        {
            ResultRow r = aknn[a];
            if (r.Number("recall") is not { } recall || recall < TargetRecall) continue;
            double qps = r.Number("qps")!.Value;
            double buildRatio = (r.Number("vectors_per_s") ?? double.NaN) / hnswBuild;
            double[] roundsQps = aknnRounds[a];
            var perRound = new List<double>();
            var hnswAt = new List<double>();
            string nextEf = "-";
            for (int round = 0; round < roundsQps.Length; round++)
            {
                if (HnswQpsAt(curves[round % curves.Count], recall) is not { } h) continue;
                perRound.Add(roundsQps[round] / h.Interpolated);
                hnswAt.Add(h.Interpolated);
                nextEf = h.NextEf;
            }
            var row = new ResultRow("aknn-over-hnswlib", Workload, n, dim).Add("config", r.Get("config") ?? "").Add("recall", recall).Add("qps", qps)
                .Add("band", recall >= HighRecall ? "0.95" : "0.9");
            if (perRound.Count > 0)
            {
                double ratio = Stats.Median(perRound);
                bool meets = ratio >= 1 && buildRatio >= TargetBuildRatio;
                row.Add("hnswlib_qps", Stats.Median(hnswAt)).Add("qps_ratio", ratio).Add("qps_ratio_min", perRound.Min()).Add("qps_ratio_max", perRound.Max())
                   .Add("ratio_rounds", perRound.Count).Add("next_ef", nextEf).Add("build_ratio", buildRatio).Add("meets_target", meets ? "yes" : "no");
                ratios.Add([r.Get("config") ?? "", F(recall), F(qps), F(Stats.Median(hnswAt)), F(ratio), F(perRound.Min()), F(perRound.Max()), nextEf, F(buildRatio), meets ? "yes" : "no"]);
            }
            else
            {
                row.Add("hnswlib_qps", "none").Add("build_ratio", buildRatio).Add("note", "above_hnswlib's_best_recall");
                ratios.Add([r.Get("config") ?? "", F(recall), F(qps), "-", "-", "-", "-", "-", F(buildRatio), "n/a"]);
            }
            ctx.Printer.Emit(row);
        }
        if (ratios.Count > 1) PrintTable(ratios, leftColumns: 1);
        else Console.WriteLine($"  no aknn configuration reached recall {TargetRecall}");
    }

    /// <summary>hnswlib's results as (recall, QPS, ef), reduced to its Pareto front and sorted by recall.</summary>
    private static List<(double Recall, double Qps, string Ef)> HnswFront(List<ResultRow> hnsw)
    {
        var points = hnsw.Where(r => r.Workload == Workload && r.Number("recall") is not null && r.Number("qps") is > 0)
            .Select(r => (Recall: r.Number("recall")!.Value, Qps: r.Number("qps")!.Value, Ef: r.Get("ef") ?? "?"))
            .OrderByDescending(p => p.Recall).ThenByDescending(p => p.Qps).ToList();
        var front = new List<(double, double, string)>();
        double bestQps = 0;
        foreach (var p in points)
        {
            if (p.Qps <= bestQps) continue; // a higher-recall point is at least as fast
            front.Add(p);
            bestQps = p.Qps;
        }
        front.Reverse();
        return front;
    }

    /// <summary>
    /// hnswlib's QPS at <paramref name="recall"/>: the front's first point with at least that recall
    /// (the next-higher point, with its ef) and, when a point with lower recall exists below it, the
    /// value interpolated between the two with log QPS linear in recall (otherwise the next-higher
    /// point's QPS). Null when hnswlib never reached <paramref name="recall"/>.
    /// </summary>
    private static (double Interpolated, double NextQps, string NextEf)? HnswQpsAt(List<(double Recall, double Qps, string Ef)> front, double recall)
    {
        int next = front.FindIndex(p => p.Recall >= recall);
        if (next < 0) return null;
        var hi = front[next];
        if (next == 0 || hi.Recall == recall) return (hi.Qps, hi.Qps, hi.Ef);
        var lo = front[next - 1];
        double f = (recall - lo.Recall) / (hi.Recall - lo.Recall);
        return (Math.Exp(Math.Log(lo.Qps) + f * (Math.Log(hi.Qps) - Math.Log(lo.Qps))), hi.Qps, hi.Ef);
    }

    /// <summary>The result file of this size: <c>results/lsh-n{N}-d{D}-s{seed}.csv</c> under the data folder (<c>lsh-unit-…</c> for the normalised data).</summary>
    private static string ResultsPath(PerfContext ctx, int n, int dim) =>
        Path.Combine(ctx.Store.Folder, "results", $"lsh{(ctx.Store.Unit ? "-unit" : "")}-n{n}-d{dim}-s{ctx.Store.Seed}.csv");

    /// <summary>The rows of the result file of this size (with their <c>date</c> field), or none.</summary>
    private static List<ResultRow> Stored(PerfContext ctx, int n, int dim)
    {
        string path = ResultsPath(ctx, n, dim);
        var rows = new List<ResultRow>();
        if (!File.Exists(path)) return rows;
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0) return rows;
        string[] header = lines[0].Split(',');
        foreach (string line in lines.Skip(1))
        {
            // Back into a RESULT line, so that the fields keep their order and types.
            string[] cells = line.Split(',');
            var text = new System.Text.StringBuilder("RESULT");
            for (int c = 0; c < header.Length && c < cells.Length; c++)
                if (cells[c].Length > 0) text.Append(' ').Append(header[c]).Append('=').Append(cells[c]);
            if (ResultRow.TryParse(text.ToString()) is { } row && row.System.Length > 0) rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// Writes this run's lsh RESULT rows to <see cref="ResultsPath"/>, keeping the stored rows of
    /// systems this run did not measure (so the peers, measured once, stay beside later aknn runs;
    /// the aknn-over-* ratios go whenever aknn is measured again). Each row carries the UTC time it
    /// was measured in a <c>date</c> field.
    /// </summary>
    private static void Save(PerfContext ctx, int n, int dim)
    {
        var fresh = ctx.Printer.Rows.Where(r => r.Workload == Workload && r.N == n && r.Dim == dim).ToList();
        if (fresh.Count == 0) return;
        string path = ResultsPath(ctx, n, dim);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var systems = fresh.Select(r => r.System).ToHashSet(StringComparer.Ordinal);
        bool aknnMeasured = systems.Contains("aknn");
        var records = new List<(string System, List<(string Key, string Value)> Fields)>();
        foreach (ResultRow r in Stored(ctx, n, dim))
        {
            if (systems.Contains(r.System) || (aknnMeasured && r.System.StartsWith("aknn-over-", StringComparison.Ordinal))) continue;
            records.Add((r.System, [("workload", r.Workload), ("n", N(r.N)), ("dim", N(r.Dim)), .. r.Fields]));
        }
        string stamp = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        foreach (ResultRow r in fresh)
            records.Add((r.System, [("workload", r.Workload), ("n", N(r.N)), ("dim", N(r.Dim)), ("date", stamp), .. r.Fields]));
        var columns = new List<string> { "system", "workload", "n", "dim", "date" };
        foreach (var (_, fields) in records)
            foreach (var (key, _) in fields)
                if (!columns.Contains(key)) columns.Add(key);
        // Values never hold spaces (ResultRow turns them into underscores); commas become semicolons.
        var text = new List<string> { string.Join(',', columns) };
        foreach (var (system, fields) in records)
        {
            var byKey = new Dictionary<string, string>(StringComparer.Ordinal) { ["system"] = system };
            foreach (var (key, value) in fields) byKey[key] = value;
            text.Add(string.Join(',', columns.Select(c => byKey.TryGetValue(c, out string? v) ? v.Replace(',', ';') : "")));
        }
        File.WriteAllLines(path, text);
        ResultPrinter.Note($"wrote {records.Count} rows to {path}");
    }

    /// <summary>The median Euclidean distance from a query to its K-th true neighbour (over at most 200 queries).</summary>
    private static double NearDistance(float[] rows, float[] queries, int[] truth, int dim)
    {
        int q = Math.Min(queries.Length / dim, 200);
        var d = new double[q];
        for (int i = 0; i < q; i++)
        {
            int kth = truth[i * DataStore.K + DataStore.K - 1];
            d[i] = Math.Sqrt(GroundTruth.SquaredDistance(queries.AsSpan(i * dim, dim), rows.AsSpan(kth * dim, dim)));
        }
        return Stats.Median(d);
    }

    private static void PrintTable(List<string[]> lines, int leftColumns)
    {
        int[] width = new int[lines[0].Length];
        foreach (var l in lines)
            for (int c = 0; c < l.Length; c++) width[c] = Math.Max(width[c], l[c].Length);
        for (int i = 0; i < lines.Count; i++)
        {
            Console.WriteLine("  " + string.Join("  ", lines[i].Select((cell, c) => c < leftColumns ? cell.PadRight(width[c]) : cell.PadLeft(width[c]))).TrimEnd());
            if (i == 0) Console.WriteLine("  " + string.Join("  ", width.Select(w => new string('-', w))));
        }
    }

    private static string F(double v) => ResultRow.Format(v);

    private static string N(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static int?[] Boxed(int[] values) => values.Select(v => (int?)v).ToArray();

    /// <summary>One aknn model of the sweep and the search settings to measure it with.</summary>
    /// <param name="Family">bisecting, stable, hyperplanes, signcodes (<see cref="IndexModel.SignCodes"/>; Tables × Bits is the code length), auto (<see cref="IndexModel.Lsh(int, int, int, int?)"/>) or exact (<see cref="IndexModel.Exact"/>, to check the pipeline).</param>
    /// <param name="Tables">Tables L.</param>
    /// <param name="Bits">Bits (or stable hashes) per table k.</param>
    /// <param name="Width">Stable family: bucket width w; 0 otherwise.</param>
    /// <param name="FitRows">Bisecting family: rows the model is fitted from.</param>
    /// <param name="Candidates">Candidate budgets to measure; null entries use the default budget.</param>
    /// <param name="Probes">Probe counts to measure; null entries use the model's own.</param>
    /// <param name="ExactSearch">Whether searches set <see cref="SearchOptions.Exact"/> (recall 1, to check the pipeline).</param>
    /// <param name="ExactRerank">Whether the int8 re-rank pass is turned off while this model is searched (<c>rerank=exact</c>), to compare the two re-ranks in one run.</param>
    internal sealed record LshSpec(string Family, int Tables, int Bits, float Width, int FitRows, IReadOnlyList<int?> Candidates,
        IReadOnlyList<int?> Probes, bool ExactSearch = false, bool ExactRerank = false)
    {
        public const string Bisecting = "bisecting";
        public const string Stable = "stable";
        public const string Auto = "auto";
        /// <summary>IndexModel.Lsh(): the per-metric defaults, searched with the default candidate budget unless one is given.</summary>
        public const string Defaults = "defaults";
        public const string ExactFamily = "exact";
        public const string Hyperplanes = "hyperplanes";
        public const string SignCodes = "signcodes";

        public IndexModel Model() => Family switch
        {
            Hyperplanes => IndexModel.RandomHyperplanes(Tables, Bits),
            SignCodes => IndexModel.SignCodes(Tables * Bits),
            Bisecting => IndexModel.BisectingHyperplanes(Tables, Bits, FitRows),
            Stable => IndexModel.StableDistribution(Tables, Bits, Width),
            Auto => IndexModel.Lsh(Tables, Bits),
            Defaults => IndexModel.Lsh(),
            _ => IndexModel.Exact,
        };

        /// <summary>The model's short name: bisect-L16-k14, stable-L16-k8-w1.23, auto-L16-k14 or exact.</summary>
        public string Name => Family switch
        {
            Bisecting => $"bisect-L{Tables}-k{Bits}",
            Stable => $"stable-L{Tables}-k{Bits}-w{Width.ToString("G3", CultureInfo.InvariantCulture)}",
            Auto => $"auto-L{Tables}-k{Bits}",
            Defaults => "defaults",
            Hyperplanes => $"hyper-L{Tables}-k{Bits}",
            SignCodes => $"signcodes-b{Tables * Bits}",
            _ => "exact",
        } + (ExactSearch ? "-exactsearch" : "") + (ExactRerank ? "-rx" : "");

        /// <summary>The model's name with a candidate budget and probe count: bisect-L16-k14-c200-p0.</summary>
        public string ConfigName(int? candidates, int? probes) =>
            $"{Name}-c{candidates?.ToString(CultureInfo.InvariantCulture) ?? "default"}-p{probes?.ToString(CultureInfo.InvariantCulture) ?? "model"}";

        /// <summary>
        /// Parses <c>--lsh-config</c>: comma-separated key=value pairs, lists separated by semicolons.
        /// Keys: family (bisecting, stable, auto, exact), tables, bits (or hashes), width (a number, or
        /// Xr for X times <paramref name="nearDistance"/>), probes, candidates, fit (bisecting fit
        /// rows), search (index or exact), rerank (auto or exact: turn the int8 pass off). Missing keys take the sweep's defaults.
        /// </summary>
        public static LshSpec Parse(string text, int n, double nearDistance)
        {
            string family = Bisecting;
            int tables = 16, bits = Math.Clamp((int)Math.Round(Math.Log2(n)) - 6, 4, IndexModel.MaxBitsPerTable);
            int fit = IndexModel.DefaultFitRows;
            float width = (float)(4 * nearDistance);
            int?[] candidates = Boxed(CandidateSweep), probes = [null];
            bool exactSearch = false, exactRerank = false;
            foreach (string pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) throw new UsageException($"lsh: --lsh-config needs key=value pairs separated by commas; '{pair}' is not one.");
                string key = pair[..eq].Trim().ToLowerInvariant(), value = pair[(eq + 1)..].Trim();
                switch (key)
                {
                    case "family":
                        family = value.ToLowerInvariant() switch
                        {
                            "bisecting" or "bisect" => Bisecting,
                            "stable" => Stable,
                            "auto" or "lsh" => Auto,
                            "defaults" => Defaults,
                            "hyperplanes" or "hyper" => Hyperplanes,
                            "signcodes" => SignCodes,
                            "exact" => ExactFamily,
                            _ => throw new UsageException($"lsh: family is bisecting, stable, auto, hyperplanes, signcodes or exact, not '{value}'."),
                        };
                        break;
                    case "tables" or "l": tables = Int(key, value); break;
                    case "bits" or "hashes" or "k": bits = Int(key, value); break;
                    case "fit": fit = Int(key, value); break;
                    case "width" or "w":
                        width = value.EndsWith('r')
                            ? (float)(Number(key, value[..^1]) * nearDistance)
                            : (float)Number(key, value);
                        break;
                    case "probes" or "p": probes = List(key, value, 0); break;
                    case "candidates" or "c": candidates = List(key, value, DataStore.K); break;
                    case "search":
                        exactSearch = value.ToLowerInvariant() switch
                        {
                            "exact" => true,
                            "index" or "lsh" => false,
                            _ => throw new UsageException($"lsh: search is index or exact, not '{value}'."),
                        };
                        break;
                    case "rerank":
                        exactRerank = value.ToLowerInvariant() switch
                        {
                            "exact" => true,
                            "int8" or "auto" => false,
                            _ => throw new UsageException($"lsh: rerank is auto or exact, not '{value}'."),
                        };
                        break;
                    default:
                        throw new UsageException($"lsh: unknown --lsh-config key '{key}' (family, tables, bits, width, probes, candidates, fit, search, rerank).");
                }
            }
            if (family == Defaults && !text.Contains("candidates", StringComparison.OrdinalIgnoreCase) && !text.Contains("c=", StringComparison.Ordinal))
                candidates = [null];
            if (family == SignCodes)
            {
                // bits is the code length here: stored as tables of 8 bits.
                tables = bits / 8;
                bits = 8;
                probes = [null];
            }
            if (family == ExactFamily)
            {
                candidates = [null];
                tables = bits = fit = 0;
            }
            var spec = new LshSpec(family, tables, bits, family == Stable ? width : 0, family == Bisecting ? fit : 0, candidates, probes, exactSearch, exactRerank);
            try
            {
                spec.Model(); // the factories check the ranges
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new UsageException($"lsh: --lsh-config '{text}': {e.Message}");
            }
            return spec;
        }

        private static int Int(string key, string value) =>
            int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= 0
                ? v
                : throw new UsageException($"lsh: {key} needs a whole number, not '{value}'.");

        private static double Number(string key, string value) =>
            double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) && v > 0
                ? v
                : throw new UsageException($"lsh: {key} needs a positive number, not '{value}'.");

        private static int?[] List(string key, string value, int min)
        {
            var list = new List<int?>();
            foreach (string item in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (item is "default" or "model") { list.Add(null); continue; }
                int v = Int(key, item);
                if (v < min) throw new UsageException($"lsh: each of {key} must be at least {min}, not {v}.");
                list.Add(v);
            }
            return list.Count > 0 ? list.ToArray() : throw new UsageException($"lsh: {key} needs at least one value.");
        }
    }
}

using System.Globalization;

namespace Aknn.Perf;

/// <summary>A command-line value a workload cannot use: Program prints the message and the usage, and exits with code 2.</summary>
internal sealed class UsageException(string message) : ArgumentException(message);

/// <summary>The command line: one workload name, then options.</summary>
internal sealed class PerfOptions
{
    public const string Usage = """
        usage: dotnet run -c Release --project perf/Aknn.Perf -- <workload> [options]

        workloads:
          bandwidth   single-thread memory read bandwidth and the disk's sequential write bandwidth
          insert      UpsertBatch of N vectors (default 1,000,000 x 128), then Commit
          open        VectorIndex.Open + first Count on indexes of 100k and 1M vectors
          exact       one-query-per-call exact K=10 search (default 200k x 128 and 1M x 25)
          imagehash   pHash, dHash, aHash and PDQ hashes per second on one thread, from decoded 1024x768 and 512x512 photos
          scan        brute-force radius scan of N binary codes (default 10M x 64 bits) with the kernels
          hamming     SearchCodeRadius on an index of N codes (default 10M x 64 bits), 1000 near-duplicate queries
          gpu-hamming SearchCodeRadiusBatch of Q codes (default 100) over N codes (default 10M x 64 bits) on the OpenCL device and on the CPU
          gpu-exact   SearchBatch, exact L2 K=10, of Q queries (default 200) over N vectors (default 200k x 128) on the OpenCL device and on the CPU
          dedup       FindDuplicates over N codes (default 1M x 64 bits) with planted near-duplicate groups, radius 8
          lsh         approximate K=10 search by LSH, one query per call: build speed, recall@10 against QPS over a
                      sweep of models, candidates and probes (default 1M x 25, 1000 queries); --peers: hnswlib, FAISS IndexLSH
          crash       reliability: a child writer (both index kinds, every durability mode, frequent seals and
                      compactions) killed with SIGKILL at random moments for --minutes; every write acknowledged
                      as durable must be there after each reopen
          corrupt     reliability: --trials flips or truncations per file kind of a small, cleanly closed index;
                      each is detected, harmless, a silent loss or wrong results
          vectordata  the Microsoft.Extensions.VectorData connector against the core API on the same data (default 100k x 384,
                      two data properties): upserts (batches of min(--batch, 1000), and single) and K=10 searches; target 1.3 x
          cluster     a ShardedCollection of 6 shards on 1, 2 and 3 local silo processes (samples/Cluster, built first with
                      dotnet build -c Release samples/Cluster) against one in-process index on the same data (default
                      1M x 128, 200 queries): batched upsert rows/s, exact K=10 p50, p99 and QPS (1 and 4 queries in flight),
                      fan-out overhead per query; --config 1,3 runs only those silo counts
          all         bandwidth, insert, open and exact at the default sizes

        options:
          --n N            number of base vectors (overrides the workload's default sizes)
          --dim D          dimensions (overrides the workload's default sizes)
          --queries Q      queries (default 500; hamming and lsh 1000; scan: scans per round, 16)
          --bits B         scan, hamming: code length in bits, a multiple of 64 (default 64)
          --radius R       scan, hamming: Hamming radius (default 8)
          --peers          also run the peers (FAISS; for lsh also hnswlib; through /usr/bin/python3) on the same files
          --peer NAME      lsh: run only this peer (hnswlib or faiss-lsh; repeatable; implies --peers)
          --data DIR       data folder (default perf/data under the repository root)
          --seed S         data seed (default 42)
          --runs R         repetitions to take the median of (default depends on the workload; lsh: rounds, default 3,
                           each measuring every aknn setting and then hnswlib, alternately)
          --batch B        rows per UpsertBatch call (default 10000)
          --disk-mbps X    use this disk write bandwidth instead of measuring it
          --read-gbps X    use this memory read bandwidth instead of measuring it
          --device NAME    gpu-*: the OpenCL device whose name contains NAME (default: the first GPU, else the first device)
          --minutes M      crash: how long to run (default 1)
          --trials T       corrupt: trials per file kind (default 200)
          --python PATH    interpreter for the peers (default /usr/bin/python3)
          --config NAME    insert: run only this configuration (default, no-seal, manual or parts);
                           hamming: how to build the index (bulk, the default: BulkLoadCodes; upsert: UpsertCodeBatch, Commit, Compact);
                           lsh: which model families to sweep (all, the default; bisecting; stable; hyperplanes; signcodes;
                           none: the peers only); cluster: the silo counts to run (default 1,2,3)
          --lsh-config C   lsh: run this one configuration instead of the sweep (repeatable), written as
                           family=bisecting|stable|hyperplanes|signcodes|auto|exact,tables=L,bits=K,width=W|Wr,probes=P1;P2,
                           candidates=C1;C2,fit=ROWS,search=exact,rerank=exact (int8 pass off); width=4r is 4 x the median distance to the 10th true
                           neighbour; for signcodes, bits is the code length (a multiple of 8)
          --metric M       lsh: euclidean (the default; clustered Gaussian data) or cosine (the same clusters with the noise
                           scaled by sigma x sqrt(D)/5, normalised to length 1: text-embedding-like; hnswlib in space cosine)
          --tune           lsh: first run LshTuner.Tune on a sample (20,000 rows, 200 queries, target 0.9) and print its frontier
          --tune-rows N    lsh: the tuner's sample size (default 20,000; tune on the final size to get its final settings)
        """;

    public required string Workload { get; init; }
    public int? N { get; init; }
    public int? Dim { get; init; }
    public int Queries => QueryCount ?? 500;

    /// <summary>The --queries value, null when not given (workloads whose default is not 500 read this).</summary>
    public int? QueryCount { get; init; }
    public int Bits { get; init; } = 64;
    public int Radius { get; init; } = 8;
    public bool Peers { get; init; }
    public required string DataFolder { get; init; }
    public int Seed { get; init; } = 42;
    public int? Runs { get; init; }
    public int Batch { get; init; } = 10_000;
    public double? DiskMbps { get; set; }
    public double? ReadGbps { get; set; }
    public string Python { get; init; } = "/usr/bin/python3";
    public string? Config { get; init; }

    /// <summary>crash: minutes to run.</summary>
    public double Minutes { get; init; } = 1;

    /// <summary>corrupt: trials per file kind.</summary>
    public int Trials { get; init; } = 200;

    /// <summary>The --device value: part of an OpenCL device's name, or null for the default choice.</summary>
    public string? Device { get; init; }
    /// <summary>lsh: configurations given with --lsh-config (empty: the workload's sweep).</summary>
    public IReadOnlyList<string> LshConfigs { get; init; } = [];

    /// <summary>lsh: run the tuner first and print its frontier.</summary>
    public bool Tune { get; init; }

    /// <summary>lsh: rows of the tuner's sample (the first rows of the base set).</summary>
    public int TuneRows { get; init; } = 20_000;

    /// <summary>lsh: the metric, euclidean or cosine (which also selects the normalised data set).</summary>
    public string Metric { get; init; } = "euclidean";

    /// <summary>lsh: the peers named with --peer (empty: all of them, when <see cref="Peers"/> is set).</summary>
    public IReadOnlyList<string> PeerNames { get; init; } = [];

    public static PerfOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
            throw new ArgumentException("Name a workload first.");
        string workload = args[0];
        int? n = null, dim = null, runs = null, queries = null;
        int seed = 42, batch = 10_000, bits = 64, radius = 8;
        bool peers = false, tune = false;
        var lshConfigs = new List<string>();
        var peerNames = new List<string>();
        string? data = null, python = null, config = null, device = null;
        string metric = "euclidean";
        double? disk = null, read = null;
        double minutes = 1;
        int trials = 200, tuneRows = 20_000;
        for (int i = 1; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value.");
            switch (a)
            {
                case "--n": n = ParseCount(Next(), a); break;
                case "--dim": dim = ParseCount(Next(), a); break;
                case "--queries": queries = ParseCount(Next(), a); break;
                case "--peers": peers = true; break;
                case "--data": data = Next(); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--runs": runs = ParseCount(Next(), a); break;
                case "--batch": batch = ParseCount(Next(), a); break;
                case "--disk-mbps": disk = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--read-gbps": read = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--python": python = Next(); break;
                case "--config": config = Next(); break;
                case "--device": device = Next(); break;
                case "--lsh-config": lshConfigs.Add(Next()); break;
                case "--tune": tune = true; break;
                case "--tune-rows": tuneRows = ParseCount(Next(), a); tune = true; break;
                case "--metric":
                    metric = Next().ToLowerInvariant();
                    if (metric is not ("euclidean" or "cosine")) throw new ArgumentException($"--metric is euclidean or cosine, not '{metric}'.");
                    break;
                case "--peer": peerNames.Add(Next()); peers = true; break;
                case "--bits": bits = ParseCount(Next(), a); break;
                case "--minutes":
                    minutes = double.TryParse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture, out double m) && m > 0
                        ? m : throw new ArgumentException("--minutes needs a positive number of minutes.");
                    break;
                case "--trials": trials = ParseCount(Next(), a); break;
                case "--radius": radius = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown option '{a}'.");
            }
        }
        return new PerfOptions
        {
            Workload = workload,
            N = n,
            Dim = dim,
            QueryCount = queries,
            Bits = bits % 64 == 0 ? bits : throw new ArgumentException($"--bits needs a multiple of 64, not {bits}."),
            Radius = radius >= 0 ? radius : throw new ArgumentException($"--radius needs a number of bits (0 or more), not {radius}."),
            Peers = peers,
            DataFolder = Path.GetFullPath(data ?? Path.Combine(RepositoryRoot(), "perf", "data")),
            Seed = seed,
            Runs = runs,
            Batch = batch,
            DiskMbps = disk,
            ReadGbps = read,
            Python = python ?? "/usr/bin/python3",
            Config = config,
            Device = device,
            LshConfigs = lshConfigs,
            Tune = tune,
            TuneRows = tuneRows,
            Metric = metric,
            PeerNames = peerNames,
            Minutes = minutes,
            Trials = trials,
        };
    }

    private static int ParseCount(string text, string option)
    {
        // Accept 1000000, 1_000_000, 1M and 200k.
        string t = text.Replace("_", "", StringComparison.Ordinal).Trim();
        long scale = 1;
        if (t.EndsWith('k') || t.EndsWith('K')) { scale = 1_000; t = t[..^1]; }
        else if (t.EndsWith('m') || t.EndsWith('M')) { scale = 1_000_000; t = t[..^1]; }
        if (!long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) || v * scale <= 0 || v * scale > int.MaxValue)
            throw new ArgumentException($"{option} needs a positive whole number, not '{text}'.");
        return (int)(v * scale);
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

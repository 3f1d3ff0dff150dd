namespace Aknn.Perf.Data;

/// <summary>
/// The data folder: generated base and query sets as <c>.fvecs</c>, ground truth as <c>.ivecs</c>,
/// and the indexes built from them. Files are named by their parameters and reused when present,
/// so the harness and the peers read the very same bytes.
/// </summary>
internal sealed class DataStore
{
    public const int K = 10;

    /// <param name="folder">The data folder (created when missing).</param>
    /// <param name="seed">The data seed.</param>
    /// <param name="unit">Whether the vector sets are the normalised variant of <see cref="ClusteredGaussian"/> (for cosine); their files carry "-unit".</param>
    public DataStore(string folder, int seed, bool unit = false)
    {
        Folder = folder;
        Seed = seed;
        Unit = unit;
        Directory.CreateDirectory(folder);
    }

    public string Folder { get; }
    public int Seed { get; }

    /// <summary>Whether base and query vectors are the normalised (unit-length) variant.</summary>
    public bool Unit { get; }

    private string Tag => Unit ? "-unit" : "";

    public string BasePath(int n, int dim) => Path.Combine(Folder, $"base{Tag}-d{dim}-n{n}-s{Seed}.fvecs");
    public string QueryPath(int q, int dim) => Path.Combine(Folder, $"query{Tag}-d{dim}-q{q}-s{Seed}.fvecs");
    public string TruthPath(int n, int q, int dim) => Path.Combine(Folder, $"truth{Tag}-d{dim}-n{n}-q{q}-k{K}-s{Seed}.ivecs");

    /// <summary>Random binary codes of <paramref name="bits"/> bits (<see cref="BinaryCodes"/>).</summary>
    public string CodesPath(int n, int bits) => Path.Combine(Folder, $"codes-b{bits}-n{n}-s{Seed}.bvecs");

    /// <summary>Queries made from the codes of <see cref="CodesPath"/> (so they depend on n too).</summary>
    public string CodeQueryPath(int q, int n, int bits) => Path.Combine(Folder, $"codequery-b{bits}-n{n}-q{q}-s{Seed}.bvecs");

    /// <summary>Every code within the radius of each query: one row per query, of its own length.</summary>
    public string CodeTruthPath(int q, int n, int bits, int radius) => Path.Combine(Folder, $"codetruth-b{bits}-n{n}-q{q}-r{radius}-s{Seed}.ivecs");

    /// <summary>A folder for an index (or a peer's file) built from the base set of this size.</summary>
    public string IndexPath(string kind, int n, int dim) => Path.Combine(Folder, $"{kind}{Tag}-d{dim}-n{n}-s{Seed}");

    public float[] Base(int n, int dim)
    {
        string path = BasePath(n, dim);
        if (!Texmex.HasShape(path, n, dim))
        {
            long t = System.Diagnostics.Stopwatch.GetTimestamp();
            float[] rows = new ClusteredGaussian(dim, Seed, Unit).Base(n);
            Texmex.WriteFvecs(path, rows, dim);
            ResultPrinter.Note($"generated {Path.GetFileName(path)} in {Stats.MsSince(t) / 1000:F1} s");
            return rows;
        }
        return Texmex.ReadFvecs(path, out _);
    }

    public float[] Queries(int q, int dim)
    {
        string path = QueryPath(q, dim);
        if (!Texmex.HasShape(path, q, dim))
        {
            float[] rows = new ClusteredGaussian(dim, Seed, Unit).Queries(q);
            Texmex.WriteFvecs(path, rows, dim);
            return rows;
        }
        return Texmex.ReadFvecs(path, out _);
    }

    /// <summary>The exact top-<see cref="K"/> of each query, computed once and kept as <c>.ivecs</c>.</summary>
    public int[] Truth(int n, int dim, float[] baseRows, float[] queries)
    {
        int q = queries.Length / dim;
        string path = TruthPath(n, q, dim);
        if (Texmex.HasShape(path, q, K)) return Texmex.ReadIvecs(path, out _);
        long t = System.Diagnostics.Stopwatch.GetTimestamp();
        int[] truth = GroundTruth.Compute(baseRows, queries, dim, K);
        Texmex.WriteIvecs(path, truth, K);
        ResultPrinter.Note($"computed ground truth {Path.GetFileName(path)} in {Stats.MsSince(t) / 1000:F1} s");
        return truth;
    }

    /// <summary>The first <paramref name="n"/> random codes of <paramref name="bits"/> bits, generated once and kept as <c>.bvecs</c>.</summary>
    public ulong[] Codes(int n, int bits)
    {
        string path = CodesPath(n, bits);
        if (Texmex.HasBvecsShape(path, n, bits / 8)) return Texmex.ReadBvecs(path, out _);
        long t = System.Diagnostics.Stopwatch.GetTimestamp();
        ulong[] codes = BinaryCodes.Codes(n, bits / 64, Seed);
        Texmex.WriteBvecs(path, codes, bits / 64);
        ResultPrinter.Note($"generated {Path.GetFileName(path)} in {Stats.MsSince(t) / 1000:F1} s");
        return codes;
    }

    /// <summary>Queries near stored codes (<see cref="BinaryCodes.Queries"/>), generated once and kept as <c>.bvecs</c>.</summary>
    public ulong[] CodeQueries(int q, int n, int bits, ulong[] codes)
    {
        string path = CodeQueryPath(q, n, bits);
        if (Texmex.HasBvecsShape(path, q, bits / 8)) return Texmex.ReadBvecs(path, out _);
        ulong[] queries = BinaryCodes.Queries(codes, bits / 64, q, Seed);
        Texmex.WriteBvecs(path, queries, bits / 64);
        return queries;
    }

    /// <summary>The codes within <paramref name="radius"/> of each query, computed once by brute force and kept as a ragged <c>.ivecs</c>.</summary>
    public int[][] CodeTruth(int n, int bits, int radius, ulong[] codes, ulong[] queries)
    {
        int q = queries.Length / (bits / 64);
        string path = CodeTruthPath(q, n, bits, radius);
        if (Texmex.TryReadRaggedIvecs(path, q) is { } stored) return stored;
        long t = System.Diagnostics.Stopwatch.GetTimestamp();
        int[][] truth = BinaryCodes.WithinRadius(codes, queries, bits / 64, radius);
        Texmex.WriteRaggedIvecs(path, truth);
        ResultPrinter.Note($"computed ground truth {Path.GetFileName(path)} in {Stats.MsSince(t) / 1000:F1} s");
        return truth;
    }
}

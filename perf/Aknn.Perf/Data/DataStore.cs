namespace Aknn.Perf.Data;

/// <summary>
/// The data folder: generated base and query sets as <c>.fvecs</c>, ground truth as <c>.ivecs</c>,
/// and the indexes built from them. Files are named by their parameters and reused when present,
/// so the harness and the peers read the very same bytes.
/// </summary>
internal sealed class DataStore
{
    public const int K = 10;

    public DataStore(string folder, int seed)
    {
        Folder = folder;
        Seed = seed;
        Directory.CreateDirectory(folder);
    }

    public string Folder { get; }
    public int Seed { get; }

    public string BasePath(int n, int dim) => Path.Combine(Folder, $"base-d{dim}-n{n}-s{Seed}.fvecs");
    public string QueryPath(int q, int dim) => Path.Combine(Folder, $"query-d{dim}-q{q}-s{Seed}.fvecs");
    public string TruthPath(int n, int q, int dim) => Path.Combine(Folder, $"truth-d{dim}-n{n}-q{q}-k{K}-s{Seed}.ivecs");

    /// <summary>A folder for an index (or a peer's file) built from the base set of this size.</summary>
    public string IndexPath(string kind, int n, int dim) => Path.Combine(Folder, $"{kind}-d{dim}-n{n}-s{Seed}");

    public float[] Base(int n, int dim)
    {
        string path = BasePath(n, dim);
        if (!Texmex.HasShape(path, n, dim))
        {
            long t = System.Diagnostics.Stopwatch.GetTimestamp();
            float[] rows = new ClusteredGaussian(dim, Seed).Base(n);
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
            float[] rows = new ClusteredGaussian(dim, Seed).Queries(q);
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
}

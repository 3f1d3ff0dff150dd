using System.Runtime.InteropServices;
using Aknn.Embedded.Compute;
using Aknn.Embedded.Compute.OpenCl;
using Aknn.Embedded.Search;
using Aknn.Embedded.Storage;
using CommunityToolkit.HighPerformance;

namespace Aknn.Embedded;

// Batch searches and the compute back end (CPU or OpenCL device); see docs/compute.md.
public sealed partial class VectorIndex
{
    private ComputeSelector _compute;

    /// <summary>The back-end selector; tests replace it to simulate a missing runtime.</summary>
    internal ComputeSelector ComputeSelector
    {
        get => _compute;
        set => _compute = value;
    }

    /// <summary>Runs <paramref name="action"/> on a snapshot held for its duration (tests inspect segments).</summary>
    internal T WithSnapshot<T>(Func<Snapshot, T> action)
    {
        Snapshot s = _engine.Acquire();
        try { return action(s); }
        finally { IndexEngine.Release(s); }
    }

    private static ComputeSelector CreateComputeSelector(ComputeMode mode) =>
        new(mode, Environment.GetEnvironmentVariable(ComputeSelector.ModeVariable), () => OpenClRuntime.Shared);

    /// <summary>
    /// What computes this index's batch searches, and why: the mode in force, the OpenCL device
    /// (if any), the reason the CPU serves when it does, and counters of the work done on the
    /// device. Reading it looks for the OpenCL device if no batch has yet (except under
    /// <see cref="ComputeMode.Cpu"/>), which may take a moment the first time in a process.
    /// </summary>
    public ComputeDiagnostics Compute => _compute.Diagnostics();

    /// <summary>
    /// Exact k-nearest-neighbour search for many float queries at once: result i holds what
    /// <see cref="Search"/> returns for row i of <paramref name="queries"/> on an index with
    /// <see cref="IndexModel.Exact"/> (same ids, same distances, same order). Segments may be
    /// scanned on an OpenCL GPU (see <see cref="ComputeMode"/>); the in-memory tail is scanned on
    /// the CPU. All queries see the same snapshot.
    /// </summary>
    /// <param name="queries">One query per row, <see cref="Dimensions"/> finite components each.</param>
    /// <param name="options">K, filter and payload options; null for K = 10. A filter makes the batch
    /// run on one thread; without one, queries are processed on several threads.</param>
    /// <returns>One list of hits per query, nearest first.</returns>
    /// <exception cref="DimensionMismatchException">The rows have the wrong length.</exception>
    /// <exception cref="InvalidVectorException">A query holds NaN or infinity (the message names the row), or the index stores codes.</exception>
    public IReadOnlyList<IReadOnlyList<Hit>> SearchBatch(ReadOnlySpan2D<float> queries, SearchOptions? options = null)
    {
        options ??= SearchOptions.Default;
        options.Validate();
        byte[][] rows = FloatRows(queries);
        return RunBatch(rows, options, (s, q) => BatchSearch.Nearest(s, q, options.K, _compute, options.Filter is null));
    }

    /// <summary>
    /// Exact k-nearest-neighbour search for many binary codes at once (Hamming indexes): result i
    /// holds what <see cref="SearchCode"/> returns for row i of <paramref name="codes"/>. Segments
    /// may be scanned on an OpenCL GPU (see <see cref="ComputeMode"/>).
    /// </summary>
    /// <param name="codes">One code per row, <see cref="Dimensions"/>/64 words each.</param>
    /// <param name="options">K, filter and payload options; null for K = 10.</param>
    /// <returns>One list of hits per query, nearest first.</returns>
    /// <exception cref="DimensionMismatchException">The rows have the wrong number of words.</exception>
    /// <exception cref="InvalidVectorException">The index stores float vectors.</exception>
    public IReadOnlyList<IReadOnlyList<Hit>> SearchCodeBatch(ReadOnlySpan2D<ulong> codes, SearchOptions? options = null)
    {
        options ??= SearchOptions.Default;
        options.Validate();
        byte[][] rows = CodeRows(codes);
        return RunBatch(rows, options, (s, q) => BatchSearch.Nearest(s, q, options.K, _compute, options.Filter is null));
    }

    /// <summary>
    /// Radius search for many float queries at once: result i holds what <see cref="SearchRadius"/>
    /// returns for row i of <paramref name="queries"/> (every row within <paramref name="radius"/>,
    /// nearest first). <see cref="SearchOptions.K"/> is ignored.
    /// </summary>
    /// <param name="queries">One query per row, <see cref="Dimensions"/> finite components each.</param>
    /// <param name="radius">The largest distance to include, in the units of <see cref="Metric"/>.</param>
    /// <param name="options">Filter and payload options.</param>
    /// <returns>One list of hits per query, nearest first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="radius"/> is NaN.</exception>
    public IReadOnlyList<IReadOnlyList<Hit>> SearchRadiusBatch(ReadOnlySpan2D<float> queries, float radius, SearchOptions? options = null)
    {
        if (float.IsNaN(radius)) throw new ArgumentOutOfRangeException(nameof(radius), radius, "The radius must be a number.");
        options ??= SearchOptions.Default;
        byte[][] rows = FloatRows(queries);
        if (radius < 0 && Metric != Metric.DotProduct) return rows.Select(_ => (IReadOnlyList<Hit>)[]).ToArray();
        float bound = ExactSearch.RankingBound(Metric, radius);
        return RunBatch(rows, options, (s, q) => BatchSearch.Within(s, q, bound, _compute, options.Filter is null));
    }

    /// <summary>
    /// Radius search for many binary codes at once (Hamming indexes): result i holds what
    /// <see cref="SearchCodeRadius"/> returns for row i of <paramref name="codes"/>. The batch scans
    /// every segment (on the device where one serves) instead of probing the multi-index hashing
    /// tables; the results are exact either way.
    /// </summary>
    /// <param name="codes">One code per row, <see cref="Dimensions"/>/64 words each.</param>
    /// <param name="radius">The largest number of differing bits to include (0 or more).</param>
    /// <param name="options">Filter and payload options.</param>
    /// <returns>One list of hits per query, nearest first.</returns>
    public IReadOnlyList<IReadOnlyList<Hit>> SearchCodeRadiusBatch(ReadOnlySpan2D<ulong> codes, int radius, SearchOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(radius);
        options ??= SearchOptions.Default;
        byte[][] rows = CodeRows(codes);
        return RunBatch(rows, options, (s, q) => BatchSearch.Within(s, q, radius, _compute, options.Filter is null));
    }

    private byte[][] FloatRows(ReadOnlySpan2D<float> queries)
    {
        if (Metric == Metric.Hamming) throw WrongKind(nameof(queries));
        if (queries.Height > 0 && queries.Width != Dimensions) throw new DimensionMismatchException(Dimensions, queries.Width, "components", nameof(queries));
        var rows = new byte[queries.Height][];
        for (int i = 0; i < rows.Length; i++)
        {
            ReadOnlySpan<float> row = queries.GetRowSpan(i);
            ValidateFloats(row, nameof(queries), i);
            rows[i] = MemoryMarshal.AsBytes(row).ToArray();
        }
        return rows;
    }

    private byte[][] CodeRows(ReadOnlySpan2D<ulong> codes)
    {
        if (Metric != Metric.Hamming) throw WrongKind(nameof(codes));
        if (codes.Height > 0 && codes.Width != _words) throw new DimensionMismatchException(_words, codes.Width, "64-bit words", nameof(codes));
        var rows = new byte[codes.Height][];
        for (int i = 0; i < rows.Length; i++) rows[i] = MemoryMarshal.AsBytes(codes.GetRowSpan(i)).ToArray();
        return rows;
    }

    private IReadOnlyList<IReadOnlyList<Hit>> RunBatch(byte[][] rows, SearchOptions options, Func<Snapshot, ExactSearch.Query[], List<Hit>[]> run)
    {
        if (rows.Length == 0) return [];
        Snapshot s = _engine.Acquire();
        try
        {
            var queries = new ExactSearch.Query[rows.Length];
            for (int i = 0; i < rows.Length; i++) queries[i] = ExactSearch.Prepare(Metric, _engine.Schema.RowBytes, rows[i], options, null);
            return run(s, queries);
        }
        finally
        {
            IndexEngine.Release(s);
        }
    }
}

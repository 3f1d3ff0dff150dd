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
    /// <summary>The back-end selector; tests replace it to simulate a missing runtime.</summary>
    internal ComputeSelector ComputeSelector
    {
        get => _planner.Compute;
        set => _planner.Compute = value;
    }

    /// <summary>Runs <paramref name="action"/> on a snapshot held for its duration (tests inspect segments).</summary>
    internal T WithSnapshot<T>(Func<Snapshot, T> action)
    {
        using var lease = SnapshotLease.Acquire(_engine);
        return action(lease.Snapshot);
    }

    private static ComputeSelector CreateComputeSelector(ComputeMode mode) =>
        new(mode, Environment.GetEnvironmentVariable(ComputeSelector.ModeVariable), () => OpenClRuntime.Shared);

    /// <summary>
    /// What computes this index's batch searches, and why: the mode in force, the OpenCL device
    /// (if any), the reason the CPU serves when it does, and counters of the work done on the
    /// device. A method rather than a property because the first call may look for the OpenCL
    /// device (if no batch has yet, and except under <see cref="ComputeMode.Cpu"/>), which can
    /// take a moment the first time in a process; later calls only read counters.
    /// </summary>
    /// <returns>A fresh record; its counters do not change after it is returned.</returns>
    public ComputeDiagnostics GetComputeDiagnostics() => _planner.Compute.Diagnostics();

    /// <summary>
    /// Exact k-nearest-neighbour search for many float queries at once: result i holds what
    /// <see cref="Search(ReadOnlySpan{float}, SearchOptions?)"/> returns for row i of <paramref name="queries"/> on an index with
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
        CheckFloatRows(queries);
        return Batch(Prepare(queries, null, options));
    }

    /// <summary>
    /// Exact k-nearest-neighbour search for many binary codes at once (Hamming indexes): result i
    /// holds what <see cref="SearchCode(ReadOnlySpan{ulong}, SearchOptions?)"/> returns for row i of <paramref name="codes"/>. Segments
    /// may be scanned on an OpenCL GPU (see <see cref="ComputeMode"/>).
    /// </summary>
    /// <param name="codes">One code per row, <see cref="Dimensions"/>/64 words each.</param>
    /// <param name="options">K, filter and payload options; null for K = 10.</param>
    /// <returns>One list of hits per query, nearest first.</returns>
    /// <exception cref="DimensionMismatchException">The rows have the wrong number of words.</exception>
    /// <exception cref="InvalidVectorException">The index stores float vectors.</exception>
    public IReadOnlyList<IReadOnlyList<Hit>> SearchCodeBatch(ReadOnlySpan2D<ulong> codes, SearchOptions? options = null)
    {
        CheckCodeRows(codes);
        return Batch(Prepare(codes, null, options));
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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="radius"/> is NaN, or negative under a metric other
    /// than <see cref="Metric.DotProduct"/>; or an option is out of range.</exception>
    public IReadOnlyList<IReadOnlyList<Hit>> SearchRadiusBatch(ReadOnlySpan2D<float> queries, float radius, SearchOptions? options = null)
    {
        SearchQuery.CheckRadius(Metric, radius);
        CheckFloatRows(queries);
        return Batch(Prepare(queries, radius, options));
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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="radius"/> is negative, or an option is out of range.</exception>
    public IReadOnlyList<IReadOnlyList<Hit>> SearchCodeRadiusBatch(ReadOnlySpan2D<ulong> codes, int radius, SearchOptions? options = null)
    {
        SearchQuery.CheckRadius(Metric, radius);
        CheckCodeRows(codes);
        return Batch(Prepare(codes, radius, options));
    }

    /// <summary>Checks every query row (the message names a bad row) before anything runs.</summary>
    private void CheckFloatRows(ReadOnlySpan2D<float> queries)
    {
        if (Metric == Metric.Hamming) throw WrongKind(nameof(queries));
        if (queries.Height > 0 && queries.Width != Dimensions) throw new DimensionMismatchException(Dimensions, queries.Width, "components", nameof(queries));
        for (int i = 0; i < queries.Height; i++) ValidateFloats(queries.GetRowSpan(i), nameof(queries), i);
    }

    private void CheckCodeRows(ReadOnlySpan2D<ulong> codes)
    {
        if (Metric != Metric.Hamming) throw WrongKind(nameof(codes));
        if (codes.Height > 0 && codes.Width != _words) throw new DimensionMismatchException(_words, codes.Width, "64-bit words", nameof(codes));
    }

    /// <summary>One query per row: radius searches when <paramref name="radius"/> is set, otherwise top-K.</summary>
    private SearchQuery[] Prepare<T>(ReadOnlySpan2D<T> rows, float? radius, SearchOptions? options) where T : unmanaged
    {
        // Options are checked even when the batch is empty, as for a single search.
        (options ?? SearchOptions.Default).Validate();
        var queries = new SearchQuery[rows.Height];
        for (int i = 0; i < queries.Length; i++)
        {
            ReadOnlySpan<byte> row = MemoryMarshal.AsBytes(rows.GetRowSpan(i));
            queries[i] = radius is { } r ? SearchQuery.Within(Metric, row, r, options) : SearchQuery.Nearest(Metric, row, options);
        }
        return queries;
    }

    private IReadOnlyList<IReadOnlyList<Hit>> Batch(SearchQuery[] queries)
    {
        if (queries.Length == 0) return [];
        using var lease = SnapshotLease.Acquire(_engine);
        return _planner.Batch(lease.Snapshot, queries);
    }
}

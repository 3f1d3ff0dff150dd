using CommunityToolkit.HighPerformance;

namespace Aknn.Embedded;

/// <summary>
/// Chooses LSH tables, bits, candidates and probes by measurement: indexes a sample, runs held-out
/// sample queries through every configuration, measures recall@K against brute force and the
/// latency of each search, and returns the fastest configuration that meets the target recall
/// together with the measured frontier.
/// </summary>
public static class LshTuner
{
    /// <summary>Tunes for float vectors: <paramref name="sample"/> rows are split into held-out queries and indexed rows.</summary>
    /// <param name="sample">Representative vectors, one per row (at least <see cref="LshTuningOptions.Queries"/> + K rows).</param>
    /// <param name="metric">The metric the index will use (not Hamming).</param>
    /// <param name="options">Target, K and the grid; null for the defaults.</param>
    /// <param name="progress">Receives progress; may be null.</param>
    /// <param name="cancellationToken">Cancels the tuning.</param>
    public static LshTuning Tune(ReadOnlySpan2D<float> sample, Metric metric, LshTuningOptions? options = null,
        IProgress<LshTuningProgress>? progress = null, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>Tunes for the vectors (or codes) already stored in <paramref name="index"/>: a sample of them is copied out and measured.</summary>
    /// <param name="index">An index holding representative data.</param>
    /// <param name="options">Target, K and the grid; null for the defaults.</param>
    /// <param name="progress">Receives progress; may be null.</param>
    /// <param name="cancellationToken">Cancels the tuning.</param>
    public static LshTuning Tune(VectorIndex index, LshTuningOptions? options = null,
        IProgress<LshTuningProgress>? progress = null, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}

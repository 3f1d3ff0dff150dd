namespace Aknn.Embedded;

/// <summary>What <see cref="LshTuner"/> measures and the configurations it tries.</summary>
public sealed class LshTuningOptions
{
    /// <summary>Neighbours per query whose recall is measured (recall@K). Default 10.</summary>
    public int K { get; init; } = 10;

    /// <summary>The recall@K to reach, between 0 and 1. Default 0.9.</summary>
    public double TargetRecall { get; init; } = 0.9;

    /// <summary>Held-out sample vectors used as queries (not indexed). Default 200.</summary>
    public int Queries { get; init; } = 200;

    /// <summary>At most this many sample rows are indexed for the trials (a seeded random subset). Default 100,000.</summary>
    public int MaxIndexedRows { get; init; } = 100_000;

    /// <summary>The models to try; null for a grid of tables and bits chosen for the metric and sample size.</summary>
    public IReadOnlyList<IndexModel>? Models { get; init; }

    /// <summary>Candidate budgets to try with each model; null for 2×K up to 200×K.</summary>
    public IReadOnlyList<int>? CandidateCounts { get; init; }

    /// <summary>Extra probes to try with each model; null for none with bit families and 0 to 4 per table with stable-distribution models.</summary>
    public IReadOnlyList<int>? ProbeCounts { get; init; }

    /// <summary>Seed for choosing the held-out queries and the indexed subset. Default 1.</summary>
    public int Seed { get; init; } = 1;
}

/// <summary>One measured configuration: a model with a candidate budget and probe count, and what it achieved.</summary>
/// <param name="Model">The LSH model the trial index was built with.</param>
/// <param name="Candidates">The <see cref="SearchOptions.Candidates"/> used.</param>
/// <param name="Probes">The <see cref="SearchOptions.Probes"/> used.</param>
/// <param name="Recall">Mean recall@K against brute force over the held-out queries.</param>
/// <param name="MedianMilliseconds">Median latency of one search, in milliseconds (one thread).</param>
/// <param name="P99Milliseconds">99th-percentile latency, in milliseconds.</param>
/// <param name="MeanCandidatesExamined">Mean <see cref="SearchResults.CandidatesExamined"/>.</param>
/// <param name="BuildVectorsPerSecond">How fast the trial index was built (bulk load, hashing included).</param>
public sealed record LshTrial(IndexModel Model, int Candidates, int Probes, double Recall, double MedianMilliseconds,
    double P99Milliseconds, double MeanCandidatesExamined, double BuildVectorsPerSecond);

/// <summary>Progress of a tuning run.</summary>
/// <param name="TrialsDone">Trials measured so far.</param>
/// <param name="TrialsTotal">Trials planned.</param>
/// <param name="Stage">What runs now ("ground truth", "building", "measuring").</param>
public readonly record struct LshTuningProgress(int TrialsDone, int TrialsTotal, string Stage);

/// <summary>The result of <see cref="LshTuner"/>: every trial, the recall/latency frontier and the pick.</summary>
public sealed class LshTuning
{
    internal LshTuning(IReadOnlyList<LshTrial> trials, IReadOnlyList<LshTrial> frontier, LshTrial? best, int indexedRows, int queries, double exactMedianMilliseconds)
    {
        Trials = trials;
        Frontier = frontier;
        Best = best;
        IndexedRows = indexedRows;
        Queries = queries;
        ExactMedianMilliseconds = exactMedianMilliseconds;
    }

    /// <summary>Every configuration measured, in the order tried.</summary>
    public IReadOnlyList<LshTrial> Trials { get; }

    /// <summary>
    /// The Pareto frontier: trials that no other trial beats on both recall and median latency,
    /// fastest first (like EsAknn's published table of recall against latency).
    /// </summary>
    public IReadOnlyList<LshTrial> Frontier { get; }

    /// <summary>The fastest trial that reached the target recall, or null when none did (then the frontier's best recall shows how close it came).</summary>
    public LshTrial? Best { get; }

    /// <summary>Rows indexed for the trials.</summary>
    public int IndexedRows { get; }

    /// <summary>Held-out queries measured per trial.</summary>
    public int Queries { get; }

    /// <summary>Median latency of an exact search over the same rows, for comparison.</summary>
    public double ExactMedianMilliseconds { get; }
}

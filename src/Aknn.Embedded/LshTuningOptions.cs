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

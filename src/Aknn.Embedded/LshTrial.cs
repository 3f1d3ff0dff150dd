namespace Aknn.Embedded;

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

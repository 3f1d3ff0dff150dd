namespace Aknn.Embedded;

/// <summary>Progress of a tuning run.</summary>
/// <param name="TrialsDone">Trials measured so far.</param>
/// <param name="TrialsTotal">Trials planned.</param>
/// <param name="Stage">What runs now ("ground truth", "building", "measuring").</param>
public readonly record struct LshTuningProgress(int TrialsDone, int TrialsTotal, string Stage);

namespace ImageDedup.Evaluation;

/// <summary>How well a scan grouped an edit set written by <see cref="EditSet"/>.</summary>
/// <param name="Files">Files scanned.</param>
/// <param name="TruePairs">Pairs of files from the same original (the ground truth).</param>
/// <param name="FoundPairs">Pairs of files placed in the same group.</param>
/// <param name="CorrectPairs">Found pairs that are true pairs.</param>
/// <param name="MissRateByEdit">For each edit (by file name without extension): the fraction of originals whose edited copy did not land in the original's group.</param>
public sealed record EditSetScore(int Files, long TruePairs, long FoundPairs, long CorrectPairs, IReadOnlyDictionary<string, double> MissRateByEdit)
{
    /// <summary>Correct pairs / true pairs.</summary>
    public double PairRecall => TruePairs == 0 ? 1 : (double)CorrectPairs / TruePairs;

    /// <summary>Correct pairs / found pairs (1 when nothing was grouped).</summary>
    public double PairPrecision => FoundPairs == 0 ? 1 : (double)CorrectPairs / FoundPairs;
}

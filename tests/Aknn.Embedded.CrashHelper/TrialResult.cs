namespace Aknn.Embedded.CrashHelper;

/// <summary>The outcome of one corruption trial and what the classification saw.</summary>
/// <param name="Outcome">The class.</param>
/// <param name="File">The damaged file's name.</param>
/// <param name="Offset">The byte offset of the flip or cut.</param>
/// <param name="Detail">What was found (the exception message, or the first wrong answer).</param>
public sealed record TrialResult(TrialOutcome Outcome, string File, long Offset, string Detail)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Outcome} ({File} at byte {Offset}): {Detail}";
}

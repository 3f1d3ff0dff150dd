namespace ImageDedup.Actions;

/// <summary>What <see cref="DuplicateMover.Execute"/> did.</summary>
/// <param name="Moved">The moves made.</param>
/// <param name="Skipped">Moves not made because something already exists at the target (nothing is overwritten) or the source is gone.</param>
/// <param name="Failed">Moves that failed, each with the error's message.</param>
public sealed record MoveOutcome(IReadOnlyList<PlannedMove> Moved, IReadOnlyList<(PlannedMove Move, string Reason)> Skipped, IReadOnlyList<(PlannedMove Move, string Reason)> Failed);

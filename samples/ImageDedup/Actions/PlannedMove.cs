namespace ImageDedup.Actions;

/// <summary>One move that <see cref="DuplicateMover"/> plans: a non-keeper into the duplicates folder.</summary>
/// <param name="RelativePath">The file's path relative to the scanned folder ('/' separators), kept below the duplicates folder.</param>
/// <param name="Source">The file's full path now.</param>
/// <param name="Target">Its full path after the move.</param>
/// <param name="Keeper">The relative path of its group's keeper, which stays.</param>
public sealed record PlannedMove(string RelativePath, string Source, string Target, string Keeper);

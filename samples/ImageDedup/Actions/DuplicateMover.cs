using System.Globalization;
using ImageDedup.Cli;
using ImageDedup.Scanning;

namespace ImageDedup.Actions;

/// <summary>
/// Moves every non-keeper of every group into a duplicates folder, keeping its path relative to
/// the scanned folder. It never deletes and never overwrites: a move whose target exists is
/// skipped and reported. The folder must lie outside the scanned folder, so that a rescan after
/// the move no longer sees the moved copies (and finds no groups among what is left).
/// </summary>
/// <param name="scannedFolder">The scanned folder.</param>
/// <param name="target">The duplicates folder (created by <see cref="Execute"/> when missing).</param>
public sealed class DuplicateMover(string scannedFolder, string target)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private readonly string _folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(scannedFolder));
    private readonly string _target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));

    /// <summary>Checks that <paramref name="target"/> can serve as the duplicates folder for <paramref name="scannedFolder"/>.</summary>
    /// <param name="scannedFolder">The folder to scan.</param>
    /// <param name="target">The folder named by <c>--move-duplicates</c>.</param>
    /// <exception cref="UsageException">The target is a file, or lies inside the scanned folder (or is it).</exception>
    public static void CheckTarget(string scannedFolder, string target)
    {
        string folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(scannedFolder));
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        if (File.Exists(full))
            throw new UsageException($"--move-duplicates '{target}' is a file; name a folder (it is created when missing).");
        StringComparison comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (string.Equals(full, folder, comparison) || full.StartsWith(folder + Path.DirectorySeparatorChar, comparison))
            throw new UsageException($"--move-duplicates '{target}' lies inside the scanned folder '{folder}', where the next scan would find the moved copies again; choose a folder outside it.");
    }

    /// <summary>The moves: every member of every group but its keeper.</summary>
    /// <param name="groups">The groups, keeper first.</param>
    public IReadOnlyList<PlannedMove> Plan(IReadOnlyList<ImageGroup> groups)
    {
        var moves = new List<PlannedMove>();
        foreach (ImageGroup group in groups)
        {
            foreach (GroupMember member in group.Members)
            {
                if (member.IsKeeper) continue;
                string relative = member.Path.Replace('/', Path.DirectorySeparatorChar);
                moves.Add(new PlannedMove(member.Path, Path.Combine(_folder, relative), Path.Combine(_target, relative), group.Keeper.Path));
            }
        }
        return moves;
    }

    /// <summary>Makes the moves, creating folders below the target as needed; never overwrites.</summary>
    /// <param name="moves">The moves from <see cref="Plan"/>.</param>
    public MoveOutcome Execute(IReadOnlyList<PlannedMove> moves)
    {
        var moved = new List<PlannedMove>();
        var skipped = new List<(PlannedMove, string)>();
        var failed = new List<(PlannedMove, string)>();
        foreach (PlannedMove move in moves)
        {
            if (File.Exists(move.Target) || Directory.Exists(move.Target))
            {
                skipped.Add((move, "something already exists at the target; nothing is overwritten"));
                continue;
            }
            if (!File.Exists(move.Source))
            {
                skipped.Add((move, "the file is gone"));
                continue;
            }
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(move.Target)!);
                File.Move(move.Source, move.Target, overwrite: false);
                moved.Add(move);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failed.Add((move, e.Message));
            }
        }
        return new MoveOutcome(moved, skipped, failed);
    }

    /// <summary>Lists the planned moves (the dry run) and how to carry them out.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="moves">The moves.</param>
    public static void WritePlan(TextWriter output, IReadOnlyList<PlannedMove> moves)
    {
        output.WriteLine();
        if (moves.Count == 0)
        {
            output.WriteLine("Nothing to move: no group has a copy besides its keeper.");
            return;
        }
        output.WriteLine(string.Create(Invariant, $"Would move {moves.Count:N0} duplicates (dry run; add --yes to move them):"));
        foreach (PlannedMove move in moves) output.WriteLine($"  {move.RelativePath} -> {move.Target}   (keeper: {move.Keeper})");
    }

    /// <summary>Reports what <see cref="Execute"/> did.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="outcome">The outcome.</param>
    public static void WriteOutcome(TextWriter output, MoveOutcome outcome)
    {
        output.WriteLine();
        foreach (PlannedMove move in outcome.Moved) output.WriteLine($"  moved {move.RelativePath} -> {move.Target}");
        foreach (var (move, reason) in outcome.Skipped) output.WriteLine($"  not moved {move.RelativePath}: {reason}");
        foreach (var (move, reason) in outcome.Failed) output.WriteLine($"  FAILED {move.RelativePath}: {reason}");
        output.WriteLine(string.Create(Invariant, $"{outcome.Moved.Count:N0} moved, {outcome.Skipped.Count:N0} skipped, {outcome.Failed.Count:N0} failed."));
    }
}

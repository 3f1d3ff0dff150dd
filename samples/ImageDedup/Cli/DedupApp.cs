using System.Diagnostics;
using Aknn.Embedded;
using ImageDedup.Actions;
using ImageDedup.Hashing;
using ImageDedup.Output;
using ImageDedup.Scanning;

namespace ImageDedup.Cli;

/// <summary>The program behind <c>Program.cs</c>: parses the command line, scans, prints the groups.</summary>
public static class DedupApp
{
    /// <summary>Exit code: done (whether or not duplicates were found).</summary>
    public const int Success = 0;

    /// <summary>Exit code: index locked or damaged, a move that failed, or another error.</summary>
    public const int Failure = 1;

    /// <summary>Exit code: the command line is wrong.</summary>
    public const int BadUsage = 2;

    /// <summary>Exit code: cancelled with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    /// <summary>Runs the program.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="output">Standard output: the groups and the summary.</param>
    /// <param name="error">Standard error: progress, warnings and errors.</param>
    /// <param name="errorIsTerminal">Whether <paramref name="error"/> is a terminal (draw a progress bar).</param>
    /// <param name="cancellationToken">Ctrl+C: stops the scan, keeping what was hashed.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool errorIsTerminal, CancellationToken cancellationToken)
    {
        CommandLine command;
        try
        {
            command = CommandLine.Parse(args);
        }
        catch (UsageException e)
        {
            error.WriteLine("error: " + e.Message);
            error.WriteLine("Run with --help for usage.");
            return BadUsage;
        }
        if (command.ShowHelp)
        {
            output.WriteLine(CommandLine.Usage);
            return Success;
        }
        if (!Directory.Exists(command.Folder))
        {
            error.WriteLine($"error: The folder '{command.Folder}' does not exist.");
            return BadUsage;
        }
        // Everything the run will write is checked before the scan, which may take long.
        try
        {
            if (command.JsonPath is not null) OutputFile.CheckWritable(command.JsonPath, "--json");
            if (command.HtmlPath is not null) OutputFile.CheckWritable(command.HtmlPath, "--html");
            if (command.MoveDuplicatesTo is not null) DuplicateMover.CheckTarget(command.Folder, command.MoveDuplicatesTo);
        }
        catch (UsageException e)
        {
            error.WriteLine("error: " + e.Message);
            return BadUsage;
        }

        var clock = Stopwatch.StartNew();
        var status = new StatusWriter(error, errorIsTerminal, command.Quiet);
        var settings = new DedupSettings
        {
            Folder = command.Folder,
            Hash = command.Hash,
            Radius = command.Radius,
            IndexRoot = command.IndexRoot,
            IncludeLowQuality = command.IncludeLowQuality,
            CropHashes = command.Crops,
            DecodeMinimumSide = command.FullResolution ? 0 : DedupSettings.DefaultDecodeMinimumSide,
        };
        try
        {
            using DedupScanner scanner = DedupScanner.Open(settings);
            ScanSummary scan = await scanner.ScanAsync(status, f => status.Warn($"not hashed: '{f.Path}': {f.Reason}"), cancellationToken);
            status.Clear();
            if (scan.WasCancelled)
            {
                error.WriteLine($"Cancelled: {scan.HashedNow:N0} images hashed now are saved in the index; run again to hash the rest.");
                return Cancelled;
            }

            GroupingResult result = scanner.FindGroups(status, cancellationToken);
            IReadOnlyList<ImageGroup> groups = result.Groups;
            status.Clear();
            TextReport.WriteGroups(output, groups);
            TextReport.WriteSummary(output, scan, result, scanner.Hash.Name(), scanner.Radius, clock.Elapsed);
            if (!command.Quiet) error.WriteLine($"index: {scanner.IndexFolder}");
            if (command.JsonPath is not null)
            {
                JsonReport.Create(scanner, scan, result).WriteTo(command.JsonPath);
                if (!command.Quiet) error.WriteLine($"JSON report: {Path.GetFullPath(command.JsonPath)}");
            }
            if (command.HtmlPath is not null)
            {
                HtmlReport.Write(command.HtmlPath, scanner, scan, result);
                if (!command.Quiet) error.WriteLine($"HTML report: {Path.GetFullPath(command.HtmlPath)}");
            }
            if (command.MoveDuplicatesTo is not null)
            {
                var mover = new DuplicateMover(scanner.Folder, command.MoveDuplicatesTo);
                IReadOnlyList<PlannedMove> moves = mover.Plan(groups);
                if (!command.Yes)
                {
                    DuplicateMover.WritePlan(output, moves);
                    return Success;
                }
                MoveOutcome outcome = mover.Execute(moves);
                DuplicateMover.WriteOutcome(output, outcome);
                return outcome.Failed.Count == 0 ? Success : Failure;
            }
            return Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            status.Clear();
            error.WriteLine("Cancelled while grouping; the hashes are saved in the index.");
            return Cancelled;
        }
        catch (IndexLockedException)
        {
            status.Clear();
            error.WriteLine("error: Another ImageDedup is using the same cache (for this folder and hash) right now. " +
                            "Wait for it to finish, or pass --index with another folder.");
            return Failure;
        }
        catch (Exception e) when (e is AknnException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            status.Clear();
            error.WriteLine("error: " + e.Message);
            return Failure;
        }
    }
}

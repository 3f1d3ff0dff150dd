using System.Diagnostics;
using Aknn.Embedded;
using ImageDedup.Decoding;
using ImageDedup.Hashing;
using ImageDedup.Output;
using ImageDedup.Scanning;

namespace ImageDedup.Cli;

/// <summary>The program behind <c>Program.cs</c>: parses the command line, scans, prints the groups.</summary>
public static class DedupApp
{
    /// <summary>Exit code: done (whether or not duplicates were found).</summary>
    public const int Success = 0;

    /// <summary>Exit code: ImageMagick missing, index locked or damaged, or another error.</summary>
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

        var clock = Stopwatch.StartNew();
        var status = new StatusWriter(error, errorIsTerminal, command.Quiet);
        var settings = new DedupSettings
        {
            Folder = command.Folder,
            Hash = command.Hash,
            Radius = command.Radius,
            IndexRoot = command.IndexRoot,
            MagickExecutable = command.MagickExecutable,
        };
        try
        {
            using DedupScanner scanner = DedupScanner.Open(settings);
            ScanSummary scan = await scanner.ScanAsync(status, f => status.Warn($"cannot decode '{f.Path}': {f.Reason}"), cancellationToken);
            status.Clear();
            if (scan.WasCancelled)
            {
                error.WriteLine($"Cancelled: {scan.HashedNow:N0} images hashed now are saved in the index; run again to hash the rest.");
                return Cancelled;
            }

            IReadOnlyList<ImageGroup> groups = scanner.FindGroups(status, cancellationToken);
            status.Clear();
            TextReport.WriteGroups(output, groups);
            TextReport.WriteSummary(output, scan, groups, scanner.Hash.Name(), scanner.Radius, clock.Elapsed);
            if (!command.Quiet) error.WriteLine($"index: {scanner.IndexFolder}");
            if (command.JsonPath is not null)
            {
                JsonReport.Create(scanner, scan, groups).WriteTo(command.JsonPath);
                if (!command.Quiet) error.WriteLine($"JSON report: {Path.GetFullPath(command.JsonPath)}");
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
        catch (Exception e) when (e is ImageMagickNotFoundException or AknnException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            status.Clear();
            error.WriteLine("error: " + e.Message);
            return Failure;
        }
    }
}

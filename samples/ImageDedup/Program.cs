// ImageDedup: finds near-duplicate photos in a folder with perceptual hashes kept in an
// Aknn.Embedded index. Run with: dotnet run -c Release --project samples/ImageDedup -- <folder>
// The work is in Cli/DedupApp.cs and Scanning/DedupScanner.cs; this file only wires up Ctrl+C.
using ImageDedup.Cli;
using ImageDedup.Evaluation;

// Maintainers' commands that make and score the test sets of docs/benchmarks.md.
if (await EvaluationCommands.TryRunAsync(args, Console.Out) is int done) return done;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cancel.IsCancellationRequested) return; // a second Ctrl+C ends the program at once
    e.Cancel = true;
    Console.Error.WriteLine();
    Console.Error.WriteLine("Stopping: saving what was hashed (Ctrl+C again to quit at once)...");
    cancel.Cancel();
};
return await DedupApp.RunAsync(args, Console.Out, Console.Error, errorIsTerminal: !Console.IsErrorRedirected, cancel.Token);

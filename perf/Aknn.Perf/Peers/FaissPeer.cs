using System.Diagnostics;

namespace Aknn.Perf.Peers;

/// <summary>
/// Runs <c>peers/faiss_peer.py</c> (float vectors) or <c>peers/faiss_binary_peer.py</c> (binary
/// codes), FAISS from Debian's python3-faiss, single-threaded, on the same data files and relays the
/// RESULT lines it prints.
/// </summary>
internal static class FaissPeer
{
    public static List<ResultRow> Run(PerfContext ctx, string mode, params string[] args) => RunScript(ctx, "faiss_peer.py", mode, args);

    /// <summary>Runs <c>peers/faiss_binary_peer.py</c>.</summary>
    public static List<ResultRow> RunBinary(PerfContext ctx, string mode, params string[] args) => RunScript(ctx, "faiss_binary_peer.py", mode, args);

    private static List<ResultRow> RunScript(PerfContext ctx, string scriptName, string mode, string[] args)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "peers", scriptName);
        var results = new List<ResultRow>();
        if (!File.Exists(script))
        {
            ResultPrinter.Note($"faiss peer skipped: {script} is missing");
            return results;
        }
        var start = new ProcessStartInfo(ctx.Options.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(mode);
        foreach (string a in args) start.ArgumentList.Add(a);
        // One thread, as for the library: FAISS reads these before it starts its OpenMP pool.
        start.Environment["OMP_NUM_THREADS"] = "1";
        start.Environment["OPENBLAS_NUM_THREADS"] = "1";
        Console.WriteLine($"  running faiss peer: {ctx.Options.Python} {scriptName} {mode} {string.Join(' ', args)}");
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            ResultPrinter.Note($"faiss peer skipped: cannot run {ctx.Options.Python} ({e.Message})");
            return results;
        }
        using (process)
        {
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null) Console.WriteLine("  [faiss] " + e.Data);
            };
            process.BeginErrorReadLine();
            while (process.StandardOutput.ReadLine() is { } line)
            {
                var row = ctx.Printer.Relay(line);
                if (row is not null) results.Add(row);
                else Console.WriteLine("  [faiss] " + line);
            }
            process.WaitForExit();
            if (process.ExitCode != 0) ResultPrinter.Note($"faiss peer exited with code {process.ExitCode}");
        }
        return results;
    }
}

using System.Diagnostics;

namespace Aknn.Perf.Peers;

/// <summary>
/// Runs one of the Python peer scripts in <c>peers/</c> under <see cref="PerfOptions.Python"/>
/// (Debian's <c>/usr/bin/python3</c>, which has python3-faiss and python3-hnswlib), relays the RESULT
/// lines it prints to the harness's printer and echoes everything else with a <c>[label]</c> prefix.
/// A missing script or interpreter, or a failing script, is reported and yields no rows.
/// </summary>
internal static class PythonPeer
{
    /// <param name="ctx">The run.</param>
    /// <param name="label">The peer's name in progress lines ("faiss", "hnswlib").</param>
    /// <param name="scriptName">The script's file name under <c>peers/</c>.</param>
    /// <param name="mode">The script's first argument.</param>
    /// <param name="args">Further arguments.</param>
    /// <param name="environment">Extra environment variables, or null.</param>
    public static List<ResultRow> Run(PerfContext ctx, string label, string scriptName, string mode, IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "peers", scriptName);
        var results = new List<ResultRow>();
        if (!File.Exists(script))
        {
            ResultPrinter.Note($"{label} peer skipped: {script} is missing");
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
        if (environment is not null)
            foreach (var (key, value) in environment) start.Environment[key] = value;
        Console.WriteLine($"  running {label} peer: {ctx.Options.Python} {scriptName} {mode} {string.Join(' ', args)}");
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            ResultPrinter.Note($"{label} peer skipped: cannot run {ctx.Options.Python} ({e.Message})");
            return results;
        }
        using (process)
        {
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null) Console.WriteLine($"  [{label}] " + e.Data);
            };
            process.BeginErrorReadLine();
            while (process.StandardOutput.ReadLine() is { } line)
            {
                var row = ctx.Printer.Relay(line);
                if (row is not null) results.Add(row);
                else Console.WriteLine($"  [{label}] " + line);
            }
            process.WaitForExit();
            if (process.ExitCode != 0) ResultPrinter.Note($"{label} peer exited with code {process.ExitCode}");
        }
        return results;
    }
}

using System.Diagnostics;

namespace Aknn.Embedded.Orleans.Tests.Integration;

/// <summary>
/// A program the test starts (redis-server, a silo of the Cluster sample): its output lines are
/// collected so the test can wait for a readiness line and show the output when something fails.
/// Disposing kills it if it still runs.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly string _name;

    private ChildProcess(string name, Process process)
    {
        _name = name;
        _process = process;
    }

    public static ChildProcess Start(string name, string program, IEnumerable<string> arguments, string workingDirectory)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        var process = new Process { StartInfo = info };
        var child = new ChildProcess(name, process);
        process.OutputDataReceived += (_, e) => child.Add(e.Data);
        process.ErrorDataReceived += (_, e) => child.Add(e.Data);
        if (!process.Start()) throw new InvalidOperationException($"Could not start {name}: {program} {string.Join(' ', info.ArgumentList)}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>
    /// The host that runs a framework-dependent dll: the one the dotnet CLI names for what it starts
    /// (DOTNET_HOST_PATH, set under <c>dotnet test</c>), else "dotnet" from PATH.
    /// </summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public bool HasExited => _process.HasExited;

    /// <summary>Waits until a line of output contains <paramref name="text"/>; throws with the output so far if the process exits first or the time runs out.</summary>
    public async Task WaitForLineAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            lock (_lines)
            {
                if (_lines.Any(line => line.Contains(text, StringComparison.Ordinal))) return;
            }
            if (_process.HasExited)
                throw new InvalidOperationException($"{_name} exited (code {_process.ExitCode}) before printing '{text}'. Its output:\n{Output()}");
            await Task.Delay(50);
        }
        throw new TimeoutException($"{_name} did not print '{text}' within {timeout.TotalSeconds:F0} s. Its output:\n{Output()}");
    }

    /// <summary>Ends the process at once (SIGKILL on Linux): no shutdown code runs, as when a machine dies.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }
    }

    /// <summary>The last lines of output, for failure messages.</summary>
    public string Output(int lastLines = 60)
    {
        lock (_lines) return string.Join('\n', _lines.TakeLast(lastLines));
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null) return;
        lock (_lines) _lines.Add(line);
    }
}

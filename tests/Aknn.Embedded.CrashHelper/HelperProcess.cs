using System.Diagnostics;

namespace Aknn.Embedded.CrashHelper;

/// <summary>
/// A running Aknn.Embedded.CrashHelper process, started by the crash tests and the perf `crash`
/// workload (the dll is copied next to each of them). Collects every stdout line as it arrives,
/// so that lines written just before a SIGKILL are still seen.
/// </summary>
public sealed class HelperProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly System.Text.StringBuilder _stderr = new();

    private HelperProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Path of the helper's dll in the caller's output folder.</summary>
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "Aknn.Embedded.CrashHelper.dll");

    /// <summary>
    /// The dotnet host: the one running the tests (the CLI exports it) or this program, else the
    /// one under DOTNET_ROOT, else "dotnet" from PATH (an apphost is not a host for another dll).
    /// </summary>
    private static string DotnetHost
    {
        get
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
            string? self = Environment.ProcessPath;
            if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
            string? root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
            if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
            return "dotnet";
        }
    }

    public static HelperProcess Start(params string[] args)
    {
        if (!File.Exists(DllPath)) throw new InvalidOperationException($"The crash helper was not built next to this program: {DllPath}");
        var info = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DllPath);
        foreach (string a in args) info.ArgumentList.Add(a);
        var process = new Process { StartInfo = info };
        var helper = new HelperProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (helper._lines)
            {
                helper._lines.Add(e.Data);
                Monitor.PulseAll(helper._lines);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (helper._stderr) helper._stderr.AppendLine(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return helper;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the helper wrote to stderr so far (for failure messages).</summary>
    public string StandardError
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>The stdout lines received so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    /// <summary>Waits until a line matching <paramref name="match"/> arrives; returns it, or null on timeout or exit.</summary>
    public string? WaitForLine(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        int seen = 0;
        while (true)
        {
            bool exited = _process.HasExited;
            if (exited) _process.WaitForExit(); // the process is gone: wait until its stdout is fully read
            lock (_lines)
            {
                for (; seen < _lines.Count; seen++)
                    if (match(_lines[seen])) return _lines[seen];
                TimeSpan left = deadline - DateTime.UtcNow;
                if (exited || left <= TimeSpan.Zero) return null;
                Monitor.Wait(_lines, Min(left, TimeSpan.FromMilliseconds(50)));
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>Sends a line to the helper's stdin.</summary>
    public void SendLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>SIGKILL on Unix (TerminateProcess on Windows): no finaliser, no flush, no dispose runs.</summary>
    public void KillHard()
    {
        try { _process.Kill(entireProcessTree: false); }
        catch (InvalidOperationException) { /* already gone */ }
        WaitForExit(TimeSpan.FromSeconds(30));
    }

    /// <summary>Waits for the process to end and for its stdout to be fully read.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit(); // drains the redirected streams
        return true;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: false);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}

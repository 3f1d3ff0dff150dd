using System.Diagnostics;

namespace Aknn.Perf.Workloads;

/// <summary>
/// A running Aknn.Embedded.CrashHelper process (its dll is copied next to Aknn.Perf). Collects its
/// stdout lines as they arrive, so that lines written just before a SIGKILL are still seen.
/// </summary>
internal sealed class ChildWriter : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private ChildWriter(Process process) => _process = process;

    private static string DllPath => Path.Combine(AppContext.BaseDirectory, "Aknn.Embedded.CrashHelper.dll");

    /// <summary>The dotnet host running this program, or "dotnet" from PATH (an apphost is not a host for another dll).</summary>
    private static string DotnetHost
    {
        get
        {
            string? self = Environment.ProcessPath;
            if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
            string? root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
            if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
            return "dotnet";
        }
    }

    public static ChildWriter Start(params string[] args)
    {
        if (!File.Exists(DllPath)) throw new InvalidOperationException($"The crash helper was not built next to Aknn.Perf: {DllPath}");
        var info = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DllPath);
        foreach (string a in args) info.ArgumentList.Add(a);
        var process = new Process { StartInfo = info };
        var child = new ChildWriter(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (child._lines)
            {
                child._lines.Add(e.Data);
                Monitor.PulseAll(child._lines);
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The stdout lines received so far.</summary>
    public List<string> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    /// <summary>Waits until a line matching <paramref name="match"/> arrives; false on timeout or exit.</summary>
    public bool WaitForLine(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        int seen = 0;
        while (true)
        {
            bool exited = _process.HasExited;
            lock (_lines)
            {
                for (; seen < _lines.Count; seen++)
                    if (match(_lines[seen])) return true;
                TimeSpan left = deadline - DateTime.UtcNow;
                if (exited || left <= TimeSpan.Zero) return false;
                Monitor.Wait(_lines, left < TimeSpan.FromMilliseconds(50) ? left : TimeSpan.FromMilliseconds(50));
            }
        }
    }

    /// <summary>SIGKILL: no finaliser, no flush, no dispose runs in the child. Waits until its stdout is fully read.</summary>
    public void KillHard()
    {
        try { _process.Kill(entireProcessTree: false); }
        catch (InvalidOperationException) { /* already gone */ }
        _process.WaitForExit();
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

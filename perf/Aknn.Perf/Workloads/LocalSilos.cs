using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Aknn.Perf.Workloads;

/// <summary>
/// Silos of the <c>samples/Cluster</c> program started as separate local processes for the
/// <c>cluster</c> workload, each with its own data folder under one temporary root and a shared
/// shard-map folder. Dispose kills every process (also on Ctrl+C or an exception) and deletes the root.
/// </summary>
internal sealed class LocalSilos : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    // Every live instance, so that Ctrl+C and process exit still stop their processes.
    private static readonly List<LocalSilos> Live = [];

    // Folders of the caller's to delete too when the program is stopped (after the silos are killed).
    private static readonly List<string> Folders = [];
    private static bool _hooked;

    // Kept so that the signal handlers stay registered for the life of the program.
    private static readonly List<PosixSignalRegistration> Signals = [];

    private readonly List<Process> _processes = [];
    private readonly List<StringBuilder> _stderr = [];
    private readonly string _root;
    private bool _disposed;

    private LocalSilos(string root)
    {
        _root = root;
    }

    /// <summary>Gateway port of each silo (silo port + 1000, as the sample sets it), for the client.</summary>
    public List<int> Gateways { get; } = [];

    /// <summary>The name of each silo (the sample derives it from the port: <c>silo-PORT</c>).</summary>
    public List<string> Names { get; } = [];

    /// <summary>Process ids, for the log.</summary>
    public IEnumerable<int> ProcessIds => _processes.Select(p => p.Id);

    /// <summary>
    /// Starts <paramref name="count"/> silos one after the other (the first is the primary that holds
    /// development membership) and waits until each prints that it is up.
    /// </summary>
    /// <param name="siloDll">The built <c>Cluster.dll</c>.</param>
    /// <param name="count">Number of silo processes.</param>
    /// <param name="root">A folder that does not exist yet; removed again by <see cref="Dispose"/>.</param>
    public static LocalSilos Start(string siloDll, int count, string root)
    {
        HookExit();
        var silos = new LocalSilos(root);
        lock (Live) Live.Add(silos);
        try
        {
            Directory.CreateDirectory(root);
            int[] ports = FreePortPairs(count);
            for (int i = 0; i < count; i++) silos.StartOne(siloDll, ports[i], ports[0]);
            return silos;
        }
        catch
        {
            silos.Dispose();
            throw;
        }
    }

    private void StartOne(string siloDll, int port, int primary)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string P(int v) => v.ToString(CultureInfo.InvariantCulture);
        foreach (string a in new[] { siloDll, "silo", "--port", P(port), "--primary", P(primary),
                     "--data", Path.Combine(_root, "silo-" + P(port)), "--maps", Path.Combine(_root, "maps") })
            info.ArgumentList.Add(a);
        var process = new Process { StartInfo = info };
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && e.Data.Contains(" is up", StringComparison.Ordinal)) up.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.AppendLine(e.Data);
        };
        process.Start();
        _processes.Add(process);
        _stderr.Add(stderr);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        int done = Task.WaitAny([up.Task, exited], StartTimeout);
        if (done != 0)
        {
            string why = done == 1 ? $"exited with code {process.ExitCode}" : $"did not report that it was up within {StartTimeout.TotalSeconds:F0} s";
            string err;
            lock (stderr) err = stderr.ToString();
            throw new InvalidOperationException($"The silo on port {port} ({siloDll}) {why}. Its error output:\n{err}");
        }
        Gateways.Add(port + 1000);
        Names.Add("silo-" + P(port));
    }

    /// <summary>Processor time used so far by all silo processes together (user and system, from /proc on Linux).</summary>
    public TimeSpan ProcessorTime()
    {
        var total = TimeSpan.Zero;
        foreach (var p in _processes)
        {
            p.Refresh();
            total += p.TotalProcessorTime;
        }
        return total;
    }

    /// <summary>Whether every silo process is still running (a crashed silo makes the figures meaningless).</summary>
    public void EnsureRunning()
    {
        for (int i = 0; i < _processes.Count; i++)
        {
            if (!_processes[i].HasExited) continue;
            string err;
            lock (_stderr[i]) err = _stderr[i].ToString();
            throw new InvalidOperationException($"Silo {Names.ElementAtOrDefault(i)} exited with code {_processes[i].ExitCode} during the run. Its error output:\n{err}");
        }
    }

    /// <summary>Kills every silo process, waits for it, and deletes the temporary root.</summary>
    public void Dispose()
    {
        lock (Live)
        {
            if (_disposed) return;
            _disposed = true;
            Live.Remove(this);
        }
        foreach (var p in _processes)
        {
            try
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                p.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // Never started or already gone.
            }
            p.Dispose();
        }
        DeleteFolder(_root);
    }

    /// <summary>Deletes a folder, retrying briefly while a just-killed process still holds files open.</summary>
    public static void DeleteFolder(string folder)
    {
        for (int attempt = 0; Directory.Exists(folder); attempt++)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException) when (attempt < 10)
            {
                Thread.Sleep(200);
            }
            catch (UnauthorizedAccessException) when (attempt < 10)
            {
                Thread.Sleep(200);
            }
        }
    }

    /// <summary>
    /// Deletes <paramref name="folder"/> also when the program is stopped by Ctrl+C or SIGTERM, after
    /// the silos are killed (the caller's own finally block does not run then).
    /// </summary>
    public static void DeleteOnExit(string folder)
    {
        HookExit();
        lock (Live) Folders.Add(folder);
    }

    private static void HookExit()
    {
        lock (Live)
        {
            if (_hooked) return;
            _hooked = true;
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DisposeLive();
        // Ctrl+C and SIGTERM: clean up in the handler, then let the default action end the program.
        Signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => DisposeLive()));
        Signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => DisposeLive()));
    }

    private static void DisposeLive()
    {
        LocalSilos[] live;
        string[] folders;
        lock (Live)
        {
            live = [.. Live];
            folders = [.. Folders];
        }
        foreach (var s in live) s.Dispose();
        foreach (string folder in folders)
        {
            try
            {
                DeleteFolder(folder);
            }
            catch (IOException)
            {
                // The program is going away; a folder still busy is left for the next run to remove.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>
    /// Ports p (silo) with p + 1000 (gateway) also free, for each silo. Checked by binding both just
    /// before the silos start; a port taken in between makes that silo fail to start, with its error.
    /// </summary>
    private static int[] FreePortPairs(int count)
    {
        var ports = new List<int>();
        var random = new Random();
        for (int tries = 0; ports.Count < count; tries++)
        {
            if (tries > 1000) throw new InvalidOperationException("Found no free pair of local ports (p, p + 1000) for a silo.");
            int p = random.Next(20_000, 30_000);
            if (ports.Contains(p) || ports.Contains(p + 1000) || ports.Contains(p - 1000)) continue;
            if (IsFree(p) && IsFree(p + 1000)) ports.Add(p);
        }
        return [.. ports];
    }

    private static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The dotnet host running this program, else the one under DOTNET_ROOT, else "dotnet" from PATH.</summary>
    private static string DotnetHost()
    {
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        string? root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
        return "dotnet";
    }
}

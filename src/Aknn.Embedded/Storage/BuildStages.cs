using System.Diagnostics;

namespace Aknn.Embedded.Storage;

/// <summary>
/// An internal diagnostics hook for the perf workloads: while a thread has called <see cref="Start"/>,
/// the bulk load and the segment writer running on that thread record how long each stage took
/// (validation, duplicate check, each section, the sync), in wall-clock time and in the CPU time of
/// the whole process (all threads; on a shared machine the CPU time says more about the work than
/// the wall time). Off (one null check per stage) otherwise.
/// </summary>
internal static class BuildStages
{
    [ThreadStatic] private static List<(string Stage, double Ms, double CpuMs)>? _stages;
    [ThreadStatic] private static long _last;
    [ThreadStatic] private static TimeSpan _lastCpu;

    /// <summary>Starts recording on this thread (dropping what was recorded before).</summary>
    public static void Start()
    {
        _stages = [];
        _lastCpu = Process.GetCurrentProcess().TotalProcessorTime;
        _last = Stopwatch.GetTimestamp();
    }

    /// <summary>Ends the stage that began at the previous mark (or at <see cref="Start"/>) under <paramref name="stage"/>.</summary>
    public static void Mark(string stage)
    {
        if (_stages is null) return;
        long now = Stopwatch.GetTimestamp();
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        _stages.Add((stage, Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds, (cpu - _lastCpu).TotalMilliseconds));
        _lastCpu = cpu;
        _last = Stopwatch.GetTimestamp();
    }

    /// <summary>Stops recording and returns the stages in order (stages marked twice are summed).</summary>
    public static List<(string Stage, double Ms, double CpuMs)> Stop()
    {
        var result = new List<(string Stage, double Ms, double CpuMs)>();
        foreach (var (stage, ms, cpuMs) in _stages ?? [])
        {
            int at = result.FindIndex(s => s.Stage == stage);
            if (at >= 0) result[at] = (stage, result[at].Ms + ms, result[at].CpuMs + cpuMs);
            else result.Add((stage, ms, cpuMs));
        }
        _stages = null;
        return result;
    }
}

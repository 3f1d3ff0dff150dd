using System.Diagnostics;

namespace Aknn.Perf;

/// <summary>Small statistics and timing helpers.</summary>
internal static class Stats
{
    public static double Median(IEnumerable<double> values) => Percentile(values, 50);

    /// <summary>The <paramref name="p"/>-th percentile, interpolating linearly between the two nearest ranks.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        double[] sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        double rank = p / 100 * (sorted.Length - 1);
        int lo = (int)Math.Floor(rank);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }

    public static double Ms(long fromTimestamp, long toTimestamp) =>
        (toTimestamp - fromTimestamp) * 1000.0 / Stopwatch.Frequency;

    public static double MsSince(long fromTimestamp) => Ms(fromTimestamp, Stopwatch.GetTimestamp());

    /// <summary>Bytes in every file under <paramref name="folder"/>.</summary>
    public static long FolderBytes(string folder) =>
        Directory.Exists(folder) ? new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;

    /// <summary>Bytes this process has caused to be sent to storage so far (Linux /proc/self/io write_bytes), or null elsewhere.</summary>
    public static long? ProcessWriteBytes() => ProcessIo("write_bytes:");

    /// <summary>Bytes this process has caused to be read from storage so far (Linux /proc/self/io read_bytes), or null elsewhere.</summary>
    public static long? ProcessReadBytes() => ProcessIo("read_bytes:");

    private static long? ProcessIo(string field)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/io"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(field.Length).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>The 1-minute load average (Linux /proc/loadavg): how busy the shared machine was; NaN elsewhere.</summary>
    public static double LoadAverage()
    {
        try
        {
            string first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
        catch (UnauthorizedAccessException)
        {
            return double.NaN;
        }
    }

    /// <summary>Collects garbage now so that a collection does not land inside a timed section.</summary>
    public static void Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }
}

/// <summary>Garbage-collector activity over a timed section: collections, pause time and bytes allocated.</summary>
internal readonly struct GcMeter
{
    private readonly int _gen0, _gen1, _gen2;
    private readonly TimeSpan _pause;
    private readonly long _allocated;

    private GcMeter(int gen0, int gen1, int gen2, TimeSpan pause, long allocated)
    {
        _gen0 = gen0; _gen1 = gen1; _gen2 = gen2; _pause = pause; _allocated = allocated;
    }

    public static GcMeter Start() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
        GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes(precise: true));

    public int Gen0 => GC.CollectionCount(0) - _gen0;
    public int Gen1 => GC.CollectionCount(1) - _gen1;
    public int Gen2 => GC.CollectionCount(2) - _gen2;
    public double PauseMs => (GC.GetTotalPauseDuration() - _pause).TotalMilliseconds;
    public long Allocated => GC.GetTotalAllocatedBytes(precise: true) - _allocated;
}

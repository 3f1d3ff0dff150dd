namespace Aknn.Perf;

/// <summary>
/// This process's resident memory from /proc/self/status (Linux): the current size and the peak
/// ("high water mark"), which <see cref="ResetPeak"/> sets back to the current size, so that the
/// peak of one phase (the searches, after the builds) can be read on its own.
/// </summary>
internal static class ProcessMemory
{
    /// <summary>Sets the peak back to the current resident size (writes 5 to /proc/self/clear_refs); false where that is not possible.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>Peak resident memory in MiB (VmHWM), NaN where /proc is not there.</summary>
    public static double PeakMb() => Field("VmHWM:");

    /// <summary>Current resident memory in MiB (VmRSS), NaN where /proc is not there.</summary>
    public static double CurrentMb() => Field("VmRSS:");

    private static double Field(string name)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith(name, StringComparison.Ordinal)) continue;
                string[] parts = line[name.Length..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0; // kB
            }
        }
        catch (IOException) { }
        return double.NaN;
    }
}

using System.Diagnostics;

namespace Aknn.Embedded.Search;

/// <summary>
/// An internal diagnostics hook for the perf workloads, the search-side twin of
/// <see cref="Storage.BuildStages"/>: while a thread has called <see cref="Start"/>, the approximate
/// searches on that thread add the wall time of each stage (hashing and probe generation, bucket
/// counting or code ranking, picking the budget, the int8 pass, the exact re-rank) to per-stage
/// totals. Off (one null check per stage) otherwise.
/// </summary>
internal static class SearchStages
{
    /// <summary>The stages, in the order a search runs them.</summary>
    public enum Stage
    {
        /// <summary>Hashing the query and generating the multi-probe keys.</summary>
        Probe,
        /// <summary>Reading the probed buckets and counting each row's matches (or ranking sign codes).</summary>
        Count,
        /// <summary>Ordering the candidates by count and taking the budget (deleted and screened rows skipped).</summary>
        Pick,
        /// <summary>Scoring the picked rows with their int8 copies.</summary>
        Int8,
        /// <summary>Gathering rows and computing exact distances.</summary>
        Exact,
    }

    [ThreadStatic] private static double[]? t_ms;

    /// <summary>Starts recording on this thread (dropping what was recorded before).</summary>
    public static void Start() => t_ms = new double[Enum.GetValues<Stage>().Length];

    /// <summary>The current time when recording on this thread, else 0 (for <see cref="Mark"/>).</summary>
    public static long Now() => t_ms is null ? 0 : Stopwatch.GetTimestamp();

    /// <summary>Adds the time since <paramref name="since"/> to <paramref name="stage"/>; returns the new mark (0 when not recording).</summary>
    public static long Mark(Stage stage, long since)
    {
        if (t_ms is not { } ms) return 0;
        long now = Stopwatch.GetTimestamp();
        ms[(int)stage] += Stopwatch.GetElapsedTime(since, now).TotalMilliseconds;
        return now;
    }

    /// <summary>Stops recording and returns the milliseconds spent per stage since <see cref="Start"/>.</summary>
    public static IReadOnlyList<(Stage Stage, double Ms)> Stop()
    {
        double[] ms = t_ms ?? [];
        t_ms = null;
        return ms.Select((m, i) => ((Stage)i, m)).ToList();
    }
}

using System.Diagnostics;

namespace Aknn.Perf;

/// <summary>
/// What a second thread gives on this machine right now: the throughput of two threads running a
/// pure arithmetic loop (no memory, no shared state) over that of one. On an idle 2-core machine
/// it is about 2; on a loaded shared one it shows how much of a 2-thread search ratio the machine
/// allowed at all.
/// </summary>
internal static class CpuScaling
{
    /// <summary>Median over <paramref name="rounds"/> of the two-thread / one-thread throughput ratio (about 0.3 s a round).</summary>
    public static double TwoThreadRatio(int rounds = 3)
    {
        const long Steps = 100_000_000;
        Run(1, Steps / 10); // JIT
        var ratios = new List<double>();
        for (int r = 0; r < rounds; r++) ratios.Add(Run(2, Steps) / Run(1, Steps));
        return Stats.Median(ratios);
    }

    /// <summary>Steps per second of <paramref name="threads"/> threads sharing <paramref name="steps"/> steps of a linear congruential generator.</summary>
    private static double Run(int threads, long steps)
    {
        long start = Stopwatch.GetTimestamp();
        var all = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            ulong seed = (ulong)t + 1;
            all[t] = new Thread(() =>
            {
                ulong x = seed;
                for (long i = 0; i < steps / threads; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
                GC.KeepAlive(x);
            });
            all[t].Start();
        }
        foreach (Thread t in all) t.Join();
        return steps / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using Aknn.Perf.Workloads;

namespace Aknn.Perf;

/// <summary>
/// Side-by-side performance harness: runs one workload against Aknn.Embedded (and, with
/// <c>--peers</c>, against FAISS and hnswlib on the same files) and prints RESULT lines and tables.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        PerfOptions options;
        try
        {
            options = PerfOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(PerfOptions.Usage);
            return 2;
        }

        var ctx = new PerfContext(options);
        Console.WriteLine($"Aknn.Perf {options.Workload}: {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} cores, data in {ctx.Store.Folder}");
#if DEBUG
        Console.WriteLine("warning: a Debug build; timings are meaningless. Use -c Release.");
#endif
        long t = Stopwatch.GetTimestamp();
        try
        {
            if (!RunWorkload(ctx)) return 2;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(PerfOptions.Usage);
            return 2;
        }
        ctx.Printer.PrintTables();
        Console.WriteLine($"\ndone in {Stats.MsSince(t) / 1000:F1} s");
        return 0;
    }

    /// <summary>Runs the workload named on the command line; false when there is none of that name.</summary>
    private static bool RunWorkload(PerfContext ctx)
    {
        var options = ctx.Options;
        switch (options.Workload)
        {
            case "bandwidth": BandwidthWorkload.Run(ctx); break;
            case "insert": InsertWorkload.Run(ctx); break;
            case "open": OpenWorkload.Run(ctx); break;
            case "exact": ExactWorkload.Run(ctx); break;
            case "dedup": DedupWorkload.Run(ctx); break;
            case "imagehash": ImageHashWorkload.Run(ctx); break;
            case "scan": ScanWorkload.Run(ctx); break;
            case "hamming": HammingWorkload.Run(ctx); break;
            case "gpu-hamming": GpuHammingWorkload.Run(ctx); break;
            case "gpu-exact": GpuExactWorkload.Run(ctx); break;
            case "lsh": LshWorkload.Run(ctx); break;
            case "crash": CrashWorkload.Run(ctx); break;
            case "corrupt": CorruptWorkload.Run(ctx); break;
            case "vectordata": VectorDataWorkload.Run(ctx); break;
            case "all":
                BandwidthWorkload.Run(ctx);
                InsertWorkload.Run(ctx);
                OpenWorkload.Run(ctx);
                ExactWorkload.Run(ctx);
                break;
            default:
                Console.Error.WriteLine($"Unknown workload '{options.Workload}'.");
                Console.Error.WriteLine(PerfOptions.Usage);
                return false;
        }
        return true;
    }
}

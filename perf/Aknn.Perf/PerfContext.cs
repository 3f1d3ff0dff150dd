using Aknn.Perf.Data;
using Aknn.Perf.Workloads;

namespace Aknn.Perf;

/// <summary>What every workload shares: the options, the data folder, the printer and the machine's measured limits.</summary>
internal sealed class PerfContext(PerfOptions options)
{
    public PerfOptions Options { get; } = options;
    public DataStore Store { get; } = new(options.DataFolder, options.Seed, unit: options.Metric == "cosine");
    public ResultPrinter Printer { get; } = new();

    /// <summary>Single-thread memory read bandwidth in GB/s: given on the command line, or measured once per run.</summary>
    public double ReadGbps => Options.ReadGbps ??= BandwidthWorkload.MeasureRead(passes: 5).Median;

    /// <summary>Sequential disk write bandwidth (with fdatasync) in MB/s: given, or measured once per run.</summary>
    public double DiskMbps => Options.DiskMbps ??= BandwidthWorkload.MeasureDiskWrite(Store.Folder, runs: 3).Median;

    public int RunsOr(int fallback) => Options.Runs ?? fallback;
}

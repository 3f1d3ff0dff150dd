using BenchmarkDotNet.Running;

namespace Aknn.Benchmarks;

/// <summary>
/// Micro-benchmarks of the distance kernels. Pick classes with <c>--filter</c>, e.g.
/// <c>dotnet run -c Release --project perf/Aknn.Benchmarks -- --filter '*FloatBatch*' --job short</c>.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

using System.Numerics.Tensors;
using Aknn.Embedded.Kernels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Aknn.Benchmarks;

/// <summary>
/// Single-pair kernels (the re-ranking case: a few hundred candidates scattered over the index)
/// against <see cref="TensorPrimitives"/>. Operands are in L1 cache; this measures per-call cost.
/// </summary>
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class FloatPairBenchmarks
{
    private float[] _a = [];
    private float[] _b = [];

    [Params(25, 128, 768)]
    public int Dim { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _a = BenchmarkData.Floats(Dim, 3);
        _b = BenchmarkData.Floats(Dim, 4);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("SquaredL2")]
    public float SquaredL2_TensorPrimitivesDistance() => TensorPrimitives.Distance<float>(_a, _b);

    [Benchmark]
    [BenchmarkCategory("SquaredL2")]
    public float SquaredL2_Ours() => FloatKernels.SquaredL2(_a, _b);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Dot")]
    public float Dot_TensorPrimitives() => TensorPrimitives.Dot<float>(_a, _b);

    [Benchmark]
    [BenchmarkCategory("Dot")]
    public float Dot_Ours() => FloatKernels.Dot(_a, _b);

    [Benchmark]
    [BenchmarkCategory("L1")]
    public float L1_Ours() => FloatKernels.L1(_a, _b);
}

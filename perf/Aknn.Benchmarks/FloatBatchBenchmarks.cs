using System.Numerics.Tensors;
using Aknn.Embedded.Kernels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Aknn.Benchmarks;

/// <summary>
/// One query against <see cref="Rows"/> rows of <see cref="Dim"/> floats stored back to back: the
/// batch kernels against the obvious alternative, a loop that calls <see cref="TensorPrimitives"/>
/// once per row. TensorPrimitives has no squared L2, so its baseline is
/// <see cref="TensorPrimitives.Distance{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/> (one square root a
/// row on top of the same work).
/// </summary>
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class FloatBatchBenchmarks
{
    private float[] _query = [];
    private float[] _rows = [];
    private float[] _results = [];

    [Params(25, 128, 768)]
    public int Dim { get; set; }

    [Params(10_000, 100_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _query = BenchmarkData.Floats(Dim, 1);
        _rows = BenchmarkData.Floats(Dim * Rows, 2);
        _results = new float[Rows];
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("SquaredL2")]
    public float SquaredL2_TensorPrimitivesPerRow()
    {
        ReadOnlySpan<float> query = _query;
        ReadOnlySpan<float> rows = _rows;
        Span<float> results = _results;
        int dim = query.Length;
        for (int r = 0; r < results.Length; r++)
        {
            results[r] = TensorPrimitives.Distance(query, rows.Slice(r * dim, dim));
        }

        return results[^1];
    }

    [Benchmark]
    [BenchmarkCategory("SquaredL2")]
    public float SquaredL2_Batch()
    {
        FloatKernels.SquaredL2Batch(_query, _rows, _results);
        return _results[^1];
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Dot")]
    public float Dot_TensorPrimitivesPerRow()
    {
        ReadOnlySpan<float> query = _query;
        ReadOnlySpan<float> rows = _rows;
        Span<float> results = _results;
        int dim = query.Length;
        for (int r = 0; r < results.Length; r++)
        {
            results[r] = TensorPrimitives.Dot(query, rows.Slice(r * dim, dim));
        }

        return results[^1];
    }

    [Benchmark]
    [BenchmarkCategory("Dot")]
    public float Dot_Batch()
    {
        FloatKernels.DotBatch(_query, _rows, _results);
        return _results[^1];
    }
}

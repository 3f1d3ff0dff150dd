using System.Numerics.Tensors;
using Aknn.Embedded.Kernels;
using BenchmarkDotNet.Attributes;

namespace Aknn.Benchmarks;

/// <summary>
/// One query code against <see cref="Codes"/> codes of <see cref="Words"/> 64-bit words (1: pHash,
/// 4: PDQ): the dispatching entry point, each path on its own, and a loop calling
/// <see cref="TensorPrimitives.HammingBitDistance{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/> per code.
/// </summary>
[MedianColumn]
public class HammingBatchBenchmarks
{
    private ulong[] _query = [];
    private ulong[] _rows = [];
    private int[] _results = [];

    [Params(1, 4)]
    public int Words { get; set; }

    [Params(1_000_000)]
    public int Codes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _query = BenchmarkData.Words(Words, 5);
        _rows = BenchmarkData.Words(Words * Codes, 6);
        _results = new int[Codes];
    }

    [Benchmark(Baseline = true)]
    public int TensorPrimitivesPerCode()
    {
        ReadOnlySpan<ulong> query = _query;
        ReadOnlySpan<ulong> rows = _rows;
        Span<int> results = _results;
        int words = query.Length;
        for (int r = 0; r < results.Length; r++)
        {
            results[r] = (int)TensorPrimitives.HammingBitDistance(query, rows.Slice(r * words, words));
        }

        return results[^1];
    }

    [Benchmark]
    public int Batch()
    {
        HammingKernels.DistanceBatch(_query, _rows, _results);
        return _results[^1];
    }

    [Benchmark]
    public int Scalar()
    {
        HammingDistanceBatch.Scalar(_query, _rows, _results);
        return _results[^1];
    }

    [Benchmark]
    public int V128()
    {
        HammingDistanceBatch.V128(_query, _rows, _results);
        return _results[^1];
    }

    [Benchmark]
    public int V256()
    {
        HammingDistanceBatch.V256(_query, _rows, _results);
        return _results[^1];
    }
}

/// <summary>
/// Hamming distance of one pair of codes (the re-ranking and verification case) against
/// <see cref="TensorPrimitives.HammingBitDistance{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>.
/// </summary>
[MedianColumn]
public class HammingPairBenchmarks
{
    private ulong[] _a = [];
    private ulong[] _b = [];

    [Params(1, 4, 16)]
    public int Words { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _a = BenchmarkData.Words(Words, 7);
        _b = BenchmarkData.Words(Words, 8);
    }

    [Benchmark(Baseline = true)]
    public long TensorPrimitives_HammingBitDistance() => TensorPrimitives.HammingBitDistance<ulong>(_a, _b);

    [Benchmark]
    public int Distance() => HammingKernels.Distance(_a, _b);

    [Benchmark]
    public int Scalar() => HammingDistance.Scalar(_a, _b);

    [Benchmark]
    public int V256() => HammingDistance.V256(_a, _b);
}

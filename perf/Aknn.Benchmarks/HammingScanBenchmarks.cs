using Aknn.Embedded.Kernels;
using BenchmarkDotNet.Attributes;

namespace Aknn.Benchmarks;

/// <summary>
/// Radius scan of one query against <see cref="Codes"/> random codes of <see cref="Words"/> words
/// (1: 64-bit pHash, 4: 256-bit PDQ) for radius 8 per 64 bits (so almost nothing matches): the
/// fused <see cref="HammingKernels.ScanWithin(ReadOnlySpan{ulong}, ReadOnlySpan{ulong}, int, Span{int})"/>,
/// its paths, and the unfused way, a distance batch followed by a pass that keeps the distances
/// within the radius. 1,000,000 one-word codes are 8 MB (in L3), 8,000,000 are 64 MB (out of cache).
/// </summary>
[MedianColumn]
public class HammingScanBenchmarks
{
    private ulong[] _query = [];
    private ulong[] _rows = [];
    private int[] _matches = [];
    private int[] _distances = [];
    private int _radius;

    [Params(1, 4)]
    public int Words { get; set; }

    [Params(1_000_000, 8_000_000)]
    public int Codes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _rows = BenchmarkData.Words(Words * Codes, 9);

        // A stored code as the query: one match at distance 0, the rest near half the bits away.
        _query = _rows.AsSpan(Codes / 2 * Words, Words).ToArray();
        _matches = new int[Codes];
        _distances = new int[Codes];
        _radius = 8 * Words;
    }

    [Benchmark(Baseline = true)]
    public int DistanceBatchThenFilter()
    {
        HammingKernels.DistanceBatch(_query, _rows, _distances);
        int found = 0;
        for (int i = 0; i < _distances.Length; i++)
        {
            if (_distances[i] <= _radius)
            {
                _matches[found++] = i;
            }
        }

        return found;
    }

    [Benchmark]
    public int ScanWithin() => HammingKernels.ScanWithin(_query, _rows, _radius, _matches);

    [Benchmark]
    public int Scalar() => HammingScan.Scalar(_query, _rows, _radius, _matches);

    [Benchmark]
    public int V128() => HammingScan.V128(_query, _rows, _radius, _matches);

    [Benchmark]
    public int V256() => HammingScan.V256(_query, _rows, _radius, _matches);
}

/// <summary>
/// <see cref="Queries"/> queries against 64 MB of codes (8,000,000 one-word or 2,000,000
/// four-word codes): one call per query against the cache-blocked many-query forms.
/// </summary>
[MedianColumn]
public class HammingManyBenchmarks
{
    private const int RowBytes = 64 << 20;

    private ulong[] _queries = [];
    private ulong[] _rows = [];
    private int[] _matches = [];
    private int[] _results = [];
    private int[] _counts = [];
    private int _radius;
    private int _codes;

    [Params(1, 4)]
    public int Words { get; set; }

    [Params(8)]
    public int Queries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _codes = RowBytes / (Words * sizeof(ulong));
        _rows = BenchmarkData.Words(Words * _codes, 10);
        _queries = new ulong[Queries * Words];
        for (int q = 0; q < Queries; q++)
        {
            _rows.AsSpan((q * 7919 + 13) * Words, Words).CopyTo(_queries.AsSpan(q * Words));
        }

        _matches = new int[Queries * _codes];
        _results = new int[Queries * _codes];
        _counts = new int[Queries];
        _radius = 8 * Words;
    }

    [Benchmark(Baseline = true)]
    public int ScanWithinPerQuery()
    {
        int found = 0;
        for (int q = 0; q < Queries; q++)
        {
            found += HammingKernels.ScanWithin(_queries.AsSpan(q * Words, Words), _rows, _radius, _matches.AsSpan(q * _codes, _codes));
        }

        return found;
    }

    [Benchmark]
    public int ScanWithinMany()
    {
        HammingKernels.ScanWithinMany(_queries, _rows, Words, _radius, _matches, _counts);
        return _counts[^1];
    }

    [Benchmark]
    public int DistanceBatchPerQuery()
    {
        for (int q = 0; q < Queries; q++)
        {
            HammingKernels.DistanceBatch(_queries.AsSpan(q * Words, Words), _rows, _results.AsSpan(q * _codes, _codes));
        }

        return _results[^1];
    }

    [Benchmark]
    public int DistanceBatchMany()
    {
        HammingKernels.DistanceBatchMany(_queries, _rows, Words, _results);
        return _results[^1];
    }
}

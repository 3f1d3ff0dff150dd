using System.Numerics.Tensors;
using Aknn.Embedded.Bucketing;
using BenchmarkDotNet.Attributes;

namespace Aknn.Benchmarks;

/// <summary>
/// Hashing a block of 256 vectors for LSH: the dot products with every plane (tables × bits of
/// them, 256 = 32 × 8 here) through <see cref="Projection"/> (planes transposed, an axpy over the
/// planes with four vectors sharing each load), against one <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
/// call per vector and plane. 25 dimensions is EsAknn's benchmark shape, 128 a typical embedding.
/// </summary>
[MedianColumn]
public class LshProjectionBenchmarks
{
    private const int Planes = 256;
    private const int Block = 256;
    private float[] _planes = [];
    private float[] _vectors = [];
    private float[] _dots = [];
    private Projection _projection = null!;

    [Params(25, 128)]
    public int Dimensions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _planes = BenchmarkData.Floats(Planes * Dimensions, 3);
        _vectors = BenchmarkData.Floats(Block * Dimensions, 4);
        _projection = new Projection(_planes, Planes, Dimensions);
        _dots = new float[Block * _projection.Stride];
    }

    [Benchmark(Baseline = true)]
    public float DotPerPlane()
    {
        int d = Dimensions;
        for (int i = 0; i < Block; i++)
        {
            ReadOnlySpan<float> x = _vectors.AsSpan(i * d, d);
            for (int p = 0; p < Planes; p++) _dots[i * Planes + p] = TensorPrimitives.Dot(x, _planes.AsSpan(p * d, d));
        }
        return _dots[0];
    }

    [Benchmark]
    public float Projected()
    {
        _projection.Project(_vectors, Block, _dots);
        return _dots[0];
    }
}

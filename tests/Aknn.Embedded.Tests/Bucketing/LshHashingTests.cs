using System.Runtime.InteropServices;
using Aknn.Embedded.Bucketing;
using Aknn.Embedded.Tests.Support;

namespace Aknn.Embedded.Tests.Bucketing;

/// <summary>The hashing core: the batched projection, and keys that do not depend on how vectors are batched.</summary>
public class LshHashingTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(25, 64)]
    [InlineData(128, 200)]
    public void The_batched_projection_equals_one_vector_at_a_time_and_the_double_reference(int dims, int planes)
    {
        var rng = new Random(dims * 31 + planes);
        var coefficients = Enumerable.Range(0, planes * dims).Select(_ => (float)Clustered.Gaussian(rng)).ToArray();
        var projection = new Projection(coefficients, planes, dims);
        const int n = 11; // two blocks of four and a remainder of three
        float[] vectors = Enumerable.Range(0, n * dims).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        var batch = new float[n * projection.Stride];
        projection.Project(vectors, n, batch);
        var one = new float[projection.Stride];
        for (int i = 0; i < n; i++)
        {
            projection.Project(vectors.AsSpan(i * dims, dims), 1, one);
            Assert.Equal(one[..planes], batch.AsSpan(i * projection.Stride, planes).ToArray());
            for (int p = 0; p < planes; p++)
                Assert.Equal(projection.Reference(vectors.AsSpan(i * dims, dims), p), one[p], 1e-3 * Math.Sqrt(dims));
        }
    }

    [Theory]
    [InlineData(LshFamily.RandomHyperplanes, Metric.Cosine)]
    [InlineData(LshFamily.StableDistribution, Metric.Euclidean)]
    [InlineData(LshFamily.StableDistribution, Metric.Manhattan)]
    [InlineData(LshFamily.BitSampling, Metric.Hamming)]
    public void Keys_of_a_batch_equal_keys_one_by_one(LshFamily family, Metric metric)
    {
        int dims = metric == Metric.Hamming ? 128 : 20;
        IndexModel m = family switch
        {
            LshFamily.RandomHyperplanes => IndexModel.RandomHyperplanes(9, 13),
            LshFamily.StableDistribution => IndexModel.StableDistribution(9, 5, width: 1.5f),
            _ => IndexModel.BitSampling(9, 13),
        };
        LshModel model = LshModel.Draw(m, metric, dims);
        var rng = new Random(4);
        int rowBytes = metric == Metric.Hamming ? dims / 8 : dims * 4;
        var rows = Enumerable.Range(0, 600).Select(_ => metric == Metric.Hamming
            ? MemoryMarshal.AsBytes(Data.Code(rng, dims / 64).AsSpan()).ToArray()
            : MemoryMarshal.AsBytes(Data.Vector(rng, dims).AsSpan()).ToArray()).ToList();
        uint[] batch = model.KeysOf(rows.Count, r => rows[r], rowBytes);
        var keys = new uint[model.Tables];
        float[] dots = model.RentDots(1);
        for (int r = 0; r < rows.Count; r++)
        {
            model.Keys(rows[r], 1, keys, dots);
            Assert.Equal(keys, batch.AsSpan(r * model.Tables, model.Tables).ToArray());
            if (family != LshFamily.StableDistribution) Assert.All(keys, k => Assert.True(k < 1u << 13));
        }
        // The query path hashes the same way.
        Assert.Equal(batch.AsSpan(0, model.Tables).ToArray(), model.ProbeKeys(rows[0], 0).Select(p => p.Key));
    }
}

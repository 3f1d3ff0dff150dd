using Aknn.Embedded.Tests.Support;
using CommunityToolkit.HighPerformance;
using Xunit.Abstractions;

namespace Aknn.Embedded.Tests.Search;

/// <summary>
/// Recall floors of every LSH family against brute-force ground truth on seeded clustered data.
/// The floors sit a little under what these seeds measure, so a change that hurts recall fails.
/// </summary>
public class LshRecallTests(ITestOutputHelper output)
{
    private const int K = 10;

    public static TheoryData<string, Metric, int> Float => new()
    {
        { "bisecting-fitted", Metric.Euclidean, 0 },
        { "bisecting-sample", Metric.Euclidean, 0 },
        { "stable-l2", Metric.Euclidean, 0 },
        { "stable-l1", Metric.Manhattan, 0 },
        { "hyperplanes-cosine", Metric.Cosine, 0 },
        { "hyperplanes-dot", Metric.DotProduct, 0 },
    };

    private static IndexModel ModelFor(string name, float[] data, int dims) => name switch
    {
        "bisecting-fitted" => IndexModel.BisectingHyperplanes(tables: 24, bitsPerTable: 10, fitRows: 4000),
        "bisecting-sample" => IndexModel.BisectingHyperplanes(24, 10, new ReadOnlySpan2D<float>(data, 3000, dims)),
        "stable-l2" => IndexModel.StableDistribution(tables: 12, hashesPerTable: 6, width: 8f, probes: 24),
        "stable-l1" => IndexModel.StableDistribution(tables: 12, hashesPerTable: 6, width: 40f, probes: 24),
        _ => IndexModel.RandomHyperplanes(tables: 24, bitsPerTable: 10),
    };

    [Theory]
    [MemberData(nameof(Float))]
    public void Float_families_reach_their_recall_floor(string name, Metric metric, int _)
    {
        const int n = 20_000, dims = 32;
        float[] data = Clustered.Vectors(seed: 7, n, dims, clusters: 40);
        float[] queries = Clustered.Vectors(seed: 7, 100 + n, dims, clusters: 40).AsSpan(n * dims).ToArray(); // same centres, unseen points
        using var dir = new TempFolder();
        using var index = VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = dims, Metric = metric, Model = ModelFor(name, data, dims), Durability = Durability.Manual });
        index.UpsertBatch(Clustered.Ids(n), new ReadOnlySpan2D<float>(data, n, dims));
        double recall = 0, examined = 0;
        int q = queries.Length / dims;
        for (int i = 0; i < q; i++)
        {
            float[] query = queries.AsSpan(i * dims, dims).ToArray();
            var results = index.Search(query, new SearchOptions { K = K, Candidates = 400 });
            Assert.True(results.Approximate);
            var truth = Clustered.Nearest(metric, data, dims, query, K);
            recall += results.Count(h => truth.Contains(h.Id)) / (double)K;
            examined += results.CandidatesExamined;
        }
        recall /= q;
        output.WriteLine($"{name}: recall@{K} {recall:F3}, candidates examined {examined / q:F0}");
        Assert.True(recall >= 0.85, $"recall {recall:F3}");
    }
}

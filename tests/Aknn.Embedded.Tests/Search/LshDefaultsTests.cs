using Aknn.Embedded.Bucketing;
using Aknn.Embedded.Tests.Support;
using CommunityToolkit.HighPerformance;
using Xunit.Abstractions;

namespace Aknn.Embedded.Tests.Search;

/// <summary>
/// <see cref="IndexModel.Lsh()"/>: the per-metric defaults resolve when the index is created, are
/// stored with it, and with the default candidate budget reach recall@10 ≥ 0.9 on seeded clustered
/// data (brute-force truth).
/// </summary>
public class LshDefaultsTests(ITestOutputHelper output)
{
    private const int K = 10;

    [Theory]
    [InlineData(Metric.Euclidean, 32)]
    [InlineData(Metric.Manhattan, 32)]
    [InlineData(Metric.Cosine, 64)]
    [InlineData(Metric.DotProduct, 64)]
    public void Defaults_reach_recall_0_9_with_default_search_options(Metric metric, int dims)
    {
        const int n = 20_000;
        float[] data = Clustered.Vectors(seed: 11, n, dims, clusters: 40);
        float[] queries = Clustered.Vectors(seed: 11, 100 + n, dims, clusters: 40).AsSpan(n * dims).ToArray(); // same centres, unseen points
        using var dir = new TempFolder();
        using var index = VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = dims, Metric = metric, Model = IndexModel.Lsh(), Durability = Durability.Manual });
        index.BulkLoad(Clustered.Ids(n), new ReadOnlySpan2D<float>(data, n, dims)); // into a segment with postings
        double recall = 0;
        int q = queries.Length / dims;
        for (int i = 0; i < q; i++)
        {
            float[] query = queries.AsSpan(i * dims, dims).ToArray();
            var results = index.Search(query);
            Assert.True(results.Approximate);
            Assert.Equal(K, results.Count);
            var truth = Clustered.Nearest(metric, data, dims, query, K);
            recall += results.Count(h => truth.Contains(h.Id)) / (double)K;
        }
        recall /= q;
        output.WriteLine($"{metric}: {index.Model}, recall@{K} {recall:F3}");
        Assert.True(recall >= 0.9, $"recall {recall:F3} with {index.Model}");
    }

    [Fact]
    public void Defaults_resolve_per_metric_and_dimension_and_survive_reopening()
    {
        var cases = new (Metric Metric, int Dims, string Expected)[]
        {
            (Metric.Euclidean, 25, $"BisectingHyperplanes(tables: {IndexModel.DefaultTables}, bitsPerTable: {IndexModel.DefaultBisectingBits})"),
            (Metric.Manhattan, 25, $"BisectingHyperplanes(tables: {IndexModel.DefaultTables}, bitsPerTable: {IndexModel.DefaultBisectingBits})"),
            (Metric.Cosine, 768, "SignCodes(bits: 1536)"),
            (Metric.DotProduct, 100, "SignCodes(bits: 200)"),
            (Metric.Cosine, 3, "SignCodes(bits: 64)"),
            (Metric.Cosine, 4096, "SignCodes(bits: 2040)"),
            (Metric.Hamming, 64, "MultiIndexHashing(substrings: auto, expectedRadius: auto)"),
        };
        Assert.Equal("Lsh(defaults for the metric)", IndexModel.Lsh().ToString());
        foreach (var (metric, dims, expected) in cases)
        {
            using var dir = new TempFolder();
            using (var index = VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = dims, Metric = metric, Model = IndexModel.Lsh(), Durability = Durability.Manual }))
                Assert.Equal(expected, index.Model.ToString());
            using var reopened = VectorIndex.Open(dir.Index());
            Assert.Equal(expected, reopened.Model.ToString());
        }
    }

    [Fact]
    public void Default_candidate_budget_depends_on_the_family_and_K()
    {
        Assert.Equal(SearchOptions.DefaultBucketCandidates, SearchOptions.DefaultCandidates(LshFamily.StableDistribution, 10));
        Assert.Equal(SearchOptions.DefaultSignCodeCandidates, SearchOptions.DefaultCandidates(LshFamily.SignCodes, 10));
        Assert.Equal(320 * 100, SearchOptions.DefaultCandidates(LshFamily.BisectingHyperplanes, 100));
        Assert.Equal(80 * 100, SearchOptions.DefaultCandidates(LshFamily.SignCodes, 100));
        Assert.Equal(SearchOptions.MaxCandidates, SearchOptions.DefaultCandidates(LshFamily.RandomHyperplanes, SearchOptions.MaxK));
    }
}

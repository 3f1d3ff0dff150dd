using Aknn.Embedded.Tests.Support;
using CommunityToolkit.HighPerformance;
using Xunit.Abstractions;

namespace Aknn.Embedded.Tests.Search;

/// <summary>
/// The int8 re-rank pass (sign-code search for cosine and dot product, bucket search for Euclidean,
/// cosine and dot product; 128 dimensions or more): the candidates are ranked by the compact copy of
/// their vectors and only the best 8 × K exactly.
/// Recall against brute force with fixed seeds, and against the same candidates re-ranked exactly
/// (a search with a filter takes the plain exact re-rank).
/// </summary>
public class CompactRerankTests(ITestOutputHelper output)
{
    private const int K = 10, Dims = 192, N = 12_000, Queries = 60, Candidates = 300;

    private static float[] Data() => Clustered.Vectors(seed: 21, N + Queries, Dims, clusters: 30, noise: 0.7);

    [Theory]
    [InlineData(Metric.Cosine, 512, 0.9)]
    [InlineData(Metric.Cosine, 128, 0.85)]
    [InlineData(Metric.DotProduct, 512, 0.85)]
    public void The_int8_pass_keeps_the_recall_of_the_exact_re_rank(Metric metric, int bits, double floor)
    {
        var (compact, exact) = RecallWithAndWithoutThePass(metric, IndexModel.SignCodes(bits, seed: 4));
        Assert.True(compact >= floor, $"recall {compact:F3} is under the floor {floor}");
        Assert.True(compact >= exact - 0.02, $"the int8 pass lost recall: {compact:F3} against {exact:F3}");
    }

    [Theory]
    [InlineData(Metric.Euclidean)]
    [InlineData(Metric.Cosine)]
    [InlineData(Metric.DotProduct)]
    public void Bucket_search_with_the_int8_pass_keeps_the_recall_of_the_exact_re_rank(Metric metric)
    {
        // A bucket family of the metric: bisecting hyperplanes for Euclidean, random hyperplanes for the angular metrics.
        IndexModel model = metric == Metric.Euclidean ? IndexModel.BisectingHyperplanes(16, 8, seed: 5) : IndexModel.RandomHyperplanes(16, 8, seed: 5);
        var (compact, exact) = RecallWithAndWithoutThePass(metric, model);
        Assert.True(exact >= 0.5, $"the candidates themselves are poor (recall {exact:F3}): the test data or model changed");
        Assert.True(compact >= exact - 0.02, $"the int8 pass lost recall: {compact:F3} against {exact:F3}");
    }

    /// <summary>
    /// Recall@K against brute force over the held-out queries, with the int8 pass and with the same
    /// candidates re-ranked exactly (a filter that accepts every row sends them through the plain
    /// exact re-rank); checks every result list on the way.
    /// </summary>
    private (double Compact, double Exact) RecallWithAndWithoutThePass(Metric metric, IndexModel model)
    {
        float[] all = Data();
        float[] data = all.AsSpan(0, N * Dims).ToArray();
        using var dir = new TempFolder();
        using var index = VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = Dims, Metric = metric, Model = model, Durability = Durability.Manual });
        index.BulkLoad(Clustered.Ids(N), new ReadOnlySpan2D<float>(data, N, Dims));
        double compact = 0, exact = 0;
        for (int i = 0; i < Queries; i++)
        {
            float[] query = all.AsSpan((N + i) * Dims, Dims).ToArray();
            var truth = Clustered.Nearest(metric, data, Dims, query, K);
            var fast = index.Search(query, new SearchOptions { K = K, Candidates = Candidates });
            var plain = index.Search(query, new SearchOptions { K = K, Candidates = Candidates, Filter = (_, _) => true });
            Assert.Equal(K, fast.Count);
            Assert.True(fast.Approximate);
            Assert.InRange(fast.CandidatesExamined, K, Candidates);
            // Reported distances are exact (from the float vectors), in order.
            for (int h = 1; h < fast.Count; h++) Assert.True(fast[h - 1].Distance <= fast[h].Distance);
            compact += fast.Count(h => truth.Contains(h.Id)) / (double)K;
            exact += plain.Count(h => truth.Contains(h.Id)) / (double)K;
        }
        compact /= Queries;
        exact /= Queries;
        output.WriteLine($"{metric}, {model}, {Candidates} candidates: recall@{K} {compact:F3} with the int8 pass, {exact:F3} re-ranked exactly");
        return (compact, exact);
    }

    [Fact]
    public void Rows_in_the_unsealed_tail_are_measured_exactly_beside_the_int8_pass()
    {
        float[] all = Data();
        float[] data = all.AsSpan(0, N * Dims).ToArray();
        using var dir = new TempFolder();
        using var index = VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = Dims, Metric = Metric.Euclidean, Model = IndexModel.BisectingHyperplanes(16, 8, seed: 5), Durability = Durability.Manual });
        index.BulkLoad(Clustered.Ids(N), new ReadOnlySpan2D<float>(data, N, Dims));
        // Near copies of a query, written after the bulk load: they stay in the tail (no seal), which has no compact copy.
        float[] query = all.AsSpan(N * Dims, Dims).ToArray();
        for (int c = 0; c < 3; c++)
        {
            float[] near = (float[])query.Clone();
            near[c] += 0.001f * (c + 1);
            index.Upsert($"tail{c}", near);
        }
        var fast = index.Search(query, new SearchOptions { K = K, Candidates = Candidates });
        Assert.Equal(["tail0", "tail1", "tail2"], fast.Take(3).Select(h => h.Id));
        var exact = index.Search(query, new SearchOptions { K = K, Exact = true });
        Assert.Equal(exact[0].Distance, fast[0].Distance, 5);
    }

    [Fact]
    public void Distances_and_order_equal_an_exact_search_of_the_rows_returned()
    {
        float[] all = Data();
        float[] data = all.AsSpan(0, N * Dims).ToArray();
        using var dir = new TempFolder();
        using var index = VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = Dims, Metric = Metric.Cosine, Model = IndexModel.SignCodes(256, seed: 2), Durability = Durability.Manual });
        index.BulkLoad(Clustered.Ids(N), new ReadOnlySpan2D<float>(data, N, Dims));
        float[] query = all.AsSpan(N * Dims, Dims).ToArray();
        var fast = index.Search(query, new SearchOptions { K = K, Candidates = Candidates });
        var exact = index.Search(query, new SearchOptions { K = N, Exact = true });
        var byId = exact.ToDictionary(h => h.Id, h => h.Distance);
        foreach (var hit in fast) Assert.Equal(byId[hit.Id], hit.Distance, 5);
    }

    [Fact]
    public void Deleted_rows_stay_out_of_the_int8_pass()
    {
        float[] all = Data();
        float[] data = all.AsSpan(0, N * Dims).ToArray();
        using var dir = new TempFolder();
        using var index = VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = Dims, Metric = Metric.Cosine, Model = IndexModel.SignCodes(512), Durability = Durability.Manual });
        index.BulkLoad(Clustered.Ids(N), new ReadOnlySpan2D<float>(data, N, Dims));
        float[] target = data.AsSpan(33 * Dims, Dims).ToArray();
        var before = index.Search(target, new SearchOptions { K = K, Candidates = Candidates });
        Assert.Equal("v33", before[0].Id);
        index.Delete("v33");
        index.Delete(before[1].Id);
        var after = index.Search(target, new SearchOptions { K = K, Candidates = Candidates });
        Assert.DoesNotContain(after, h => h.Id == "v33" || h.Id == before[1].Id);
        Assert.Equal(K, after.Count);
    }
}

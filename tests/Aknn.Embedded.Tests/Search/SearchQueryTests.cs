using Aknn.Embedded.Storage;
using Aknn.Embedded.Tests.Support;
using CommunityToolkit.HighPerformance;

namespace Aknn.Embedded.Tests.Search;

/// <summary>
/// The search side's one query type and one planner: every search entry point validates its
/// options and its radius the same way, the count-first overload matches the options form, and a
/// snapshot lists its row sources once, in the order searches visit them.
/// </summary>
public class SearchQueryTests
{
    private static VectorIndex Create(TempFolder tmp, Metric metric, int dims, long sealThreshold = 64L << 20) =>
        ExactSearchTests.Create(tmp, metric, dims, sealThreshold);

    [Theory]
    [InlineData(Metric.Euclidean)]
    [InlineData(Metric.Manhattan)]
    public void A_negative_radius_throws_and_names_the_rule_for_float_metrics(Metric metric)
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, metric, 2);
        index.Upsert("a", [1, 0]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchRadius([1, 0], -0.5f));
        Assert.Equal("radius", e.ParamName);
        Assert.Contains("negative", e.Message);
        Assert.Contains("0 or more", e.Message);
        float[] queries = [1, 0];
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchRadiusBatch(new ReadOnlySpan2D<float>(queries, 1, 2), -0.5f));
    }

    [Fact]
    public void A_cosine_distance_reported_a_hair_below_zero_stays_a_valid_radius()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Cosine, 2);
        index.Upsert("a", [1, 0]);
        index.Upsert("b", [0.6f, 0.8f]);
        // 1 − cos of nearly equal vectors can round below 0; passing such a distance back must work,
        // so a slightly negative radius is accepted (it finds what lies within it, here nothing).
        Assert.Empty(index.SearchRadius([0, 1], -1e-7f));
        float reported = index.Search([0.6f, 0.8f], 1)[0].Distance;
        Assert.Equal("b", index.SearchRadius([0.6f, 0.8f], reported)[0].Id);
    }

    [Fact]
    public void A_negative_radius_throws_with_the_same_message_for_codes()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Hamming, 64);
        index.UpsertCode("a", [0]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchCodeRadius([0], -1));
        Assert.Equal("radius", e.ParamName);
        Assert.Contains("negative", e.Message);
        ulong[] codes = [0];
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchCodeRadiusBatch(new ReadOnlySpan2D<ulong>(codes, 1, 1), -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.FindDuplicates(-1));
    }

    [Fact]
    public void A_negative_radius_is_accepted_under_dot_product_where_distances_can_be_negative()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.DotProduct, 2);
        index.Upsert("a", [1, 2]);
        Assert.Equal(["a"], index.SearchRadius([2, 1], -4).Select(h => h.Id));
    }

    [Fact]
    public void Radius_searches_validate_their_options_as_nearest_neighbour_searches_do()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Euclidean, 2);
        index.Upsert("a", [1, 0]);
        var bad = new SearchOptions { K = 0 };
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search([1, 0], bad));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchRadius([1, 0], 1, bad));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchRadius([1, 0], 1, new SearchOptions { Probes = -1 }));
        float[] queries = [1, 0];
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchRadiusBatch(new ReadOnlySpan2D<float>(queries, 1, 2), 1, bad));
    }

    [Fact]
    public void Search_with_a_count_returns_what_search_with_options_of_that_k_returns()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Euclidean, 2);
        for (int i = 0; i < 20; i++) index.Upsert($"p{i:D2}", [i, 0]);
        var byCount = index.Search([3.2f, 0], 4);
        var byOptions = index.Search([3.2f, 0], new SearchOptions { K = 4 });
        Assert.Equal(["p03", "p04", "p02", "p05"], byCount.Select(h => h.Id));
        Assert.Equal(byOptions.Select(h => (h.Id, h.Distance)), byCount.Select(h => (h.Id, h.Distance)));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search([0, 0], 0));
    }

    [Fact]
    public void SearchCode_with_a_count_returns_the_k_nearest_codes()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Hamming, 64);
        index.UpsertCode("d0", [0]);
        index.UpsertCode("d1", [1]);
        index.UpsertCode("d3", [0b111]);
        Assert.Equal(["d0", "d1"], index.SearchCode([0], 2).Select(h => h.Id));
    }

    [Fact]
    public void A_snapshot_lists_its_segments_then_its_active_tail_as_row_sources()
    {
        using var tmp = new TempFolder();
        // A small seal threshold: the first rows go into segments, the last stay in the tail.
        using var index = Create(tmp, Metric.Euclidean, 64, sealThreshold: 4096);
        for (int i = 0; i < 40; i++) index.Upsert($"r{i:D2}", new float[64]);
        index.WaitForBackgroundWork();
        index.Upsert("last", new float[64]);
        index.WithSnapshot(s =>
        {
            RowSource[] sources = s.Sources;
            Assert.True(s.Segments.Items.Length > 0, "the test needs at least one segment");
            for (int i = 0; i < s.Segments.Items.Length; i++) Assert.Same(s.Segments.Items[i], sources[i].Segment);
            RowSource tail = sources[^1];
            Assert.Same(s.Tail, tail.Tail);
            Assert.Equal(s.TailCount, tail.Count);
            Assert.Equal(s.Segments.Items.Length + (s.Frozen is null ? 1 : 2), sources.Length);
            long live = sources.Sum(src => Enumerable.Range(0, src.Count).Count(r => !src.IsDeleted(r)));
            Assert.Equal(s.LiveCount, live);
            return 0;
        });
    }

    [Fact]
    public void A_tail_chain_leaves_out_rows_written_after_the_snapshot()
    {
        using var tmp = new TempFolder();
        using var index = VectorIndex.Create(tmp.Index(), new IndexOptions
        {
            Dimensions = 64, Metric = Metric.Hamming, Model = IndexModel.MultiIndexHashing(), Durability = Durability.Manual,
        });
        index.UpsertCode("a", [0]);
        index.UpsertCode("b", [0]);
        index.WithSnapshot(s =>
        {
            index.UpsertCode("c", [0]); // same substrings: it heads every chain now, but this snapshot cannot see it
            RowSource tail = s.Sources[^1];
            TailBuckets tables = tail.TailSubstrings!;
            uint key = tables.Layout!.Key([0UL], 0);
            var rows = new List<int>();
            foreach (int row in tail.Chain(tables, 0, key)) rows.Add(row);
            Assert.Equal([1, 0], rows);
            return 0;
        });
    }
}

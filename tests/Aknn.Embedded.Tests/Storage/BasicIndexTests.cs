using Aknn.Embedded.Tests.Support;

namespace Aknn.Embedded.Tests.Storage;

public class BasicIndexTests
{
    [Fact]
    public void Upserted_vector_is_found_by_search_and_get_immediately()
    {
        using var tmp = new TempFolder();
        using var index = VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = 4 });
        index.Upsert("a", [1, 0, 0, 0], "pa"u8);
        index.Upsert("b", [0, 1, 0, 0]);
        index.Upsert("c", [0, 0, 3, 0]);

        Assert.Equal(3, index.Count);
        var hits = index.Search([0.9f, 0.1f, 0, 0], new SearchOptions { K = 2, IncludePayload = true });
        Assert.Equal(["a", "b"], hits.Select(h => h.Id));
        Assert.Equal("pa"u8.ToArray(), hits[0].Payload);
        Assert.Equal(MathF.Sqrt(0.01f + 0.01f), hits[0].Distance, 5);
        Assert.True(index.TryGet("c", out var c));
        Assert.Equal([0, 0, 3, 0], c.Vector);
        Assert.Empty(c.Payload);
    }

    [Fact]
    public void Reopened_index_holds_everything_written_before_dispose()
    {
        using var tmp = new TempFolder();
        var rng = new Random(1);
        var vectors = Enumerable.Range(0, 500).Select(_ => Data.Vector(rng, 16)).ToArray();
        using (var index = VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = 16, SealThresholdBytes = 8192 }))
        {
            for (int i = 0; i < vectors.Length; i++) index.Upsert($"v{i}", vectors[i]);
            index.Delete("v7");
            index.Upsert("v8", vectors[9]);
        }
        using (var index = VectorIndex.Open(tmp.Index()))
        {
            Assert.Equal(499, index.Count);
            Assert.False(index.Contains("v7"));
            Assert.True(index.TryGet("v8", out var v8));
            Assert.Equal(vectors[9], v8.Vector);
            Assert.True(index.GetStatistics().SegmentCount > 1);
            var hits = index.Search(vectors[100], new SearchOptions { K = 1 });
            Assert.Equal("v100", hits[0].Id);
            Assert.Equal(0, hits[0].Distance);
        }
    }
}

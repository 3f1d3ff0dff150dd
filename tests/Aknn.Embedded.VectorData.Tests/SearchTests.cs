using Aknn.Embedded.VectorData.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace Aknn.Embedded.VectorData.Tests;

public class SearchTests
{
    private static async Task<(AknnVectorStore, AknnCollection<string, Hotel>)> Line(TempFolder tmp, int count = 10)
    {
        var store = new AknnVectorStore(tmp.Root);
        var hotels = store.GetCollection<string, Hotel>("hotels");
        await hotels.EnsureCollectionExistsAsync();
        // Hotels on a line: h{i} at (i, 0, 0), so the order from the origin is h0, h1, h2...
        await hotels.UpsertAsync(Enumerable.Range(0, count).Select(i => new Hotel { Id = $"h{i}", Rating = i, Embedding = new float[] { i, 0, 0 } }));
        return (store, hotels);
    }

    [Fact]
    public async Task Search_accepts_memory_arrays_and_embeddings_and_returns_top_nearest_first()
    {
        using var tmp = new TempFolder();
        var (store, hotels) = await Line(tmp);
        using var _ = store;

        var a = await hotels.SearchAsync(new ReadOnlyMemory<float>([2.1f, 0, 0]), top: 3).ToListAsync();
        var b = await hotels.SearchAsync(new float[] { 2.1f, 0, 0 }, top: 3).ToListAsync();
        var c = await hotels.SearchAsync(new Embedding<float>(new float[] { 2.1f, 0, 0 }), top: 3).ToListAsync();

        foreach (var hits in new[] { a, b, c })
        {
            Assert.Equal(["h2", "h3", "h1"], hits.Select(h => h.Record.Id));
            Assert.Equal(0.1, hits[0].Score!.Value, 4);
        }
    }

    [Fact]
    public async Task Skip_pages_through_results_and_include_vectors_fills_them()
    {
        using var tmp = new TempFolder();
        var (store, hotels) = await Line(tmp);
        using var _ = store;

        var page = await hotels.SearchAsync(new float[] { 0, 0, 0 }, top: 2, new VectorSearchOptions<Hotel> { Skip = 3, IncludeVectors = true }).ToListAsync();
        var noVectors = await hotels.SearchAsync(new float[] { 0, 0, 0 }, top: 1).ToListAsync();

        Assert.Equal(["h3", "h4"], page.Select(h => h.Record.Id));
        Assert.Equal([3f, 0, 0], page[0].Record.Embedding.ToArray());
        Assert.True(noVectors[0].Record.Embedding.IsEmpty);
    }

    [Fact]
    public async Task Score_threshold_keeps_distances_at_most_it()
    {
        using var tmp = new TempFolder();
        var (store, hotels) = await Line(tmp);
        using var _ = store;

        var near = await hotels.SearchAsync(new float[] { 0, 0, 0 }, top: 10, new VectorSearchOptions<Hotel> { ScoreThreshold = 2.5 }).ToListAsync();

        Assert.Equal(["h0", "h1", "h2"], near.Select(h => h.Record.Id));
    }

    [Fact]
    public async Task Score_threshold_keeps_similarities_at_least_it()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var c = store.GetCollection<Guid, GuidRecord>("cos");
        await c.EnsureCollectionExistsAsync();
        await c.UpsertAsync([new GuidRecord { Id = Guid.NewGuid(), Text = "same", Vector = [1, 0] }, new GuidRecord { Id = Guid.NewGuid(), Text = "right angle", Vector = [0, 1] }]);

        var hits = await c.SearchAsync(new float[] { 2, 0 }, top: 5, new VectorSearchOptions<GuidRecord> { ScoreThreshold = 0.5 }).ToListAsync();

        var hit = Assert.Single(hits);
        Assert.Equal("same", hit.Record.Text);
        Assert.Equal(1.0, hit.Score!.Value, 5);
    }

    [Theory]
    [InlineData(DistanceFunction.CosineSimilarity, 0.6)]             // cos = (3·1)/(5·1)
    [InlineData(DistanceFunction.CosineDistance, 0.4)]
    [InlineData(DistanceFunction.DotProductSimilarity, 3.0)]
    [InlineData(DistanceFunction.NegativeDotProductSimilarity, -3.0)]
    [InlineData(DistanceFunction.EuclideanDistance, 4.47213595)]      // √((3−1)² + 4²)
    [InlineData(DistanceFunction.EuclideanSquaredDistance, 20.0)]
    [InlineData(DistanceFunction.ManhattanDistance, 6.0)]
    public async Task Each_distance_function_reports_scores_in_its_own_convention(string function, double expected)
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var c = store.GetCollection<string, PlainRecord>("f", Definition(function));
        await c.EnsureCollectionExistsAsync();
        await c.UpsertAsync(new PlainRecord { Key = "a", Vector = new float[] { 1, 0 } });

        var hit = Assert.Single(await c.SearchAsync(new float[] { 3, 4 }, top: 1).ToListAsync());

        Assert.Equal(expected, hit.Score!.Value, 4);
    }

    [Fact]
    public async Task Similarities_rank_the_most_similar_first_and_distances_the_nearest_first()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var dot = store.GetCollection<string, PlainRecord>("dot", Definition(DistanceFunction.DotProductSimilarity));
        await dot.EnsureCollectionExistsAsync();
        await dot.UpsertAsync([new PlainRecord { Key = "small", Vector = new float[] { 1, 0 } }, new PlainRecord { Key = "large", Vector = new float[] { 5, 0 } }]);

        var hits = await dot.SearchAsync(new float[] { 1, 0 }, top: 2).ToListAsync();

        Assert.Equal(["large", "small"], hits.Select(h => h.Record.Key));
        Assert.True(hits[0].Score > hits[1].Score);
    }

    [Fact]
    public async Task Lsh_index_kind_builds_an_approximate_index_that_finds_stored_vectors()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root, new AknnVectorStoreOptions { LshTables = 8, LshBitsPerTable = 6 });
        var definition = Definition(DistanceFunction.CosineSimilarity, AknnIndexKind.Lsh, dims: 16);
        var c = store.GetCollection<string, PlainRecord>("lsh", definition);
        await c.EnsureCollectionExistsAsync();
        var rng = new Random(5);
        var vectors = Enumerable.Range(0, 300).Select(_ => Enumerable.Range(0, 16).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray()).ToArray();
        await c.UpsertAsync(vectors.Select((v, i) => new PlainRecord { Key = $"v{i}", Vector = v }));

        var index = (VectorIndex)c.GetService(typeof(VectorIndex))!;
        var hits = await c.SearchAsync(vectors[17], top: 1).ToListAsync();

        Assert.Equal(IndexModelKind.Lsh, index.Model.Kind);
        Assert.Equal("v17", hits[0].Record.Key);
    }

    [Fact]
    public async Task VectorProperty_option_names_the_vector_to_search()
    {
        using var tmp = new TempFolder();
        var (store, hotels) = await Line(tmp);
        using var _ = store;

        var hits = await hotels.SearchAsync(new float[] { 1, 0, 0 }, top: 1, new VectorSearchOptions<Hotel> { VectorProperty = h => h.Embedding }).ToListAsync();

        Assert.Equal("h1", hits[0].Record.Id);
    }

    [Fact]
    public async Task A_query_of_the_wrong_length_is_refused_with_both_lengths()
    {
        using var tmp = new TempFolder();
        var (store, hotels) = await Line(tmp);
        using var _ = store;

        var e = await Assert.ThrowsAsync<DimensionMismatchException>(async () => await hotels.SearchAsync(new float[] { 1, 2 }, top: 1).ToListAsync());

        Assert.Contains("3", e.Message);
        Assert.Contains("2", e.Message);
    }

    [Fact]
    public async Task A_record_vector_of_the_wrong_length_is_refused_and_nothing_of_the_batch_is_written()
    {
        using var tmp = new TempFolder();
        var (store, hotels) = await Line(tmp, count: 0);
        using var _ = store;

        var e = await Assert.ThrowsAsync<ArgumentException>(() => hotels.UpsertAsync([
            new Hotel { Id = "ok", Embedding = new float[] { 1, 2, 3 } },
            new Hotel { Id = "bad", Embedding = new float[] { 1, 2 } },
        ]));

        Assert.Contains("'bad' has 2 dimensions", e.Message);
        Assert.Null(await hotels.GetAsync("ok"));
    }

    [Theory]
    [InlineData(IndexKind.Hnsw)]
    [InlineData(IndexKind.IvfFlat)]
    public void Unsupported_index_kinds_are_refused_listing_the_supported_ones(string kind)
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);

        var e = Assert.Throws<NotSupportedException>(() => store.GetCollection<string, PlainRecord>("x", Definition(DistanceFunction.CosineSimilarity, kind)));

        Assert.Contains(kind, e.Message);
        Assert.Contains("'Flat'", e.Message);
        Assert.Contains("'Lsh'", e.Message);
    }

    [Fact]
    public void Unsupported_distance_functions_are_refused_listing_the_supported_ones()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);

        var e = Assert.Throws<NotSupportedException>(() => store.GetCollection<string, PlainRecord>("x", Definition("ChebyshevDistance")));

        Assert.Contains("ChebyshevDistance", e.Message);
        Assert.Contains("EuclideanSquaredDistance", e.Message);
    }

    [Fact]
    public void Hamming_distance_on_float_vectors_is_refused()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);

        var e = Assert.Throws<NotSupportedException>(() => store.GetCollection<string, PlainRecord>("x", Definition(DistanceFunction.HammingDistance)));

        Assert.Contains("bit vector", e.Message);
    }

    [Fact]
    public void Several_vector_properties_are_refused_at_collection_creation_naming_them()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);

        var e = Assert.Throws<NotSupportedException>(() => store.GetCollection<string, TwoVectors>("two"));

        Assert.Contains("A, B", e.Message);
        Assert.Contains("one vector per record", e.Message);
    }

    [Fact]
    public void Unsupported_key_types_are_refused_listing_the_supported_ones()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var definition = new VectorStoreCollectionDefinition
        {
            Properties = [new VectorStoreKeyProperty("Key", typeof(DateTime)), new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), 2)],
        };

        var e = Assert.Throws<NotSupportedException>(() => store.GetDynamicCollection("k", definition));

        Assert.Contains("string, Guid, int, long", e.Message);
    }

    internal static VectorStoreCollectionDefinition Definition(string function, string? kind = null, int dims = 2) => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty("Key", typeof(string)),
            new VectorStoreDataProperty("Title", typeof(string)),
            new VectorStoreDataProperty("Year", typeof(int)),
            new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), dims) { DistanceFunction = function, IndexKind = kind },
        ],
    };
}

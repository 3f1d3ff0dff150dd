using System.Linq.Expressions;
using Aknn.Embedded.VectorData.Tests.Support;
using Microsoft.Extensions.VectorData;

namespace Aknn.Embedded.VectorData.Tests;

public class FilterTests
{
    private static readonly Hotel[] Data =
    [
        new() { Id = "a", Name = "Alpha", Rating = 1, Price = 50, Tags = ["pool"], Floors = [1], Open = true, Embedding = new float[] { 0, 0, 0 } },
        new() { Id = "b", Name = "Beta", Rating = 2, Price = null, Tags = ["spa", "pool"], Floors = [1, 2], Open = false, Embedding = new float[] { 1, 0, 0 } },
        new() { Id = "c", Name = "Gamma", Rating = 3, Price = 150, Tags = [], Floors = [3], Open = true, Embedding = new float[] { 2, 0, 0 } },
        new() { Id = "d", Name = null, Rating = 4, Price = 200, Tags = ["gym"], Floors = [], Open = true, Embedding = new float[] { 3, 0, 0 } },
        new() { Id = "e", Name = "Epsilon", Rating = 5, Price = 80, Tags = ["spa"], Floors = [5, 6], Open = false, Embedding = new float[] { 4, 0, 0 } },
    ];

    private static async Task<List<string>> Ids(Expression<Func<Hotel, bool>> filter)
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var hotels = store.GetCollection<string, Hotel>("hotels");
        await hotels.EnsureCollectionExistsAsync();
        await hotels.UpsertAsync(Data);
        var searched = (await hotels.SearchAsync(new float[] { 0, 0, 0 }, top: 10, new VectorSearchOptions<Hotel> { Filter = filter }).ToListAsync()).Select(h => h.Record.Id).ToList();
        var got = (await hotels.GetAsync(filter, top: 10).ToListAsync()).Select(h => h.Id).Order().ToList();
        // Search returns nearest first, which on this data is id order; Get returns storage order.
        Assert.Equal(searched, got);
        return searched;
    }

    [Fact] public async Task Equality_on_a_string() => Assert.Equal(["b"], await Ids(h => h.Name == "Beta"));
    [Fact] public async Task Inequality_on_an_int() => Assert.Equal(["a", "c", "d", "e"], await Ids(h => h.Rating != 2));
    [Fact] public async Task Less_than_and_less_or_equal() => Assert.Equal(["a", "b", "c"], await Ids(h => h.Rating < 3 || h.Rating <= 3));
    [Fact] public async Task Greater_than_and_greater_or_equal() => Assert.Equal(["d"], await Ids(h => h.Rating > 3 && h.Rating >= 4 && h.Rating != 5));
    [Fact] public async Task Not_negates() => Assert.Equal(["b", "e"], await Ids(h => !h.Open));
    [Fact] public async Task Boolean_property_alone() => Assert.Equal(["a", "c", "d"], await Ids(h => h.Open));
    [Fact] public async Task Null_checks_on_nullable_values() => Assert.Equal(["b"], await Ids(h => h.Price == null));
    [Fact] public async Task Null_checks_on_references() => Assert.Equal(["a", "b", "c", "e"], await Ids(h => h.Name != null));
    [Fact] public async Task Nullable_comparison_with_a_constant() => Assert.Equal(["c", "d"], await Ids(h => h.Price > 100));
    [Fact] public async Task Array_property_contains_a_value() => Assert.Equal(["a", "b"], await Ids(h => h.Tags.Contains("pool")));
    [Fact] public async Task List_property_contains_a_value() => Assert.Equal(["a", "b"], await Ids(h => h.Floors.Contains(1)));
    [Fact] public async Task Key_property_can_be_filtered() => Assert.Equal(["c"], await Ids(h => h.Id == "c"));

    [Fact]
    public async Task Captured_array_contains_the_property()
    {
        string[] wanted = ["Alpha", "Gamma", "Nobody"];
        Assert.Equal(["a", "c"], await Ids(h => wanted.Contains(h.Name!)));
    }

    [Fact]
    public async Task Captured_list_contains_the_property()
    {
        var wanted = new List<int> { 2, 5 };
        Assert.Equal(["b", "e"], await Ids(h => wanted.Contains(h.Rating)));
    }

    [Fact]
    public async Task Captured_variables_are_read_at_call_time()
    {
        int min = 4;
        Assert.Equal(["d", "e"], await Ids(h => h.Rating >= min));
    }

    [Fact]
    public async Task Unsupported_method_is_refused_naming_it()
    {
        var e = await Assert.ThrowsAsync<NotSupportedException>(() => Ids(h => h.Name!.StartsWith("A")));
        Assert.Contains("StartsWith", e.Message);
    }

    [Fact]
    public async Task Unsupported_node_is_refused_naming_it()
    {
        var e = await Assert.ThrowsAsync<NotSupportedException>(() => Ids(h => h.Rating + 1 > 3));
        Assert.Contains("Add", e.Message);
    }

    [Fact]
    public async Task Unknown_dynamic_property_is_refused_naming_it()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var definition = new VectorStoreCollectionDefinition
        {
            Properties = [new VectorStoreKeyProperty("Id", typeof(string)), new VectorStoreDataProperty("Year", typeof(int)), new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), 2)],
        };
        var c = store.GetDynamicCollection("d", definition);
        await c.EnsureCollectionExistsAsync();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await c.GetAsync(r => (int)r["Yeer"]! > 1, top: 1).ToListAsync());

        Assert.Contains("Yeer", e.Message);
    }

    [Fact]
    public async Task Filter_runs_inside_the_search_so_a_far_matching_row_is_still_found()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var hotels = store.GetCollection<string, Hotel>("hotels");
        await hotels.EnsureCollectionExistsAsync();
        await hotels.UpsertAsync(Enumerable.Range(0, 500).Select(i => new Hotel { Id = $"h{i}", Rating = i == 499 ? 9 : 1, Embedding = new float[] { i, 0, 0 } }));

        // A post-filter over the 1 nearest would find nothing: the only match is the farthest row.
        var hits = await hotels.SearchAsync(new float[] { 0, 0, 0 }, top: 1, new VectorSearchOptions<Hotel> { Filter = h => h.Rating == 9 }).ToListAsync();

        Assert.Equal("h499", Assert.Single(hits).Record.Id);
    }

    [Fact]
    public async Task Filtered_get_pages_with_skip_and_sorts_by_order_by()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var hotels = store.GetCollection<string, Hotel>("hotels");
        await hotels.EnsureCollectionExistsAsync();
        await hotels.UpsertAsync(Data);

        var desc = await hotels.GetAsync(h => h.Rating > 1, top: 2, new FilteredRecordRetrievalOptions<Hotel> { Skip = 1, OrderBy = o => o.Descending(h => h.Rating) }).ToListAsync();
        var byOpenThenRating = await hotels.GetAsync(h => true, top: 10, new FilteredRecordRetrievalOptions<Hotel> { OrderBy = o => o.Ascending(h => h.Open).Descending(h => h.Rating) }).ToListAsync();
        var withVectors = await hotels.GetAsync(h => h.Id == "e", top: 1, new FilteredRecordRetrievalOptions<Hotel> { IncludeVectors = true }).ToListAsync();

        Assert.Equal(["d", "c"], desc.Select(h => h.Id));
        Assert.Equal(["e", "b", "d", "c", "a"], byOpenThenRating.Select(h => h.Id));
        Assert.Equal([4f, 0, 0], withVectors[0].Embedding.ToArray());
    }
}

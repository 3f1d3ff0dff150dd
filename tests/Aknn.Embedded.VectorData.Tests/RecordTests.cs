using Aknn.Embedded.VectorData.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace Aknn.Embedded.VectorData.Tests;

public class RecordTests
{
    private static async Task<(AknnVectorStore Store, AknnCollection<string, Hotel> Hotels)> Hotels(TempFolder tmp)
    {
        var store = new AknnVectorStore(tmp.Root);
        var hotels = store.GetCollection<string, Hotel>("hotels");
        await hotels.EnsureCollectionExistsAsync();
        return (store, hotels);
    }

    [Fact]
    public async Task Upserted_record_reads_back_every_data_property_and_the_vector_on_request()
    {
        using var tmp = new TempFolder();
        var (store, hotels) = await Hotels(tmp);
        using var _ = store;
        var h = new Hotel { Id = "h1", Name = "Grand", Rating = 5, Price = 99.5, Tags = ["pool", "spa"], Floors = [1, 2, 7], Open = true, Embedding = new float[] { 1, 2, 3 } };

        await hotels.UpsertAsync(h);
        var without = await hotels.GetAsync("h1");
        var with = await hotels.GetAsync("h1", new RecordRetrievalOptions { IncludeVectors = true });

        Assert.NotNull(without);
        Assert.Equal(("h1", "Grand", 5, 99.5, true), (without.Id, without.Name, without.Rating, without.Price, without.Open));
        Assert.Equal(["pool", "spa"], without.Tags);
        Assert.Equal([1, 2, 7], without.Floors);
        Assert.True(without.Embedding.IsEmpty);
        Assert.Equal([1f, 2, 3], with!.Embedding.ToArray());
        Assert.Null(await hotels.GetAsync("missing"));
    }

    [Fact]
    public async Task Data_is_stored_as_a_MessagePack_map_keyed_by_storage_name()
    {
        using var tmp = new TempFolder();
        var (store, hotels) = await Hotels(tmp);
        using var _ = store;
        await hotels.UpsertAsync(new Hotel { Id = "h1", Name = "Grand", Embedding = new float[] { 1, 2, 3 } });

        var index = (VectorIndex)hotels.GetService(typeof(VectorIndex))!;
        Assert.True(index.TryGet("h1", out var item));
        var map = MessagePack.MessagePackSerializer.Deserialize<Dictionary<string, object?>>(item.Payload);

        Assert.Equal("Grand", map["hotel_name"]);
        Assert.False(map.ContainsKey("Name"));
    }

    [Fact]
    public async Task Batch_upsert_get_and_delete_work_on_several_records_and_skip_missing_keys()
    {
        using var tmp = new TempFolder();
        var (store, hotels) = await Hotels(tmp);
        using var _ = store;
        await hotels.UpsertAsync(Enumerable.Range(0, 10).Select(i => new Hotel { Id = $"h{i}", Rating = i, Embedding = new float[] { i, 0, 0 } }));

        var some = await hotels.GetAsync(["h1", "h5", "nope", "h9"]).ToListAsync();
        await hotels.DeleteAsync(["h1", "h2", "nope"]);
        var after = await hotels.GetAsync(["h1", "h2", "h3"]).ToListAsync();

        Assert.Equal([1, 5, 9], some.Select(h => h.Rating));
        Assert.Equal(["h3"], after.Select(h => h.Id));
    }

    [Fact]
    public async Task Upsert_replaces_a_record_with_the_same_key()
    {
        using var tmp = new TempFolder();
        var (store, hotels) = await Hotels(tmp);
        using var _ = store;
        await hotels.UpsertAsync(new Hotel { Id = "h", Name = "Old", Embedding = new float[] { 1, 0, 0 } });
        await hotels.UpsertAsync(new Hotel { Id = "h", Name = "New", Embedding = new float[] { 0, 1, 0 } });

        var hits = await hotels.SearchAsync(new float[] { 0, 1, 0 }, top: 10).ToListAsync();

        var hit = Assert.Single(hits);
        Assert.Equal("New", hit.Record.Name);
        Assert.Equal(0, hit.Score);
    }

    [Fact]
    public async Task Guid_keys_round_trip_and_an_empty_auto_generated_key_gets_a_new_guid()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var c = store.GetCollection<Guid, GuidRecord>("guids");
        await c.EnsureCollectionExistsAsync();
        var known = Guid.NewGuid();
        var generated = new GuidRecord { Text = "auto", Vector = [0, 1] };

        await c.UpsertAsync([new GuidRecord { Id = known, Text = "known", Vector = [1, 0] }, generated]);

        Assert.NotEqual(Guid.Empty, generated.Id);
        Assert.Equal("known", (await c.GetAsync(known))!.Text);
        Assert.Equal("auto", (await c.GetAsync(generated.Id))!.Text);
        var top = Assert.Single(await c.SearchAsync(new float[] { 1, 0.1f }, top: 1).ToListAsync());
        Assert.Equal(known, top.Record.Id);
    }

    [Fact]
    public async Task Int_keys_round_trip_with_embedding_vectors()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var c = store.GetCollection<int, IntRecord>("ints");
        await c.EnsureCollectionExistsAsync();
        await c.UpsertAsync([new IntRecord { Id = -7, Text = "neg", Vector = new(new float[] { 1, 0 }) }, new IntRecord { Id = 42, Text = "pos", Vector = new(new float[] { 0, 1 }) }]);

        var r = await c.GetAsync(-7, new RecordRetrievalOptions { IncludeVectors = true });
        await c.DeleteAsync(42);

        Assert.Equal("neg", r!.Text);
        Assert.Equal([1f, 0], r.Vector!.Vector.ToArray());
        Assert.Null(await c.GetAsync(42));
    }

    [Fact]
    public async Task Long_keys_round_trip()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var c = store.GetCollection<long, LongRecord>("longs");
        await c.EnsureCollectionExistsAsync();
        await c.UpsertAsync(new LongRecord { Id = long.MaxValue, Text = "max", Vector = new float[] { 1, 1 } });

        var hits = await c.SearchAsync(new float[] { 1, 2 }, top: 1).ToListAsync();

        Assert.Equal(long.MaxValue, hits[0].Record.Id);
        Assert.Equal(1.0, hits[0].Score!.Value, 5); // Manhattan |1−1| + |1−2|
    }

    [Fact]
    public async Task A_definition_describes_a_record_type_without_attributes()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty("Key", typeof(string)),
                new VectorStoreDataProperty("Title", typeof(string)) { StorageName = "title" },
                new VectorStoreDataProperty("Year", typeof(int)),
                new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), 2) { DistanceFunction = DistanceFunction.CosineDistance },
            ],
        };
        var c = store.GetCollection<string, PlainRecord>("plain", definition);
        await c.EnsureCollectionExistsAsync();
        await c.UpsertAsync([new PlainRecord { Key = "a", Title = "A", Year = 1999, Vector = new float[] { 1, 0 } }, new PlainRecord { Key = "b", Title = "B", Year = 2005, Vector = new float[] { 0, 1 } }]);

        var hits = await c.SearchAsync(new float[] { 0, 1 }, top: 2, new VectorSearchOptions<PlainRecord> { Filter = r => r.Year > 2000 }).ToListAsync();

        var hit = Assert.Single(hits);
        Assert.Equal(("b", "B", 2005), (hit.Record.Key, hit.Record.Title, hit.Record.Year));
        Assert.Equal(0, hit.Score!.Value, 5);
    }

    [Fact]
    public async Task A_property_added_later_reads_old_records_as_its_default()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var v1 = new VectorStoreCollectionDefinition
        {
            Properties = [new VectorStoreKeyProperty("Key", typeof(string)), new VectorStoreDataProperty("Title", typeof(string)), new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), 2)],
        };
        var old = store.GetCollection<string, PlainRecord>("evolving", v1);
        await old.EnsureCollectionExistsAsync();
        await old.UpsertAsync(new PlainRecord { Key = "a", Title = "A", Year = 1234, Vector = new float[] { 1, 0 } });

        var v2 = new VectorStoreCollectionDefinition { Properties = [.. v1.Properties, new VectorStoreDataProperty("Year", typeof(int))] };
        var evolved = store.GetCollection<string, PlainRecord>("evolving", v2);
        var a = await evolved.GetAsync("a");
        var filtered = await evolved.GetAsync(r => r.Year == 0, top: 5).ToListAsync();

        Assert.Equal(("A", 0), (a!.Title, a.Year));
        Assert.Single(filtered);
    }

    [Fact]
    public async Task Dynamic_collection_stores_and_filters_dictionary_records()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty("Id", typeof(int)),
                new VectorStoreDataProperty("Title", typeof(string)),
                new VectorStoreDataProperty("Year", typeof(int)),
                new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), 2) { DistanceFunction = DistanceFunction.EuclideanDistance },
            ],
        };
        var c = store.GetDynamicCollection("dyn", definition);
        await c.EnsureCollectionExistsAsync();
        await c.UpsertAsync([
            new Dictionary<string, object?> { ["Id"] = 1, ["Title"] = "one", ["Year"] = 1990, ["Vector"] = new ReadOnlyMemory<float>([1, 0]) },
            new Dictionary<string, object?> { ["Id"] = 2, ["Title"] = "two", ["Year"] = 2010, ["Vector"] = new ReadOnlyMemory<float>([0, 1]) },
        ]);

        var one = await c.GetAsync(1, new RecordRetrievalOptions { IncludeVectors = true });
        var recent = await c.SearchAsync(new float[] { 1, 0 }, top: 5, new VectorSearchOptions<Dictionary<string, object?>> { Filter = r => (int)r["Year"]! > 2000 }).ToListAsync();
        var byTitle = await c.GetAsync(r => r["Title"] == (object)"one", top: 5).ToListAsync();

        Assert.Equal("one", one!["Title"]);
        Assert.Equal([1f, 0], ((ReadOnlyMemory<float>)one["Vector"]!).ToArray());
        Assert.Equal(2, Assert.Single(recent).Record["Id"]);
        Assert.Equal(1, Assert.Single(byTitle)["Id"]);
        await Assert.ThrowsAsync<ArgumentException>(() => c.GetAsync("1"));
    }

    [Fact]
    public async Task Text_is_embedded_on_upsert_and_search_through_the_generator()
    {
        using var tmp = new TempFolder();
        var generator = new LetterCountGenerator();
        using var store = new AknnVectorStore(tmp.Root, new AknnVectorStoreOptions { EmbeddingGenerator = generator });
        var c = store.GetCollection<string, TextRecord>("texts");
        await c.EnsureCollectionExistsAsync();
        await c.UpsertAsync([
            new TextRecord { Id = "a", Text = "aaaa", Embedding = "aaaa" },
            new TextRecord { Id = "b", Text = "bbbb", Embedding = "bbbb" },
        ]);

        var hits = await c.SearchAsync("aaab", top: 1).ToListAsync();

        Assert.Equal("a", hits[0].Record.Id);
        Assert.Equal(2, generator.Calls); // one batch on upsert, one query
        await Assert.ThrowsAsync<NotSupportedException>(() => c.GetAsync("a", new RecordRetrievalOptions { IncludeVectors = true }));
    }

    [Fact]
    public async Task Text_search_without_a_generator_is_refused_naming_the_vector_types()
    {
        using var tmp = new TempFolder();
        var (store, hotels) = await Hotels(tmp);
        using var _ = store;

        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await hotels.SearchAsync("text", top: 1).ToListAsync());

        Assert.Contains("ReadOnlyMemory<float>", e.Message);
    }

    [Fact]
    public async Task Bit_vectors_are_searched_by_Hamming_distance()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var c = store.GetCollection<string, CodeRecord>("codes");
        await c.EnsureCollectionExistsAsync();
        static System.Collections.BitArray Bits(params int[] set)
        {
            var b = new System.Collections.BitArray(64);
            foreach (int i in set) b[i] = true;
            return b;
        }
        await c.UpsertAsync([new CodeRecord { Id = "x", Hash = Bits(0, 1, 2) }, new CodeRecord { Id = "y", Hash = Bits(40, 50, 60, 63) }]);

        var hits = await c.SearchAsync(new BinaryEmbedding(Bits(0, 1)), top: 2).ToListAsync();
        var x = await c.GetAsync("x", new RecordRetrievalOptions { IncludeVectors = true });

        Assert.Equal(["x", "y"], hits.Select(h => h.Record.Id));
        Assert.Equal([1.0, 6.0], hits.Select(h => h.Score!.Value));
        Assert.True(x!.Hash![2] && !x.Hash[3]);
    }
}

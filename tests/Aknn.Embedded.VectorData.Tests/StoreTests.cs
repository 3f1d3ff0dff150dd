using Aknn.Embedded.VectorData.Tests.Support;
using Microsoft.Extensions.VectorData;

namespace Aknn.Embedded.VectorData.Tests;

public class StoreTests
{
    [Fact]
    public async Task Collections_are_listed_checked_and_deleted_by_name()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var hotels = store.GetCollection<string, Hotel>("hotels");
        var other = store.GetCollection<string, Hotel>("other-1");

        Assert.False(await store.CollectionExistsAsync("hotels"));
        Assert.False(await hotels.CollectionExistsAsync());
        await hotels.EnsureCollectionExistsAsync();
        await other.EnsureCollectionExistsAsync();
        await hotels.EnsureCollectionExistsAsync(); // idempotent

        Assert.True(await store.CollectionExistsAsync("hotels"));
        Assert.Equal(["hotels", "other-1"], await store.ListCollectionNamesAsync().ToListAsync());

        await store.EnsureCollectionDeletedAsync("hotels");
        await store.EnsureCollectionDeletedAsync("never-there");

        Assert.False(await hotels.CollectionExistsAsync());
        Assert.Equal(["other-1"], await store.ListCollectionNamesAsync().ToListAsync());
        Assert.False(Directory.Exists(Path.Combine(tmp.Root, "hotels")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("spaces are not allowed")]
    public void Collection_names_that_cannot_be_folder_names_are_refused_with_the_rule(string name)
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);

        var e = Assert.Throws<ArgumentException>(() => store.GetCollection<string, Hotel>(name));

        Assert.Contains("letters, digits", e.Message);
    }

    [Fact]
    public async Task Store_and_collection_describe_themselves_through_GetService()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var hotels = store.GetCollection<string, Hotel>("hotels");
        await hotels.EnsureCollectionExistsAsync();

        var storeMeta = Assert.IsType<VectorStoreMetadata>(store.GetService(typeof(VectorStoreMetadata)));
        var collectionMeta = Assert.IsType<VectorStoreCollectionMetadata>(hotels.GetService(typeof(VectorStoreCollectionMetadata)));
        var index = Assert.IsType<VectorIndex>(hotels.GetService(typeof(VectorIndex)));

        Assert.Equal("aknn-embedded", storeMeta.VectorStoreSystemName);
        Assert.Equal("hotels", collectionMeta.CollectionName);
        Assert.Equal(Metric.Euclidean, index.Metric);
        Assert.Same(store, store.GetService(typeof(AknnVectorStore)));
    }

    [Fact]
    public async Task Writing_to_a_collection_that_was_never_created_says_to_create_it()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var hotels = store.GetCollection<string, Hotel>("hotels");

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => hotels.UpsertAsync(new Hotel { Id = "h", Embedding = new float[] { 1, 2, 3 } }));

        Assert.Contains("EnsureCollectionExistsAsync", e.Message);
    }

    [Fact]
    public async Task Records_survive_closing_and_reopening_the_store()
    {
        using var tmp = new TempFolder();
        using (var store = new AknnVectorStore(tmp.Root))
        {
            var hotels = store.GetCollection<string, Hotel>("hotels");
            await hotels.EnsureCollectionExistsAsync();
            await hotels.UpsertAsync([
                new Hotel { Id = "a", Name = "Alpha", Rating = 4, Tags = ["pool"], Embedding = new float[] { 1, 0, 0 } },
                new Hotel { Id = "b", Name = "Beta", Rating = 2, Embedding = new float[] { 0, 1, 0 } },
            ]);
            await hotels.DeleteAsync("b");
        }

        using (var store = new AknnVectorStore(tmp.Root))
        {
            Assert.Equal(["hotels"], await store.ListCollectionNamesAsync().ToListAsync());
            var hotels = store.GetCollection<string, Hotel>("hotels");
            var a = await hotels.GetAsync("a", new RecordRetrievalOptions { IncludeVectors = true });
            Assert.NotNull(a);
            Assert.Equal("Alpha", a.Name);
            Assert.Equal(["pool"], a.Tags);
            Assert.Equal([1f, 0, 0], a.Embedding.ToArray());
            Assert.Null(await hotels.GetAsync("b"));
            var hit = Assert.Single(await hotels.SearchAsync(new float[] { 1, 0, 0 }, top: 5).ToListAsync());
            Assert.Equal("a", hit.Record.Id);
        }
    }

    [Fact]
    public async Task A_collection_reopened_with_other_dimensions_is_refused_naming_both()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        await store.GetCollection<string, Hotel>("c").EnsureCollectionExistsAsync();
        var definition = new VectorStoreCollectionDefinition
        {
            Properties = [new VectorStoreKeyProperty("Key", typeof(string)), new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), 5) { DistanceFunction = DistanceFunction.EuclideanDistance }],
        };
        var other = store.GetCollection<string, PlainRecord>("c", definition);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => other.EnsureCollectionExistsAsync());

        Assert.Contains("3-dimensional", e.Message);
        Assert.Contains("5 dimensions", e.Message);
    }
}

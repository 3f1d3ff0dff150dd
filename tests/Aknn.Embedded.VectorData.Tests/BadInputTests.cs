using Aknn.Embedded.VectorData.Tests.Support;
using Microsoft.Extensions.VectorData;

namespace Aknn.Embedded.VectorData.Tests;

public class BadInputTests
{
    private static async Task<(AknnVectorStore, AknnCollection<string, Hotel>)> Hotels(TempFolder tmp)
    {
        var store = new AknnVectorStore(tmp.Root);
        var hotels = store.GetCollection<string, Hotel>("hotels");
        await hotels.EnsureCollectionExistsAsync();
        await hotels.UpsertAsync(new Hotel { Id = "a", Embedding = new float[] { 1, 2, 3 } });
        return (store, hotels);
    }

    [Fact]
    public async Task Top_below_one_and_negative_skip_are_refused()
    {
        using var tmp = new TempFolder();
        var (store, hotels) = await Hotels(tmp);
        using var _ = store;

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await hotels.SearchAsync(new float[] { 1, 2, 3 }, top: 0).ToListAsync());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await hotels.SearchAsync(new float[] { 1, 2, 3 }, top: 1, new VectorSearchOptions<Hotel> { Skip = -1 }).ToListAsync());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await hotels.GetAsync(h => true, top: 0).ToListAsync());
    }

    [Fact]
    public async Task An_empty_string_key_is_refused_with_a_message_that_names_the_key_property()
    {
        using var tmp = new TempFolder();
        var (store, hotels) = await Hotels(tmp);
        using var _ = store;

        var e = await Assert.ThrowsAsync<ArgumentException>(() => hotels.UpsertAsync(new Hotel { Id = "", Embedding = new float[] { 1, 2, 3 } }));

        Assert.Contains("'Id'", e.Message);
    }

    [Fact]
    public async Task A_record_without_a_vector_is_refused_naming_the_record()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var c = store.GetCollection<Guid, GuidRecord>("g");
        await c.EnsureCollectionExistsAsync();
        var id = Guid.NewGuid();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => c.UpsertAsync(new GuidRecord { Id = id, Vector = null }));

        Assert.Contains(id.ToString(), e.Message);
        Assert.Contains("no vector", e.Message);
    }

    [Fact]
    public async Task A_non_finite_vector_component_is_refused_and_nothing_is_written()
    {
        using var tmp = new TempFolder();
        var (store, hotels) = await Hotels(tmp);
        using var _ = store;

        await Assert.ThrowsAsync<InvalidVectorException>(() => hotels.UpsertAsync(new Hotel { Id = "nan", Embedding = new float[] { 1, float.NaN, 3 } }));

        Assert.Null(await hotels.GetAsync("nan"));
    }

    [Fact]
    public async Task Search_on_an_empty_collection_returns_nothing()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(tmp.Root);
        var hotels = store.GetCollection<string, Hotel>("empty");
        await hotels.EnsureCollectionExistsAsync();

        Assert.Empty(await hotels.SearchAsync(new float[] { 1, 2, 3 }, top: 5).ToListAsync());
        Assert.Empty(await hotels.GetAsync(h => true, top: 5).ToListAsync());
    }

    [Fact]
    public async Task A_store_whose_folder_does_not_exist_yet_lists_no_collections()
    {
        using var tmp = new TempFolder();
        using var store = new AknnVectorStore(Path.Combine(tmp.Root, "not-yet"));

        Assert.Empty(await store.ListCollectionNamesAsync().ToListAsync());
        Assert.False(Directory.Exists(Path.Combine(tmp.Root, "not-yet")));
    }

    [Fact]
    public async Task A_disposed_store_refuses_further_use()
    {
        using var tmp = new TempFolder();
        var (store, hotels) = await Hotels(tmp);
        store.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => hotels.GetAsync("a"));
    }

    [Fact]
    public async Task Search_stops_when_cancelled()
    {
        using var tmp = new TempFolder();
        var (store, hotels) = await Hotels(tmp);
        using var _ = store;
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await hotels.SearchAsync(new float[] { 1, 2, 3 }, top: 1, cancellationToken: cts.Token).ToListAsync(cts.Token));
    }
}

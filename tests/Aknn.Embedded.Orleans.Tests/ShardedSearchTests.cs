using Aknn.Embedded.Orleans.Contracts;
using Aknn.Embedded.Orleans.Routing;
using Aknn.Embedded.Orleans.Tests.Support;
using CommunityToolkit.HighPerformance;

namespace Aknn.Embedded.Orleans.Tests;

/// <summary>Searches, routing and batches of a collection of 6 shards on 3 silos (one cluster for the class; each test uses its own collection and folder).</summary>
public sealed class ShardedSearchTests(ShardCluster cluster) : IClassFixture<ShardCluster>
{
    private const int Dims = 16;

    private static string NewName() => "c" + Guid.NewGuid().ToString("N")[..12];

    private VectorIndex SingleIndex(string name, IndexOptions options) =>
        VectorIndex.Create(Path.Combine(cluster.Root, "single", name), options);

    [Theory]
    [InlineData(Metric.Euclidean)]
    [InlineData(Metric.Cosine)]
    [InlineData(Metric.DotProduct)]
    public async Task ExactSearchOverSixShardsReturnsTheSameIdsAndDistancesAsOneIndexHoldingEveryRow(Metric metric)
    {
        var (ids, data) = TestData.Vectors(900, Dims, seed: 7);
        var collection = await ShardedCollection.CreateAsync(cluster.Client, NewName(), new ShardedCollectionOptions { ShardCount = 6, Dimensions = Dims, Metric = metric });
        await collection.UpsertBatchAsync(ids, new ReadOnlyMemory2D<float>(data));
        using var single = SingleIndex(collection.Name, new IndexOptions { Dimensions = Dims, Metric = metric });
        single.UpsertBatch(ids, new ReadOnlySpan2D<float>(data));

        var random = new Random(11);
        for (int q = 0; q < 15; q++)
        {
            float[] query = Enumerable.Range(0, Dims).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var sharded = await collection.SearchAsync(query, new DistributedSearchOptions { K = 25 });
            Assert.False(sharded.IsPartial);
            TestData.Same(single.Search(query, 25), sharded);
        }
        // Rows 8 and 9 hold the same vector: the tie is broken by id on both sides.
        TestData.Same(single.SearchById("item-00008", new SearchOptions { K = 12 }),
            await collection.SearchByIdAsync("item-00008", new DistributedSearchOptions { K = 12 }));
        TestData.Same(single.SearchById("item-00123", new SearchOptions { K = 5, IncludeSelf = true }),
            await collection.SearchByIdAsync("item-00123", new DistributedSearchOptions { K = 5, IncludeSelf = true }));
        float[] center = TestData.Row(data, 40);
        float radius = single.Search(center, 30)[^1].Distance;
        TestData.Same(single.SearchRadius(center, radius), await collection.SearchRadiusAsync(center, radius));
    }

    [Fact]
    public async Task BinaryCodeSearchesOverShardsEqualOneIndexForNearestAndRadius()
    {
        var (ids, codes) = TestData.Codes(700, 1, seed: 3);
        var collection = await ShardedCollection.CreateAsync(cluster.Client, NewName(),
            new ShardedCollectionOptions { ShardCount = 6, Dimensions = 64, Metric = Metric.Hamming, Model = ShardModelKind.MultiIndexHashing });
        await collection.UpsertCodeBatchAsync(ids, new ReadOnlyMemory2D<ulong>(codes));
        using var single = SingleIndex(collection.Name, new IndexOptions { Dimensions = 64, Metric = Metric.Hamming, Model = IndexModel.MultiIndexHashing() });
        single.UpsertCodeBatch(ids, new ReadOnlySpan2D<ulong>(codes));

        for (int q = 0; q < 7; q++)
        {
            ulong[] query = TestData.Row(codes, q * 13);
            TestData.Same(single.SearchCodeRadius(query, 8), await collection.SearchCodeRadiusAsync(query, 8));
            TestData.Same(single.SearchCode(query, 20), await collection.SearchCodeAsync(query, new DistributedSearchOptions { K = 20 }));
        }
        TestData.Same(single.SearchById("code-00005", new SearchOptions { K = 9 }), await collection.SearchByIdAsync("code-00005", new DistributedSearchOptions { K = 9 }));
    }

    [Fact]
    public async Task LshCollectionSearchedExactlyEqualsOneIndexAndMarksApproximateResults()
    {
        var (ids, data) = TestData.Vectors(600, Dims, seed: 5);
        var collection = await ShardedCollection.CreateAsync(cluster.Client, NewName(),
            new ShardedCollectionOptions { ShardCount = 6, Dimensions = Dims, Metric = Metric.Cosine, Model = ShardModelKind.Lsh, LshTables = 8, LshBitsPerTable = 6 });
        await collection.UpsertBatchAsync(ids, new ReadOnlyMemory2D<float>(data));
        using var single = SingleIndex(collection.Name, new IndexOptions { Dimensions = Dims, Metric = Metric.Cosine });
        single.UpsertBatch(ids, new ReadOnlySpan2D<float>(data));

        float[] query = TestData.Row(data, 77);
        // A budget under the shards' row counts (about 100 each), so the tables are used rather than an exact scan.
        var approximate = await collection.SearchAsync(query, new DistributedSearchOptions { K = 10, Candidates = 40 });
        Assert.True(approximate.Approximate);
        Assert.Equal("item-00077", approximate[0].Id);
        var exact = await collection.SearchAsync(query, new DistributedSearchOptions { K = 10, Exact = true });
        Assert.False(exact.Approximate);
        TestData.Same(single.Search(query, 10), exact);
    }

    [Fact]
    public async Task EveryIdIsStoredOnTheShardItsStableHashNamesAndShardsSpreadOverTheSilos()
    {
        var (ids, data) = TestData.Vectors(300, Dims, seed: 9);
        var collection = await ShardedCollection.CreateAsync(cluster.Client, NewName(), new ShardedCollectionOptions { ShardCount = 6, Dimensions = Dims });
        await collection.UpsertBatchAsync(ids, new ReadOnlyMemory2D<float>(data));

        int[] expected = new int[6];
        foreach (string id in ids) expected[ShardRouter.ShardOf(id, 6)]++;
        IReadOnlyList<string> owners = await collection.GetShardOwnersAsync();
        for (int s = 0; s < 6; s++)
        {
            var shard = cluster.Client.GetGrain<IShardGrain>(ShardRouter.ShardKey(collection.Name, s));
            Assert.Equal(expected[s], await shard.Count());
            // The shard runs on the silo the map names, and its files are in that silo's folder.
            Assert.Equal(owners[s], await shard.SiloName());
            Assert.True(VectorIndex.Exists(ShardRouter.ShardFolder(cluster.DataFolder(owners[s]), collection.Name, s)));
        }
        Assert.Equal(3, owners.Distinct().Count());
        // The hash is XxHash3 of the UTF-8 bytes: fixed values, the same in every process.
        Assert.Equal(ShardRouter.ShardOf("item-00000", 6), collection.ShardOf("item-00000"));
        Assert.Equal((int)(System.IO.Hashing.XxHash3.HashToUInt64("item-00042"u8) % 6), collection.ShardOf("item-00042"));
        Assert.Equal(300, await collection.CountAsync());
        StoredItem? item = await collection.GetAsync("item-00042");
        Assert.NotNull(item);
        Assert.Equal(TestData.Row(data, 42), item.Vector);
    }

    [Fact]
    public async Task BatchUpsertSendsOneCallPerShardItTouchesWithItsRowsInBatchOrder()
    {
        var (ids, data) = TestData.Vectors(240, Dims, seed: 13);
        var collection = await ShardedCollection.CreateAsync(cluster.Client, NewName(), new ShardedCollectionOptions { ShardCount = 6, Dimensions = Dims });
        long before = collection.WriteCalls;
        await collection.UpsertBatchAsync(ids, new ReadOnlyMemory2D<float>(data));
        Assert.Equal(6, collection.WriteCalls - before);

        int[][] groups = ShardedCollection.GroupByShard(ids, 6);
        Assert.Equal(ids.Length, groups.Sum(g => g.Length));
        for (int s = 0; s < 6; s++)
        {
            Assert.All(groups[s], row => Assert.Equal(s, ShardRouter.ShardOf(ids[row], 6)));
            Assert.Equal(groups[s].Order(), groups[s]);
        }

        // A batch whose ids all live on one shard makes one call; a later duplicate id wins.
        string[] sameShard = ids.Where(id => ShardRouter.ShardOf(id, 6) == 2).Take(3).ToArray();
        string[] batch = [sameShard[0], sameShard[1], sameShard[0]];
        float[,] rows = new float[3, Dims];
        for (int d = 0; d < Dims; d++) { rows[0, d] = 1; rows[1, d] = 2; rows[2, d] = 3; }
        before = collection.WriteCalls;
        await collection.UpsertBatchAsync(batch, new ReadOnlyMemory2D<float>(rows));
        Assert.Equal(1, collection.WriteCalls - before);
        Assert.Equal(3f, (await collection.GetAsync(sameShard[0]))!.Vector[0]);
    }

    [Fact]
    public async Task WritesReadsAndDeletesGoToTheOwningShard()
    {
        var collection = await ShardedCollection.CreateAsync(cluster.Client, NewName(), new ShardedCollectionOptions { ShardCount = 4, Dimensions = 3 });
        await collection.UpsertAsync("a", new float[] { 1, 0, 0 }, "pa"u8.ToArray());
        await collection.UpsertAsync("b", new float[] { 0, 1, 0 });
        Assert.Equal(2, await collection.CountAsync());
        var hits = await collection.SearchAsync(new float[] { 1, 0.1f, 0 }, new DistributedSearchOptions { K = 1, IncludePayload = true });
        Assert.Equal("a", hits[0].Id);
        Assert.Equal("pa"u8.ToArray(), hits[0].Payload);
        Assert.True(await collection.DeleteAsync("a"));
        Assert.False(await collection.DeleteAsync("a"));
        Assert.Null(await collection.GetAsync("a"));
        Assert.Equal(1, await collection.CountAsync());

        var reopened = await ShardedCollection.OpenAsync(cluster.Client, collection.Name);
        Assert.Equal(4, reopened.ShardCount);
        Assert.Equal(1, await reopened.CountAsync());
        await Assert.ThrowsAsync<KeyNotFoundException>(() => ShardedCollection.OpenAsync(cluster.Client, NewName()));
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ShardedCollection.CreateAsync(cluster.Client, collection.Name, new ShardedCollectionOptions { ShardCount = 5, Dimensions = 3 }));
    }

    [Fact]
    public async Task BadInputIsRejectedOnTheCallersSideWithTheCoreExceptionsBeforeAnyCall()
    {
        var collection = await ShardedCollection.CreateAsync(cluster.Client, NewName(), new ShardedCollectionOptions { ShardCount = 3, Dimensions = 4 });
        long before = collection.WriteCalls;
        await Assert.ThrowsAsync<DimensionMismatchException>(() => collection.UpsertAsync("x", new float[3]));
        var nan = await Assert.ThrowsAsync<InvalidVectorException>(() => collection.UpsertAsync("x", new[] { 1f, float.NaN, 0, 0 }));
        Assert.Contains("Component 1", nan.Message);
        await Assert.ThrowsAsync<InvalidIdException>(() => collection.UpsertAsync("", new float[] { 1, 2, 3, 4 }));
        await Assert.ThrowsAsync<InvalidIdException>(() => collection.UpsertAsync(new string('x', 513), new float[] { 1, 2, 3, 4 }));
        await Assert.ThrowsAsync<InvalidVectorException>(() => collection.UpsertCodeAsync("x", new ulong[1]));
        // One bad row stops the whole batch before any shard is written.
        float[,] rows = { { 1, 2, 3, 4 }, { 1, float.PositiveInfinity, 3, 4 } };
        var bad = await Assert.ThrowsAsync<InvalidVectorException>(() => collection.UpsertBatchAsync(["ok", "bad"], new ReadOnlyMemory2D<float>(rows)));
        Assert.Contains("row 1", bad.Message);
        await Assert.ThrowsAsync<DimensionMismatchException>(() => collection.SearchAsync(new float[5]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => collection.SearchAsync(new float[4], new DistributedSearchOptions { K = 0 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => collection.SearchRadiusAsync(new float[4], -1));
        Assert.Equal(before, collection.WriteCalls);
        Assert.Equal(0, await collection.CountAsync());
        await Assert.ThrowsAsync<ArgumentException>(() => ShardedCollection.CreateAsync(cluster.Client, "no/slash", new ShardedCollectionOptions { Dimensions = 4 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ShardedCollection.CreateAsync(cluster.Client, NewName(), new ShardedCollectionOptions { Dimensions = 4, ShardCount = 0 }));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => collection.SearchByIdAsync("missing"));
    }
}

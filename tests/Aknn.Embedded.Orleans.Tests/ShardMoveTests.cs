using Aknn.Embedded.Orleans.Contracts;
using Aknn.Embedded.Orleans.Routing;
using Aknn.Embedded.Orleans.Tests.Support;
using CommunityToolkit.HighPerformance;

namespace Aknn.Embedded.Orleans.Tests;

/// <summary>A shard moved to another silo while it is searched and written.</summary>
public sealed class ShardMoveTests(ShardCluster cluster) : IClassFixture<ShardCluster>
{
    private const int Dims = 8;

    [Fact]
    public async Task AShardMovedToAnotherSiloUnderReadAndWriteLoadLosesNothingAndServesFromItsNewSilo()
    {
        var (ids, data) = TestData.Vectors(900, Dims, seed: 31);
        var collection = await ShardedCollection.CreateAsync(cluster.Client, "moving", new ShardedCollectionOptions { ShardCount = 6, Dimensions = Dims });
        await collection.UpsertBatchAsync(ids, new ReadOnlyMemory2D<float>(data));
        using var single = VectorIndex.Create(Path.Combine(cluster.Root, "single"), new IndexOptions { Dimensions = Dims });
        single.UpsertBatch(ids, new ReadOnlySpan2D<float>(data));

        const int shard = 1;
        IReadOnlyList<string> owners = await collection.GetShardOwnersAsync();
        string from = owners[shard];
        string to = owners.First(o => o != from);
        float[][] queries = Enumerable.Range(0, 5).Select(i => TestData.Row(data, i * 37)).ToArray();
        List<Hit>[] expected = queries.Select(q => single.Search(q, 15).ToList()).ToArray();

        // Readers search without pause until the move is done (bounded, so a hang cannot loop forever).
        using var done = new CancellationTokenSource();
        int searches = 0;
        int phase = 0;
        Task readers = Task.WhenAll(Enumerable.Range(0, 3).Select(r => Task.Run(async () =>
        {
            for (int i = 0; i < 5_000 && !done.IsCancellationRequested; i++)
            {
                int q = (r + i) % queries.Length;
                var hits = await collection.SearchAsync(queries[q], new DistributedSearchOptions { K = 15 });
                Assert.False(hits.IsPartial, $"search {i} was partial: {string.Join(", ", hits.MissingShards)}");
                try
                {
                    TestData.Same(expected[q], hits);
                }
                catch (Exception e)
                {
                    throw new Exception($"Reader {r}, search {i}, {(phase == 0 ? "before" : phase == 1 ? "during" : "after")} the move: {string.Join(", ", hits.Select(h => h.Id))}", e);
                }
                Interlocked.Increment(ref searches);
            }
        })));
        // Writers add rows to the moving shard meanwhile; each must be acknowledged and kept.
        string[] added = Enumerable.Range(0, 100_000).Select(i => $"added-{i}").Where(id => collection.ShardOf(id) == shard).Take(12).ToArray();
        float[] far = Enumerable.Repeat(50f, Dims).ToArray();
        Task writers = Task.Run(async () =>
        {
            foreach (string id in added) await collection.UpsertAsync(id, far);
        });

        await Task.Delay(300);
        phase = 1;
        long bytes = await collection.MoveShardAsync(shard, to);
        phase = 2;
        await writers;
        done.Cancel();
        await readers;

        Assert.True(bytes > 0);
        Assert.True(searches > 0);
        Assert.Equal(to, (await collection.GetShardOwnersAsync())[shard]);
        Assert.Equal(to, await cluster.Client.GetGrain<IShardGrain>(ShardRouter.ShardKey("moving", shard)).SiloName());
        Assert.True(VectorIndex.Exists(ShardRouter.ShardFolder(cluster.DataFolder(to), "moving", shard)));
        Assert.False(Directory.Exists(ShardRouter.ShardFolder(cluster.DataFolder(from), "moving", shard)));

        Assert.Equal(900 + added.Length, await collection.CountAsync());
        foreach (string id in added) Assert.NotNull(await collection.GetAsync(id));
        foreach (string id in ids.Where(id => collection.ShardOf(id) == shard)) Assert.NotNull(await collection.GetAsync(id));
        foreach (var (q, i) in queries.Select((q, i) => (q, i)))
            TestData.Same(expected[i], await collection.SearchAsync(q, new DistributedSearchOptions { K = 15 }));
        // Writes after the move land on the new silo.
        await collection.UpsertAsync("after-move-" + added[0], far);
        Assert.Equal(to, await cluster.Client.GetGrain<IShardGrain>(ShardRouter.ShardKey("moving", shard)).SiloName());
    }

    [Fact]
    public async Task MovingAShardToASiloThatIsNotActiveIsRefusedAndChangesNothing()
    {
        var collection = await ShardedCollection.CreateAsync(cluster.Client, "refused", new ShardedCollectionOptions { ShardCount = 2, Dimensions = Dims });
        await collection.UpsertAsync("a", new float[Dims]);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => collection.MoveShardAsync(0, "no-such-silo"));
        Assert.Contains("no-such-silo", error.Message);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => collection.MoveShardAsync(2, "x"));
        Assert.Equal(1, await collection.CountAsync());
    }
}

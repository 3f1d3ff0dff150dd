using Aknn.Embedded.Orleans.Routing;
using Aknn.Embedded.Orleans.Tests.Support;
using CommunityToolkit.HighPerformance;
using Orleans.TestingHost;

namespace Aknn.Embedded.Orleans.Tests;

/// <summary>A silo stopped and started again under a collection (a cluster of its own, since it stops a silo).</summary>
public sealed class SiloFailureTests(ShardCluster cluster) : IClassFixture<ShardCluster>
{
    private const int Dims = 8;

    [Fact]
    public async Task AStoppedSiloGivesPartialResultsNamingItsShardsAndAfterItsRestartFullResultsWithNothingLost()
    {
        var (ids, data) = TestData.Vectors(600, Dims, seed: 21);
        var collection = await ShardedCollection.CreateAsync(cluster.Client, "failover", new ShardedCollectionOptions { ShardCount = 6, Dimensions = Dims });
        await collection.UpsertBatchAsync(ids, new ReadOnlyMemory2D<float>(data));
        using var single = VectorIndex.Create(Path.Combine(cluster.Root, "single"), new IndexOptions { Dimensions = Dims });
        single.UpsertBatch(ids, new ReadOnlySpan2D<float>(data));

        IReadOnlyList<string> owners = await collection.GetShardOwnersAsync();
        var victim = cluster.Cluster.Silos.First(s => s.Name != cluster.Cluster.Silos[0].Name && owners.Contains(s.Name));
        string victimName = victim.Name;
        int[] lost = Enumerable.Range(0, 6).Where(s => owners[s] == victimName).ToArray();
        Assert.NotEmpty(lost);

        await cluster.Cluster.StopSiloAsync(victim);

        float[] query = TestData.Row(data, 100);
        var options = new DistributedSearchOptions { K = 20, ShardTimeout = TimeSpan.FromSeconds(20) };
        var partial = await collection.SearchAsync(query, options);
        Assert.True(partial.IsPartial);
        Assert.Equal(lost, partial.MissingShards.Select(m => m.Shard));
        Assert.All(partial.MissingShards, m => Assert.Equal(victimName, m.Silo));
        // The hits are exactly those of the shards still reachable.
        var reachable = single.Search(query, new SearchOptions { K = 20, Filter = (id, _) => !lost.Contains(ShardRouter.ShardOf(id, 6)) });
        TestData.Same(reachable, partial);

        var strict = await Assert.ThrowsAsync<ShardUnavailableException>(() =>
            collection.SearchAsync(query, new DistributedSearchOptions { K = 20, AllowPartialResults = false, ShardTimeout = TimeSpan.FromSeconds(20) }));
        Assert.Equal(victimName, strict.Silo);
        Assert.Contains(victimName, strict.Message);

        // A write to a lost shard throws, naming the shard and its silo; writes to the others go on.
        string lostId = Enumerable.Range(0, 10_000).Select(i => $"new-{i}").First(id => lost.Contains(collection.ShardOf(id)));
        string liveId = Enumerable.Range(0, 10_000).Select(i => $"new-{i}").First(id => !lost.Contains(collection.ShardOf(id)));
        collection.WriteTimeout = TimeSpan.FromSeconds(20);
        var refused = await Assert.ThrowsAsync<ShardUnavailableException>(() => collection.UpsertAsync(lostId, query));
        Assert.Equal(collection.ShardOf(lostId), refused.Shard);
        Assert.Equal(victimName, refused.Silo);
        Assert.Contains($"Shard {refused.Shard}", refused.Message);
        Assert.Contains(victimName, refused.Message);
        await collection.UpsertAsync(liveId, query);
        single.Upsert(liveId, query);

        // The same silo comes back: same name, same data folder (a new process would be started the same way).
        var restarted = await cluster.Cluster.CreateSiloAsync(
            InProcessTestSiloSpecificOptions.Create(cluster.Cluster, cluster.Cluster.Options, victim.InstanceNumber, assignNewPort: true));
        Assert.Equal(victimName, restarted.Name);

        // Every silo learns of the returning one through membership, a moment after it starts;
        // until then its shards still count as missing. Wait for that (bounded), not for a time.
        var full = await collection.SearchAsync(query, options);
        for (int attempt = 0; full.IsPartial && attempt < 100; attempt++)
        {
            await Task.Delay(200);
            full = await collection.SearchAsync(query, options);
        }
        Assert.False(full.IsPartial);
        TestData.Same(single.Search(query, 20), full);
        Assert.Equal(601, await collection.CountAsync());
        foreach (string id in ids.Where(id => lost.Contains(collection.ShardOf(id))).Take(20))
            Assert.NotNull(await collection.GetAsync(id));
        // The restarted silo serves writes to its shards again.
        await collection.UpsertAsync(lostId, query);
        Assert.Equal(602, await collection.CountAsync());
    }
}

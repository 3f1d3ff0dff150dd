using Aknn.Embedded.Orleans.Tests.Support;
using CommunityToolkit.HighPerformance;

namespace Aknn.Embedded.Orleans.Tests;

/// <summary>The whole cluster stopped and started again on the same folders.</summary>
public sealed class ClusterRestartTests
{
    [Fact]
    public async Task AClusterRestartedOnTheSameFoldersFindsTheShardMapAndEveryAcknowledgedRow()
    {
        string root = Path.Combine(Path.GetTempPath(), "aknn-orleans-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var (ids, data) = TestData.Vectors(400, 8, seed: 41);
            IReadOnlyList<string> ownersBefore;
            Hit[] before;
            await using (var first = await ShardClusterScope.StartAsync(new ShardCluster(root, deleteOnDispose: false)))
            {
                var collection = await ShardedCollection.CreateAsync(first.Cluster.Client, "kept", new ShardedCollectionOptions { ShardCount = 6, Dimensions = 8 });
                await collection.UpsertBatchAsync(ids, new ReadOnlyMemory2D<float>(data));
                await collection.DeleteAsync(ids[3]);
                ownersBefore = await collection.GetShardOwnersAsync();
                before = (await collection.SearchAsync(TestData.Row(data, 5), new DistributedSearchOptions { K = 10 })).ToArray();
            }

            await using var second = await ShardClusterScope.StartAsync(new ShardCluster(root, deleteOnDispose: true));
            var reopened = await ShardedCollection.OpenAsync(second.Cluster.Client, "kept");
            Assert.Equal(ownersBefore, await reopened.GetShardOwnersAsync());
            Assert.Equal(399, await reopened.CountAsync());
            Assert.Null(await reopened.GetAsync(ids[3]));
            TestData.Same(before, await reopened.SearchAsync(TestData.Row(data, 5), new DistributedSearchOptions { K = 10 }));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Starts a <see cref="ShardCluster"/> and stops it at the end of a using block.</summary>
    private sealed class ShardClusterScope : IAsyncDisposable
    {
        private ShardClusterScope(ShardCluster cluster) => Cluster = cluster;

        public static async Task<ShardClusterScope> StartAsync(ShardCluster cluster)
        {
            await cluster.InitializeAsync();
            return new ShardClusterScope(cluster);
        }

        public ShardCluster Cluster { get; }

        public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
    }
}

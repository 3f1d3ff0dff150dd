using System.Diagnostics;
using System.Reflection;
using Aknn.Embedded.Orleans.Routing;
using Aknn.Embedded.Orleans.Tests.Support;
using CommunityToolkit.HighPerformance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Aknn.Embedded.Orleans.Tests.Integration;

/// <summary>
/// The Cluster sample as it is deployed: a redis-server for membership (and the shard maps), three
/// silo processes on localhost, each with its own data folder, and a client that finds them
/// through Redis. One silo is killed (SIGKILL) and started again.
/// </summary>
public sealed class RedisClusterProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Dims = 16;
    private const int Rows = 3000;
    private const int Shards = 6;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "aknn-redis-cluster-tests", Guid.NewGuid().ToString("N"));
    private readonly string _clusterId = "aknn-test-" + Guid.NewGuid().ToString("N")[..8];
    private readonly Dictionary<string, ChildProcess> _silos = [];
    private readonly Dictionary<string, int> _siloPorts = [];
    private ChildProcess? _redis;
    private int _redisPort;
    private IHost? _client;

    /// <summary>The Cluster sample's dll, built by the project reference (path recorded at build time).</summary>
    private static string SampleDll => typeof(RedisClusterProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ClusterSampleDll").Value!;

    [RedisFact]
    public async Task SiloProcessesWithRedisMembershipSearchExactlyServePartialResultsWhenOneIsKilledAndEverythingAfterItsRestart()
    {
        var clock = Stopwatch.StartNew();
        Assert.True(File.Exists(SampleDll), $"The Cluster sample was not built at {SampleDll} (the test project references it so that it is).");
        Directory.CreateDirectory(_root);
        await StartRedisAsync();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => StartSiloAsync(LocalPorts.FreeWithPartner(1000))));
        output.WriteLine($"redis and 3 silos up after {clock.Elapsed.TotalSeconds:F1} s");

        var grains = await ConnectClientAsync();
        var collection = await ShardedCollection.CreateAsync(grains, "redis-cluster", new ShardedCollectionOptions { ShardCount = Shards, Dimensions = Dims });
        var (ids, data) = TestData.Vectors(Rows, Dims, seed: 15);
        for (int start = 0; start < Rows; start += 1000)
            await collection.UpsertBatchAsync(ids[start..(start + 1000)], new ReadOnlyMemory2D<float>(data).Slice(start, 0, 1000, Dims));
        using var single = VectorIndex.Create(Path.Combine(_root, "single"), new IndexOptions { Dimensions = Dims });
        single.UpsertBatch(ids, new ReadOnlySpan2D<float>(data));
        output.WriteLine($"{Rows} rows loaded after {clock.Elapsed.TotalSeconds:F1} s");

        // Exact search over three processes equals one index holding every row: same ids, same distances.
        Assert.Equal(Rows, await collection.CountAsync());
        int[] queryRows = [0, 9, 777, 1500, 2999];
        var options = new DistributedSearchOptions { K = 25, ShardTimeout = TimeSpan.FromSeconds(20) };
        foreach (int row in queryRows)
        {
            var hits = await collection.SearchAsync(TestData.Row(data, row), options);
            Assert.False(hits.IsPartial);
            TestData.Same(single.Search(TestData.Row(data, row), 25), hits);
        }
        TestData.Same(single.SearchById(ids[1234], new SearchOptions { K = 10 }), await collection.SearchByIdAsync(ids[1234], new DistributedSearchOptions { K = 10 }));

        // Kill (SIGKILL) a silo that holds shards: its shards are reported missing, by number and silo.
        IReadOnlyList<string> owners = await collection.GetShardOwnersAsync();
        Assert.Equal(3, owners.Distinct().Count());
        string victim = owners[0];
        int[] lost = Enumerable.Range(0, Shards).Where(s => owners[s] == victim).ToArray();
        _silos[victim].Kill();
        output.WriteLine($"{victim} (shards {string.Join(',', lost)}) killed after {clock.Elapsed.TotalSeconds:F1} s");

        float[] query = TestData.Row(data, 100);
        var partial = await collection.SearchAsync(query, options);
        // Until the surviving silos declare the victim dead in membership (seconds, by Orleans'
        // probes) and the client reads the new gateway list, calls the client routed through the
        // victim as its gateway fail too, so a shard of a live silo can be reported missing for that
        // long (seen in CI: shard 4 of a live silo for 5 s). Wait for it, bounded, not a fixed time.
        var settle = Stopwatch.StartNew();
        for (int attempt = 1; settle.Elapsed < TimeSpan.FromSeconds(60) && !partial.MissingShards.Select(m => m.Shard).SequenceEqual(lost); attempt++)
        {
            output.WriteLine($"attempt {attempt} after {settle.Elapsed.TotalSeconds:F1} s: missing {string.Join("; ", partial.MissingShards.Select(m => $"{m.Shard} on {m.Silo}"))}");
            await Task.Delay(500);
            partial = await collection.SearchAsync(query, options);
        }
        Assert.True(partial.IsPartial, "A search with a silo killed must be marked partial.");
        Assert.Equal(lost, partial.MissingShards.Select(m => m.Shard));
        Assert.All(partial.MissingShards, m => Assert.Equal(victim, m.Silo));
        var reachable = single.Search(query, new SearchOptions { K = 25, Filter = (id, _) => !lost.Contains(ShardRouter.ShardOf(id, Shards)) });
        TestData.Same(reachable, partial);

        // Writes: to a lost shard refused, naming shard and silo; to a live one acknowledged.
        collection.WriteTimeout = TimeSpan.FromSeconds(20);
        string lostId = Enumerable.Range(0, 10_000).Select(i => $"late-{i}").First(id => lost.Contains(collection.ShardOf(id)));
        var refused = await Assert.ThrowsAsync<ShardUnavailableException>(() => collection.UpsertAsync(lostId, query));
        Assert.Equal(collection.ShardOf(lostId), refused.Shard);
        Assert.Equal(victim, refused.Silo);
        var acknowledged = Enumerable.Range(0, 10_000).Select(i => $"late-{i}").Where(id => !lost.Contains(collection.ShardOf(id))).Take(20).ToArray();
        foreach (string id in acknowledged)
        {
            float[] vector = TestData.Row(data, id.Length * 37 % Rows);
            await collection.UpsertAsync(id, vector);
            single.Upsert(id, vector);
        }

        // The same silo again: same port, so same name, and same data folder. Membership (Redis)
        // tells the others a moment after it starts; until then its shards still count as missing,
        // so wait for that, bounded, not for a fixed time.
        await StartSiloAsync(_siloPorts[victim]);
        output.WriteLine($"{victim} restarted after {clock.Elapsed.TotalSeconds:F1} s");
        var full = await collection.SearchAsync(query, options);
        for (var wait = Stopwatch.StartNew(); full.IsPartial && wait.Elapsed < TimeSpan.FromSeconds(60);)
        {
            await Task.Delay(250);
            full = await collection.SearchAsync(query, options);
        }
        Assert.False(full.IsPartial, $"Still partial after the restart: {string.Join("; ", full.MissingShards)}");
        TestData.Same(single.Search(query, 25), full);
        foreach (int row in queryRows)
            TestData.Same(single.Search(TestData.Row(data, row), 25), await collection.SearchAsync(TestData.Row(data, row), options));

        // Every acknowledged write is there: the count, and each row of the restarted silo's shards with its vector.
        Assert.Equal(Rows + acknowledged.Length, await collection.CountAsync());
        int[] onLost = Enumerable.Range(0, Rows).Where(i => lost.Contains(collection.ShardOf(ids[i]))).ToArray();
        Assert.NotEmpty(onLost);
        var items = await Task.WhenAll(onLost.Select(i => collection.GetAsync(ids[i])));
        for (int j = 0; j < onLost.Length; j++)
        {
            Assert.True(items[j] is not null, $"{ids[onLost[j]]}, acknowledged before the kill, is missing after the restart.");
            Assert.Equal(TestData.Row(data, onLost[j]), items[j]!.Vector);
        }
        foreach (string id in acknowledged) Assert.NotNull(await collection.GetAsync(id));
        // And its shards take writes again.
        await collection.UpsertAsync(lostId, query);
        Assert.Equal(Rows + acknowledged.Length + 1, await collection.CountAsync());
        output.WriteLine($"done after {clock.Elapsed.TotalSeconds:F1} s");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Everything started goes, whatever happened: the client, the silos, redis, the temp folder.
        try
        {
            if (_client is not null)
            {
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try { await _client.StopAsync(stop.Token); }
                catch (OperationCanceledException) { }
                _client.Dispose();
            }
        }
        finally
        {
            foreach (var (name, silo) in _silos)
            {
                if (!silo.HasExited) output.WriteLine($"--- {name} (last lines) ---\n{silo.Output(15)}");
                silo.Dispose();
            }
            _redis?.Dispose();
            try { Directory.Delete(_root, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private async Task StartRedisAsync()
    {
        _redisPort = LocalPorts.Free();
        string folder = Path.Combine(_root, "redis");
        Directory.CreateDirectory(folder);
        // No persistence: no RDB snapshots (--save ''), no append-only file; the folder is ours anyway.
        _redis = ChildProcess.Start("redis-server", RedisFactAttribute.RedisServerPath!,
            ["--port", _redisPort.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder], folder);
        await _redis.WaitForLineAsync("Ready to accept connections", TimeSpan.FromSeconds(30));
    }

    private async Task StartSiloAsync(int port)
    {
        string name = $"silo-{port}";
        _siloPorts[name] = port;
        _silos.Remove(name, out ChildProcess? old);
        old?.Dispose();
        var silo = ChildProcess.Start(name, ChildProcess.DotnetHost,
            [SampleDll, "silo", "--port", port.ToString(), "--data", Path.Combine(_root, name), "--redis", $"127.0.0.1:{_redisPort}", "--cluster-id", _clusterId],
            _root);
        _silos[name] = silo;
        await silo.WaitForLineAsync($"{name} is up", StartTimeout);
    }

    private async Task<IClusterClient> ConnectClientAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        string redis = $"127.0.0.1:{_redisPort}";
        builder.UseOrleansClient(client =>
        {
            // The sample's service id, and this test's cluster id: the client reads the gateways from Redis.
            client.Configure<ClusterOptions>(c => (c.ClusterId, c.ServiceId) = (_clusterId, "aknn"));
            client.UseRedisClustering(r => r.ConfigurationOptions = ConfigurationOptions.Parse(redis));
            // Read the live gateways from Redis every second (default: a minute), so that the client
            // stops using a killed silo as its gateway soon after membership declares it dead.
            client.Configure<GatewayOptions>(g => g.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
        });
        _client = builder.Build();
        await _client.StartAsync();
        return _client.Services.GetRequiredService<IClusterClient>();
    }
}

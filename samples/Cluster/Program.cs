// A sharded collection on a local Orleans cluster: start silos as separate processes, then load
// and search from a client process. Every address is 127.0.0.1.
//
//   dotnet run --project samples/Cluster -- silo --port 11111 --data cluster-data/a      (first silo: the primary)
//   dotnet run --project samples/Cluster -- silo --port 11112 --data cluster-data/b
//   dotnet run --project samples/Cluster -- client load --rows 20000
//   dotnet run --project samples/Cluster -- client search
//   dotnet run --project samples/Cluster -- client status
//   dotnet run --project samples/Cluster -- client move --shard 0 --to silo-11112
//
// With Redis membership instead (silos on several machines: give each its own --host address; the
// shard maps are then kept in Redis too, so no folder has to be shared):
//
//   dotnet run --project samples/Cluster -- silo --port 11111 --data cluster-data/a --redis 127.0.0.1:6379
//   dotnet run --project samples/Cluster -- silo --port 11112 --data cluster-data/b --redis 127.0.0.1:6379
//   dotnet run --project samples/Cluster -- client load --rows 20000 --redis 127.0.0.1:6379
using System.Diagnostics;
using System.Net;
using Aknn.Embedded;
using Aknn.Embedded.Orleans;
using Aknn.Embedded.Orleans.Hosting;
using CommunityToolkit.HighPerformance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using StackExchange.Redis;

var options = ParseOptions(args.Skip(1));
switch (args.FirstOrDefault())
{
    case "silo":
        await RunSilo(options);
        return 0;
    case "client":
        return await RunClient(args.Skip(1).FirstOrDefault() ?? "status", options);
    default:
        Console.Error.WriteLine("usage: silo --port N --data FOLDER [--primary 11111] [--maps cluster-data/maps]");
        Console.Error.WriteLine("       silo --port N --data FOLDER --redis HOST:PORT [--host 127.0.0.1] [--cluster-id aknn] [--maps FOLDER]");
        Console.Error.WriteLine("       client (load [--rows N] [--shards S] | search | status | move --shard N --to SILO) [--gateways 12111,12112 | --redis HOST:PORT [--cluster-id aknn]]");
        return 2;
}

static async Task RunSilo(Dictionary<string, string> o)
{
    int port = int.Parse(Get(o, "port", "11111"));
    int primary = int.Parse(Get(o, "primary", "11111"));
    string data = Get(o, "data", $"cluster-data/silo-{port}");
    string? redis = o.GetValueOrDefault("redis");
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.UseOrleans(silo =>
    {
        if (redis is null)
        {
            // Development clustering: membership is kept by the primary silo (port 11111). For silos on
            // several machines use Redis (--redis) or ADO.NET clustering instead (docs/distributed.md).
            silo.UseLocalhostClustering(siloPort: port, gatewayPort: port + 1000, primarySiloEndpoint: new IPEndPoint(IPAddress.Loopback, primary));
        }
        else
        {
            // Redis membership: every silo and client of the cluster id finds the others in Redis,
            // and no silo is special. A silo advertises --host, the address the others reach it at.
            var redisOptions = RedisOptions(redis);
            IPAddress host = ParseAddress(Get(o, "host", "127.0.0.1"));
            silo.Configure<ClusterOptions>(c => (c.ClusterId, c.ServiceId) = (Get(o, "cluster-id", "aknn"), "aknn"));
            silo.ConfigureEndpoints(host, port, port + 1000, listenOnAnyHostAddress: !IPAddress.IsLoopback(host));
            silo.UseRedisClustering(r => r.ConfigurationOptions = redisOptions);
        }
        // The shard map names silos, so a silo must come back under the same name: derive it from its port.
        silo.Configure<SiloOptions>(s => s.SiloName = $"silo-{port}");
        silo.AddAknnShards(data);
        if (redis is null || o.ContainsKey("maps"))
        {
            silo.AddAknnShardMapFileStorage(Get(o, "maps", "cluster-data/maps"));
        }
        else
        {
            // The shard maps in Redis as well, where every silo on every machine reads the same copy.
            // They are written with Orleans' own serializer, the one their types are generated for.
            var redisOptions = RedisOptions(redis);
            silo.AddRedisGrainStorage(ShardHostOptions.MapStorageName, storage => storage.Configure<Serializer>((r, serializer) =>
            {
                r.ConfigurationOptions = redisOptions;
                r.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));
        }
    });
    using var host = builder.Build();
    await host.StartAsync();
    string membership = redis is null ? $"localhost clustering (primary {primary})" : $"Redis membership at {redis}";
    Console.WriteLine($"silo-{port} is up: silo port {port}, gateway {port + 1000}, data in {Path.GetFullPath(data)}, {membership}. Ctrl+C stops it.");
    await host.WaitForShutdownAsync();
}

static async Task<int> RunClient(string command, Dictionary<string, string> o)
{
    string? redis = o.GetValueOrDefault("redis");
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.UseOrleansClient(client =>
    {
        if (redis is null)
        {
            client.UseLocalhostClustering(Get(o, "gateways", "12111").Split(',').Select(int.Parse).ToArray());
        }
        else
        {
            // The client reads the live silos' gateways from the Redis membership table.
            var redisOptions = RedisOptions(redis);
            client.Configure<ClusterOptions>(c => (c.ClusterId, c.ServiceId) = (Get(o, "cluster-id", "aknn"), "aknn"));
            client.UseRedisClustering(r => r.ConfigurationOptions = redisOptions);
        }
    });
    using var host = builder.Build();
    await host.StartAsync();
    var grains = host.Services.GetRequiredService<IClusterClient>();
    const int dims = 64;

    switch (command)
    {
        case "load":
        {
            int rows = int.Parse(Get(o, "rows", "20000"));
            var collection = await ShardedCollection.CreateAsync(grains, "demo",
                new ShardedCollectionOptions { ShardCount = int.Parse(Get(o, "shards", "6")), Dimensions = dims, Metric = Metric.Cosine });
            var random = new Random(1);
            var clock = Stopwatch.StartNew();
            for (int start = 0; start < rows; start += 2000)
            {
                int n = Math.Min(2000, rows - start);
                var ids = Enumerable.Range(start, n).Select(i => $"doc-{i}").ToArray();
                var vectors = new float[n, dims];
                for (int i = 0; i < n; i++)
                    for (int d = 0; d < dims; d++) vectors[i, d] = (float)(random.NextDouble() * 2 - 1);
                await collection.UpsertBatchAsync(ids, new ReadOnlyMemory2D<float>(vectors));
            }
            Console.WriteLine($"loaded {rows} rows into {collection.ShardCount} shards in {clock.Elapsed.TotalSeconds:F1} s; count = {await collection.CountAsync()}");
            break;
        }
        case "search":
        {
            var collection = await ShardedCollection.OpenAsync(grains, "demo");
            var clock = Stopwatch.StartNew();
            DistributedSearchResults hits;
            try
            {
                hits = await collection.SearchByIdAsync("doc-42", new DistributedSearchOptions { K = 5 });
            }
            catch (ShardUnavailableException e)
            {
                // doc-42's own shard is down, so its vector cannot be read: search with a vector instead.
                Console.WriteLine(e.Message);
                clock.Restart();
                hits = await collection.SearchAsync(Enumerable.Repeat(0.5f, dims).ToArray(), new DistributedSearchOptions { K = 5 });
            }
            Console.WriteLine($"5 nearest ({clock.Elapsed.TotalMilliseconds:F1} ms{(hits.IsPartial ? ", PARTIAL" : "")}):");
            foreach (var hit in hits) Console.WriteLine($"  {hit.Id}  {hit.Distance:F4}");
            foreach (var missing in hits.MissingShards) Console.WriteLine($"  missing shard {missing.Shard} on {missing.Silo}: {missing.Reason}");
            break;
        }
        case "status":
        {
            var collection = await ShardedCollection.OpenAsync(grains, "demo");
            var owners = await collection.GetShardOwnersAsync();
            for (int s = 0; s < owners.Count; s++) Console.WriteLine($"shard {s}: {owners[s]}");
            try
            {
                Console.WriteLine($"count = {await collection.CountAsync()}");
            }
            catch (ShardUnavailableException e)
            {
                Console.WriteLine(e.Message);
            }
            break;
        }
        case "move":
        {
            var collection = await ShardedCollection.OpenAsync(grains, "demo");
            int shard = int.Parse(Get(o, "shard", "0"));
            string to = Get(o, "to", "");
            long bytes = await collection.MoveShardAsync(shard, to);
            Console.WriteLine($"shard {shard} is on {to} now ({bytes} bytes copied)");
            break;
        }
        default:
            Console.Error.WriteLine($"unknown client command '{command}': use load, search, status or move.");
            return 2;
    }
    await host.StopAsync();
    return 0;
}

static Dictionary<string, string> ParseOptions(IEnumerable<string> args)
{
    var options = new Dictionary<string, string>();
    string? key = null;
    foreach (string arg in args)
    {
        if (arg.StartsWith("--", StringComparison.Ordinal)) key = arg[2..];
        else if (key is not null) { options[key] = arg; key = null; }
    }
    return options;
}

/// <summary>Redis connection options from "host:port" (or any StackExchange.Redis configuration string).</summary>
static ConfigurationOptions RedisOptions(string redis)
{
    var options = ConfigurationOptions.Parse(redis);
    // Keep retrying while Redis is briefly unreachable instead of failing the silo's start.
    options.AbortOnConnectFail = false;
    return options;
}

static IPAddress ParseAddress(string host) => IPAddress.TryParse(host, out IPAddress? address)
    ? address
    : throw new ArgumentException($"--host must be an IP address that the other silos can reach this silo at (got '{host}').");

static string Get(Dictionary<string, string> o, string key, string fallback) => o.TryGetValue(key, out string? v) ? v : fallback;

// A sharded collection on a local Orleans cluster: start silos as separate processes, then load
// and search from a client process. Every address is 127.0.0.1.
//
//   dotnet run --project samples/Cluster -- silo --port 11111 --data cluster-data/a      (first silo: the primary)
//   dotnet run --project samples/Cluster -- silo --port 11112 --data cluster-data/b
//   dotnet run --project samples/Cluster -- client load --rows 20000
//   dotnet run --project samples/Cluster -- client search
//   dotnet run --project samples/Cluster -- client status
//   dotnet run --project samples/Cluster -- client move --shard 0 --to silo-11112
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
        Console.Error.WriteLine("       client (load [--rows N] [--shards S] | search | status | move --shard N --to SILO) [--gateways 12111,12112]");
        return 2;
}

static async Task RunSilo(Dictionary<string, string> o)
{
    int port = int.Parse(Get(o, "port", "11111"));
    int primary = int.Parse(Get(o, "primary", "11111"));
    string data = Get(o, "data", $"cluster-data/silo-{port}");
    string maps = Get(o, "maps", "cluster-data/maps");
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.UseOrleans(silo =>
    {
        // Development clustering: membership is kept by the primary silo (port 11111). For silos on
        // several machines use Redis or ADO.NET clustering instead (docs/distributed.md).
        silo.UseLocalhostClustering(siloPort: port, gatewayPort: port + 1000, primarySiloEndpoint: new IPEndPoint(IPAddress.Loopback, primary));
        // The shard map names silos, so a silo must come back under the same name: derive it from its port.
        silo.Configure<SiloOptions>(s => s.SiloName = $"silo-{port}");
        silo.AddAknnShards(data);
        silo.AddAknnShardMapFileStorage(maps);
    });
    using var host = builder.Build();
    await host.StartAsync();
    Console.WriteLine($"silo-{port} is up: silo port {port}, gateway {port + 1000}, data in {Path.GetFullPath(data)}. Ctrl+C stops it.");
    await host.WaitForShutdownAsync();
}

static async Task<int> RunClient(string command, Dictionary<string, string> o)
{
    int[] gateways = Get(o, "gateways", "12111").Split(',').Select(int.Parse).ToArray();
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.UseOrleansClient(client => client.UseLocalhostClustering(gateways));
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

static string Get(Dictionary<string, string> o, string key, string fallback) => o.TryGetValue(key, out string? v) ? v : fallback;

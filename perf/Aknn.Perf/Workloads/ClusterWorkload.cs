using System.Diagnostics;
using System.Globalization;
using Aknn.Embedded;
using Aknn.Embedded.Orleans;
using Aknn.Perf.Data;
using CommunityToolkit.HighPerformance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aknn.Perf.Workloads;

/// <summary>
/// A <see cref="ShardedCollection"/> of 6 shards on 1, 2 and 3 local silo processes (the built
/// <c>samples/Cluster</c> program) against one in-process <see cref="VectorIndex"/> on the same data
/// (default 1M x 128, Euclidean, exact K=10).
/// </summary>
/// <remarks>
/// For each silo count: start the silos, create the collection (shards round-robin over the silos),
/// load it with <c>UpsertBatchAsync</c> of <c>--batch</c> rows (one call at a time; every shard
/// index uses the silos' default <c>Durability.PerWrite</c>, as the in-process index does here), then
/// search. Searches alternate over <c>--runs</c> rounds between the in-process index, an
/// in-process index of one shard's size (n/6 rows) and the cluster, one query at a time; then
/// <see cref="Concurrency"/> queries at a time once each. The fan-out overhead per query is given two ways:
/// <list type="bullet">
/// <item><c>fanout_floor_ms</c>: p50 of the same search on a second collection of 6 shards on the same
/// silos holding 100 rows per shard: the messaging, grain scheduling and merge of one fan-out with
/// almost no scanning.</item>
/// <item><c>overhead_vs_shard_ms</c>: cluster p50 minus the p50 of the in-process index of n/6 rows,
/// per round, median: what the cluster adds over the ideal of every shard scanned at the same time
/// on a core of its own. (The slowest shard's own search time is not reported by the shard grains;
/// an in-process index of a shard's size stands in for it.)</item>
/// <item><c>fanout_cpu_ms</c>: processor time per query of the client and every silo process together,
/// minus that of the in-process search, per round, median: the work the distribution adds
/// (messages, serialisation, six top-Ks and the merge), whatever the scheduler did with the cores.</item>
/// </list>
/// Every silo process is killed and every temporary folder deleted at the end, also on failure.
/// </remarks>
internal static class ClusterWorkload
{
    /// <summary>Shards of the collection: spread evenly over 1, 2 or 3 silos.</summary>
    private const int Shards = 6;

    /// <summary>Queries in flight at once in the concurrent measurement.</summary>
    private const int Concurrency = 4;

    /// <summary>Rows per shard in the fan-out floor collection.</summary>
    private const int FloorRowsPerShard = 100;

    private const double WarmupMs = 1500;

    public static void Run(PerfContext ctx) => RunAsync(ctx).GetAwaiter().GetResult();

    private static async Task RunAsync(PerfContext ctx)
    {
        int n = ctx.Options.N ?? 1_000_000;
        int dim = ctx.Options.Dim ?? 128;
        int q = ctx.Options.QueryCount ?? 200;
        int rounds = ctx.RunsOr(3);
        int batch = ctx.Options.Batch;
        int[] siloCounts = SiloCounts(ctx.Options.Config);
        if (n < Shards * FloorRowsPerShard)
            throw new UsageException($"cluster needs --n of at least {Shards * FloorRowsPerShard} (the fan-out floor collection takes {FloorRowsPerShard} rows per shard), not {n}.");
        string siloDll = FindSiloDll();

        float[] rows = ctx.Store.Base(n, dim);
        float[] queries = ctx.Store.Queries(q, dim);
        int[] truth = ctx.Store.Truth(n, dim, rows, queries);
        string[] ids = InsertWorkload.MakeIds(n);
        Console.WriteLine($"cluster: {n:N0} x {dim}, {Shards} shards on {string.Join(", ", siloCounts)} silo process(es) ({siloDll}); " +
            $"{q} queries x {rounds} rounds, K={DataStore.K}, batches of {batch:N0}; load average {Stats.LoadAverage():F2}");

        string root = Path.Combine(ctx.Store.Folder, $"cluster-run-{Environment.ProcessId}");
        LocalSilos.DeleteFolder(root);
        LocalSilos.DeleteOnExit(root);
        try
        {
            // The in-process reference: loaded the same way as the cluster (same batches, PerWrite), kept open throughout.
            long t = Stopwatch.GetTimestamp();
            using var whole = VectorIndex.Create(Path.Combine(root, "inprocess"), new IndexOptions { Dimensions = dim, Durability = Durability.PerWrite });
            for (int start = 0; start < n; start += batch)
            {
                int count = Math.Min(batch, n - start);
                whole.UpsertBatch(new ArraySegment<string>(ids, start, count), new ReadOnlySpan2D<float>(rows, start * dim, count, dim, 0));
            }
            double inprocessUpsertSeconds = Stats.MsSince(t) / 1000;
            int shardRows = n / Shards;
            using var oneShard = VectorIndex.Create(Path.Combine(root, "inprocess-shard"), new IndexOptions { Dimensions = dim, Durability = Durability.Manual });
            oneShard.UpsertBatch(new ArraySegment<string>(ids, 0, shardRows), new ReadOnlySpan2D<float>(rows, 0, shardRows, dim, 0));
            oneShard.Commit();
            ctx.Printer.Emit(new ResultRow("inprocess", "cluster", n, dim)
                .Add("phase", "upsert").Add("batch", batch)
                .Add("upsert_rows_per_s", n / inprocessUpsertSeconds).Add("upsert_s", inprocessUpsertSeconds)
                .Add("loadavg", Stats.LoadAverage()));

            var options = new SearchOptions { K = DataStore.K };
            var distributedOptions = new DistributedSearchOptions { K = DataStore.K, AllowPartialResults = false };
            var inprocessIds = new string[q][];
            Task SearchWhole(int i)
            {
                inprocessIds[i] = whole.Search(queries.AsSpan(i * dim, dim), options).Select(h => h.Id).ToArray();
                return Task.CompletedTask;
            }
            Task SearchShard(int i)
            {
                oneShard.Search(queries.AsSpan(i * dim, dim), options);
                return Task.CompletedTask;
            }
            await Warm(SearchWhole, q);
            await Warm(SearchShard, q);

            foreach (int silos in siloCounts)
                await OnePhase(ctx, siloDll, Path.Combine(root, $"silos-{silos}"), silos, rows, queries, truth, ids, dim, q, rounds, batch,
                    SearchWhole, SearchShard, inprocessIds, distributedOptions);
        }
        finally
        {
            LocalSilos.DeleteFolder(root);
        }
    }

    private static async Task OnePhase(PerfContext ctx, string siloDll, string folder, int siloCount, float[] rows, float[] queries,
        int[] truth, string[] ids, int dim, int q, int rounds, int batch,
        Func<int, Task> searchWhole, Func<int, Task> searchShard, string[][] inprocessIds, DistributedSearchOptions distributedOptions)
    {
        int n = ids.Length;
        string system = $"orleans-{siloCount}silo";
        using var silos = LocalSilos.Start(siloDll, siloCount, folder);
        ResultPrinter.Note($"{siloCount} silo(s) up: {string.Join(", ", silos.Names)} (pids {string.Join(", ", silos.ProcessIds)})");
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client => client.UseLocalhostClustering([.. silos.Gateways]));
        builder.Services.AddSingleton<IHostLifetime, PlainLifetime>();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var grains = host.Services.GetRequiredService<IClusterClient>();
            var collection = await ShardedCollection.CreateAsync(grains, "perf", new ShardedCollectionOptions { ShardCount = Shards, Dimensions = dim });
            IReadOnlyList<string> owners = await collection.GetShardOwnersAsync();
            string spread = string.Join("+", silos.Names.Select(name => owners.Count(o => o == name)));

            // Load: one batch call at a time; the collection groups each batch by shard and sends the groups in parallel.
            long t = Stopwatch.GetTimestamp();
            for (int start = 0; start < n; start += batch)
            {
                int count = Math.Min(batch, n - start);
                await collection.UpsertBatchAsync(new ArraySegment<string>(ids, start, count), new ReadOnlyMemory2D<float>(rows, start * dim, count, dim, 0));
            }
            double upsertSeconds = Stats.MsSince(t) / 1000;
            long stored = await collection.CountAsync();
            if (stored != n) throw new InvalidOperationException($"The cluster holds {stored} rows after loading {n}.");
            ResultPrinter.Note($"{system}: loaded {n:N0} rows in {upsertSeconds:F1} s, shards per silo {spread}");

            var clusterIds = new string[q][];
            async Task SearchCluster(int i)
            {
                var hits = await collection.SearchAsync(queries.AsMemory(i * dim, dim), distributedOptions);
                clusterIds[i] = hits.Select(h => h.Id).ToArray();
            }
            await Warm(SearchCluster, q);
            TimeSpan ClusterCpu() => SelfCpu() + silos.ProcessorTime();

            // Alternate the three systems round by round, so that load changes on the shared machine hit them alike.
            var whole = new List<Latency>();
            var shard = new List<Latency>();
            var cluster = new List<Latency>();
            for (int round = 0; round < rounds; round++)
            {
                Stats.Settle();
                whole.Add(await Measure(q, 1, searchWhole, SelfCpu));
                shard.Add(await Measure(q, 1, searchShard, SelfCpu));
                cluster.Add(await Measure(q, 1, SearchCluster, ClusterCpu));
                silos.EnsureRunning();
            }
            int same = Enumerable.Range(0, q).Count(i => clusterIds[i].SequenceEqual(inprocessIds[i]));
            var found = clusterIds.Select(h => h.Select(id => int.Parse(id, CultureInfo.InvariantCulture)).ToArray()).ToList();
            double recall = GroundTruth.Recall(truth, DataStore.K, found, rows, queries, dim, tieAware: true);

            Stats.Settle();
            Latency wholeConcurrent = await Measure(q, Concurrency, searchWhole, SelfCpu);
            Latency clusterConcurrent = await Measure(q, Concurrency, SearchCluster, ClusterCpu);

            // The fan-out floor: the same fan-out over 6 nearly empty shards on the same silos.
            var tiny = await ShardedCollection.CreateAsync(grains, "fanout", new ShardedCollectionOptions { ShardCount = Shards, Dimensions = dim });
            int tinyRows = Shards * FloorRowsPerShard;
            await tiny.UpsertBatchAsync(new ArraySegment<string>(ids, 0, tinyRows), new ReadOnlyMemory2D<float>(rows, 0, tinyRows, dim, 0));
            Task SearchTiny(int i) => tiny.SearchAsync(queries.AsMemory(i * dim, dim), distributedOptions);
            await Warm(SearchTiny, q);
            var floor = new List<Latency>();
            for (int round = 0; round < rounds; round++) floor.Add(await Measure(q, 1, SearchTiny, ClusterCpu));
            silos.EnsureRunning();

            double[] ratio = [.. Enumerable.Range(0, rounds).Select(r => cluster[r].P50 / whole[r].P50)];
            double[] overShard = [.. Enumerable.Range(0, rounds).Select(r => cluster[r].P50 - shard[r].P50)];
            double[] overWhole = [.. Enumerable.Range(0, rounds).Select(r => cluster[r].P50 - whole[r].P50)];
            double[] fanoutCpu = [.. Enumerable.Range(0, rounds).Select(r => cluster[r].CpuMs - whole[r].CpuMs)];
            double load = Stats.LoadAverage();
            ctx.Printer.Emit(new ResultRow("inprocess", "cluster", n, dim)
                .Add("phase", $"with-{siloCount}silo").Add("k", DataStore.K).Add("queries", q).Add("rounds", rounds)
                .Add("p50_ms", Stats.Median(whole.Select(l => l.P50))).Add("p99_ms", Stats.Median(whole.Select(l => l.P99)))
                .Add("qps", Stats.Median(whole.Select(l => l.Qps)))
                .Add($"qps_c{Concurrency}", wholeConcurrent.Qps).Add($"p50_c{Concurrency}_ms", wholeConcurrent.P50)
                .Add("cpu_ms_per_query", Stats.Median(whole.Select(l => l.CpuMs)))
                .Add("shard_rows", n / Shards).Add("shard_p50_ms", Stats.Median(shard.Select(l => l.P50)))
                .Add("shard_cpu_ms_per_query", Stats.Median(shard.Select(l => l.CpuMs))));
            ctx.Printer.Emit(new ResultRow(system, "cluster", n, dim)
                .Add("silos", siloCount).Add("shards", Shards).Add("shards_per_silo", spread)
                .Add("k", DataStore.K).Add("queries", q).Add("rounds", rounds)
                .Add("p50_ms", Stats.Median(cluster.Select(l => l.P50))).Add("p99_ms", Stats.Median(cluster.Select(l => l.P99)))
                .Add("qps", Stats.Median(cluster.Select(l => l.Qps)))
                .Add($"qps_c{Concurrency}", clusterConcurrent.Qps).Add($"p50_c{Concurrency}_ms", clusterConcurrent.P50)
                .Add($"p99_c{Concurrency}_ms", clusterConcurrent.P99)
                .Add("upsert_rows_per_s", n / upsertSeconds).Add("upsert_s", upsertSeconds).Add("batch", batch)
                .Add("cpu_ms_per_query", Stats.Median(cluster.Select(l => l.CpuMs)))
                .Add("fanout_cpu_ms", Stats.Median(fanoutCpu))
                .Add("fanout_floor_ms", Stats.Median(floor.Select(l => l.P50)))
                .Add("fanout_floor_cpu_ms", Stats.Median(floor.Select(l => l.CpuMs)))
                .Add("overhead_vs_shard_ms", Stats.Median(overShard))
                .Add("overhead_vs_inprocess_ms", Stats.Median(overWhole))
                .Add("p50_ratio_to_inprocess", Stats.Median(ratio)).Add("ratio_min", ratio.Min()).Add("ratio_max", ratio.Max())
                .Add("same_ids_as_inprocess", (double)same / q).Add("recall", recall)
                .Add("loadavg", load));
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>p50 and p99 latency (ms), throughput, and processor time per query (ms, all processes involved) of one measurement.</summary>
    private readonly record struct Latency(double P50, double P99, double Qps, double CpuMs);

    /// <summary>Processor time of this process so far.</summary>
    private static TimeSpan SelfCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>
    /// Runs queries 0..count−1 with <paramref name="concurrency"/> in flight at once; latency per query,
    /// QPS over the whole, and the processor time <paramref name="cpu"/> grew by, per query. Processor
    /// time does not depend on how the shared machine's scheduler hands out the two cores, so it
    /// shows the work a query costs even when the wall-clock figures are dominated by other load.
    /// </summary>
    private static async Task<Latency> Measure(int count, int concurrency, Func<int, Task> search, Func<TimeSpan> cpu)
    {
        var latency = new double[count];
        int next = -1;
        TimeSpan cpuStart = cpu();
        long start = Stopwatch.GetTimestamp();
        var workers = new Task[concurrency];
        for (int w = 0; w < concurrency; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                for (int i; (i = Interlocked.Increment(ref next)) < count;)
                {
                    long t = Stopwatch.GetTimestamp();
                    await search(i);
                    latency[i] = Stats.MsSince(t);
                }
            });
        }
        await Task.WhenAll(workers);
        double wallMs = Stats.MsSince(start);
        double cpuMs = (cpu() - cpuStart).TotalMilliseconds;
        return new Latency(Stats.Percentile(latency, 50), Stats.Percentile(latency, 99), count / (wallMs / 1000), cpuMs / count);
    }

    /// <summary>Searches until the JIT's optimised code and the connections are in place (at least 20 queries and <see cref="WarmupMs"/>).</summary>
    private static async Task Warm(Func<int, Task> search, int q)
    {
        long t = Stopwatch.GetTimestamp();
        for (int i = 0; i < 20 || Stats.MsSince(t) < WarmupMs; i++) await search(i % q);
    }

    /// <summary>The silo counts to run: <c>--config 1,3</c> picks some of 1, 2 and 3; default all three.</summary>
    private static int[] SiloCounts(string? config)
    {
        if (config is null) return [1, 2, 3];
        var counts = new List<int>();
        foreach (string part in config.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int c) || c is < 1 or > Shards)
                throw new UsageException($"cluster: --config lists silo counts from 1 to {Shards}, separated by commas (for example 1,2,3), not '{config}'.");
            counts.Add(c);
        }
        return [.. counts];
    }

    /// <summary>The Release build of samples/Cluster, found by walking up from this program to the repository.</summary>
    private static string FindSiloDll()
    {
        string relative = Path.Combine("samples", "Cluster", "bin", "Release", "net10.0", "Cluster.dll");
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                if (!File.Exists(Path.Combine(d.FullName, "Aknn.Embedded.sln"))) continue;
                string dll = Path.Combine(d.FullName, relative);
                if (File.Exists(dll)) return dll;
                throw new UsageException($"cluster starts silos from {dll}, which is not built: run `dotnet build -c Release samples/Cluster` first.");
            }
        }
        throw new UsageException("cluster: found no Aknn.Embedded.sln above this program or the current folder, so no samples/Cluster build to start silos from.");
    }
}

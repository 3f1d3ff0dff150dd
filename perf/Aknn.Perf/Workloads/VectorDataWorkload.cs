using System.Diagnostics;
using System.Text;
using Aknn.Embedded;
using Aknn.Embedded.VectorData;
using Aknn.Perf.Data;
using CommunityToolkit.HighPerformance;
using Microsoft.Extensions.VectorData;

namespace Aknn.Perf.Workloads;

/// <summary>
/// The Microsoft.Extensions.VectorData connector against the core API on the same data (default
/// 100k x 384, two data properties, Euclidean, exact): batched and single-record upserts, and K=10
/// searches one query per call, the two sides interleaved call by call. Reports the connector's overhead per search and per upsert; the
/// target is search within 1.3 x of the core API. The core baseline stores an equivalent payload
/// (the two properties as text) and asks for payloads with its hits, as a user of the core would to
/// show results.
/// </summary>
internal static class VectorDataWorkload
{
    private const double TargetSearchRatio = 1.3;
    private const int SingleUpserts = 2_000;

    /// <summary>The benchmark record: a key, two data properties and the vector.</summary>
    public sealed class Doc
    {
        [VectorStoreKey] public string Id { get; set; } = "";
        [VectorStoreData] public string Category { get; set; } = "";
        [VectorStoreData] public int Year { get; set; }
        [VectorStoreVector(1, DistanceFunction = DistanceFunction.EuclideanDistance)] public ReadOnlyMemory<float> Vector { get; set; }
    }

    public static void Run(PerfContext ctx)
    {
        int n = ctx.Options.N ?? 100_000;
        int dim = ctx.Options.Dim ?? 384;
        int q = Math.Min(ctx.Options.Queries, 200);
        int batch = Math.Min(ctx.Options.Batch, 1_000);
        float[] rows = ctx.Store.Base(n, dim);
        float[] queries = ctx.Store.Queries(q, dim);
        string root = Path.Combine(ctx.Store.Folder, $"vectordata-d{dim}-n{n}");
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        Console.WriteLine($"vectordata: {n:N0} x {dim}, two data properties, upserts in batches of {batch}, {q} queries K={DataStore.K}");

        var ids = Enumerable.Range(0, n).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        string Category(int i) => $"category-{i % 20}";
        int Year(int i) => 1990 + i % 35;

        // Both sides run in the same process at the same time, interleaved call by call (batch by batch
        // for the loads), so that the shared machine's load shifts and the background seals hit both alike.
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty(nameof(Doc.Id), typeof(string)),
                new VectorStoreDataProperty(nameof(Doc.Category), typeof(string)),
                new VectorStoreDataProperty(nameof(Doc.Year), typeof(int)),
                new VectorStoreVectorProperty(nameof(Doc.Vector), typeof(ReadOnlyMemory<float>), dim) { DistanceFunction = DistanceFunction.EuclideanDistance },
            ],
        };
        double coreBatchMs = 0, vdBatchMs = 0, coreSingleMs = 0, vdSingleMs = 0, vdFilteredP50;
        var coreLatency = new double[q];
        var vdLatency = new double[q];
        var ratios = new double[q];
        using (var core = VectorIndex.Create(Path.Combine(root, "core"), new IndexOptions { Dimensions = dim, Metric = Metric.Euclidean }))
        using (var store = new AknnVectorStore(Path.Combine(root, "store")))
        {
            var docs = store.GetCollection<string, Doc>("docs", definition);
            docs.EnsureCollectionExistsAsync().GetAwaiter().GetResult();
            var vdIndex = (VectorIndex)docs.GetService(typeof(VectorIndex))!;
            byte[] CorePayload(int i) => Encoding.UTF8.GetBytes($"{Category(i)}|{Year(i)}");
            Doc Make(int i) => new() { Id = ids[i], Category = Category(i), Year = Year(i), Vector = rows.AsMemory(i * dim, dim) };

            for (int start = 0; start < n; start += batch)
            {
                int count = Math.Min(batch, n - start);
                long t = Stopwatch.GetTimestamp();
                var payloads = new byte[]?[count];
                for (int i = 0; i < count; i++) payloads[i] = CorePayload(start + i);
                core.UpsertBatch(ids[start..(start + count)], new ReadOnlySpan2D<float>(rows, start * dim, count, dim, 0), payloads);
                coreBatchMs += Stats.MsSince(t);
                t = Stopwatch.GetTimestamp();
                var records = new Doc[count];
                for (int i = 0; i < count; i++) records[i] = Make(start + i);
                docs.UpsertAsync(records).GetAwaiter().GetResult();
                vdBatchMs += Stats.MsSince(t);
            }
            for (int i = 0; i < SingleUpserts; i++)
            {
                long t = Stopwatch.GetTimestamp();
                core.Upsert(ids[i], rows.AsSpan(i * dim, dim), CorePayload(i));
                coreSingleMs += Stats.MsSince(t);
                t = Stopwatch.GetTimestamp();
                docs.UpsertAsync(Make(i)).GetAwaiter().GetResult();
                vdSingleMs += Stats.MsSince(t);
            }
            core.Commit();
            vdIndex.Commit();
            core.WaitForBackgroundWork();
            vdIndex.WaitForBackgroundWork();

            var coreOptions = new SearchOptions { K = DataStore.K, IncludePayload = true };
            int CoreSearch(int i) => core.Search(queries.AsSpan(i * dim, dim), coreOptions).Count;
            int VdSearch(int i) => Drain(docs.SearchAsync(queries.AsMemory(i * dim, dim), DataStore.K));
            long warm = Stopwatch.GetTimestamp();
            for (int i = 0; i < 10 || Stats.MsSince(warm) < 2000; i++) { CoreSearch(i % q); VdSearch(i % q); }
            Stats.Settle();
            int sink = 0;
            for (int i = 0; i < q; i++)
            {
                long t = Stopwatch.GetTimestamp();
                sink += CoreSearch(i);
                coreLatency[i] = Stats.MsSince(t);
                t = Stopwatch.GetTimestamp();
                sink += VdSearch(i);
                vdLatency[i] = Stats.MsSince(t);
                ratios[i] = vdLatency[i] / coreLatency[i];
            }
            GC.KeepAlive(sink);
            var filter = new VectorSearchOptions<Doc> { Filter = d => d.Year >= 2000 && d.Category != "category-3" };
            (vdFilteredP50, _) = Time(q, i => Drain(docs.SearchAsync(queries.AsMemory(i * dim, dim), DataStore.K, filter)));
        }
        Directory.Delete(root, recursive: true);
        double coreBatchUs = coreBatchMs * 1000 / n, vdBatchUs = vdBatchMs * 1000 / n;
        double coreSingleUs = coreSingleMs * 1000 / SingleUpserts, vdSingleUs = vdSingleMs * 1000 / SingleUpserts;
        double coreP50 = Stats.Percentile(coreLatency, 50), vdP50 = Stats.Percentile(vdLatency, 50);
        double coreMean = coreLatency.Average(), vdMean = vdLatency.Average();
        double pairedRatio = Stats.Percentile(ratios, 50);

        ctx.Printer.Emit(new ResultRow("aknn-core", "vectordata", n, dim)
            .Add("upsert_batch_us_per_record", coreBatchUs).Add("upsert_single_us", coreSingleUs)
            .Add("search_p50_ms", coreP50).Add("search_mean_ms", coreMean));
        ctx.Printer.Emit(new ResultRow("aknn-vectordata", "vectordata", n, dim)
            .Add("upsert_batch_us_per_record", vdBatchUs).Add("upsert_single_us", vdSingleUs)
            .Add("search_p50_ms", vdP50).Add("search_mean_ms", vdMean).Add("filtered_search_p50_ms", vdFilteredP50));
        ctx.Printer.Emit(new ResultRow("vectordata-over-core", "vectordata", n, dim)
            .Add("search_p50_ratio", vdP50 / coreP50)
            .Add("search_paired_ratio", pairedRatio)
            .Add("search_overhead_ms", vdP50 - coreP50)
            .Add("upsert_batch_ratio", vdBatchUs / coreBatchUs)
            .Add("upsert_single_ratio", vdSingleUs / coreSingleUs)
            .Add("target_search_ratio", TargetSearchRatio)
            .Add("meets_target", pairedRatio <= TargetSearchRatio ? "yes" : "no"));
    }

    /// <summary>Median and mean latency of <paramref name="q"/> calls, after a warm-up that lets the JIT settle.</summary>
    private static (double P50, double Mean) Time(int q, Func<int, int> search)
    {
        long warm = Stopwatch.GetTimestamp();
        for (int i = 0; i < 10 || Stats.MsSince(warm) < 1000; i++) search(i % q);
        Stats.Settle();
        var latency = new double[q];
        int sink = 0;
        for (int i = 0; i < q; i++)
        {
            long t = Stopwatch.GetTimestamp();
            sink += search(i);
            latency[i] = Stats.MsSince(t);
        }
        GC.KeepAlive(sink);
        return (Stats.Percentile(latency, 50), latency.Average());
    }

    private static int Drain(IAsyncEnumerable<VectorSearchResult<Doc>> results)
    {
        int count = 0;
        var e = results.GetAsyncEnumerator();
        try
        {
            while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult()) count++;
        }
        finally
        {
            e.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return count;
    }
}

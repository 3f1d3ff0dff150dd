// Aknn.Embedded quick start: the library's main job end to end.
// Run with: dotnet run -c Release --project samples/QuickStart
using System.Diagnostics;
using System.Text;
using Aknn.Embedded;
using CommunityToolkit.HighPerformance;

const int Count = 200_000;
const int Dimensions = 64;
string folder = Path.Combine(Environment.CurrentDirectory, "quickstart-index");
if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);

// 1. Generate clustered vectors (seeded, so every run is the same).
var rng = new Random(42);
float[][] centres = Enumerable.Range(0, 50).Select(_ => Gaussian(rng, Dimensions, 1f)).ToArray();
var vectors = new float[Count * Dimensions];
var ids = new string[Count];
var payloads = new byte[]?[Count];
for (int i = 0; i < Count; i++)
{
    float[] c = centres[i % centres.Length];
    for (int d = 0; d < Dimensions; d++) vectors[i * Dimensions + d] = c[d] + Normal(rng) * 0.3f;
    ids[i] = $"doc-{i:D6}";
    payloads[i] = Encoding.UTF8.GetBytes($$"""{"cluster":{{i % centres.Length}},"even":{{(i % 2 == 0 ? "true" : "false")}}}""");
}

// 2. Create the index and bulk-load it with a progress bar.
var options = new IndexOptions
{
    Dimensions = Dimensions,
    Metric = Metric.Euclidean,
    Durability = Durability.Batched(TimeSpan.FromMilliseconds(10)),
};
var sw = Stopwatch.StartNew();
using (var index = VectorIndex.Create(folder, options))
{
    Console.WriteLine($"Created an index at {folder}");
    var bar = new ProgressBar("Inserting", Count);
    index.UpsertBatch(ids, new ReadOnlySpan2D<float>(vectors, Count, Dimensions), payloads, new Progress<long>(bar.Report));
    index.Commit();
    bar.Done();
    Console.WriteLine($"Inserted {Count:N0} vectors of {Dimensions} dimensions in {sw.Elapsed.TotalSeconds:F2} s ({Count / sw.Elapsed.TotalSeconds:N0} vectors/s)");

    // 3. Search by vector, and measure recall against a brute-force scan done here.
    float[] query = Gaussian(rng, Dimensions, 1f);
    sw.Restart();
    var hits = index.Search(query, new SearchOptions { K = 5, IncludePayload = true });
    double ms = sw.Elapsed.TotalMilliseconds;
    Print($"Search by vector ({ms:F2} ms)", hits);
    var truth = BruteForce(query, 5);
    int agree = hits.Count(h => truth.Contains(h.Id));
    Console.WriteLine($"  recall@5 against brute force: {agree / 5.0:F2}");

    // 4. Search by a stored item's id (the item itself is left out).
    sw.Restart();
    hits = index.SearchById("doc-000123", new SearchOptions { K = 5 });
    Print($"Neighbours of doc-000123 ({sw.Elapsed.TotalMilliseconds:F2} ms)", hits);

    // 5. Search with a filter on the payload: only even documents.
    sw.Restart();
    hits = index.Search(query, new SearchOptions
    {
        K = 5,
        Filter = (id, payload) => payload.IndexOf("\"even\":true"u8) >= 0,
    });
    Print($"Search with a filter, even documents only ({sw.Elapsed.TotalMilliseconds:F2} ms)", hits);

    // 6. Delete and update: visible to the very next search.
    string nearest = hits[0].Id;
    index.Delete(nearest);
    index.Upsert("doc-000007", query, "{\"updated\":true}"u8);
    hits = index.Search(query, new SearchOptions { K = 3, IncludePayload = true });
    Print($"After deleting {nearest} and moving doc-000007 onto the query", hits);
    Console.WriteLine($"  live items: {index.Count:N0}");
}

// 7. Reopen: nothing was lost. The first open in a process includes one-time JIT work; the
//    second shows what opening costs (it maps the segments and reads no vectors).
sw.Restart();
VectorIndex.Open(folder).Dispose();
double firstOpenMs = sw.Elapsed.TotalMilliseconds;
sw.Restart();
using (var index = VectorIndex.Open(folder))
{
    double openMs = sw.Elapsed.TotalMilliseconds;
    var stats = index.GetStatistics();
    Console.WriteLine();
    Console.WriteLine($"Reopened in {openMs:F2} ms (first open in this process: {firstOpenMs:F1} ms): {stats.LiveCount:N0} live items, {stats.SegmentCount} segment(s), {stats.DiskBytes / 1048576.0:F1} MiB on disk");
    bool found = index.TryGet("doc-000007", out var item);
    Console.WriteLine($"  doc-000007 payload after reopen: {(found ? Encoding.UTF8.GetString(item!.Payload) : "missing!")}");

    // Exact search latency over many queries.
    var latencies = new List<double>();
    for (int q = 0; q < 50; q++)
    {
        float[] query = Gaussian(rng, Dimensions, 1f);
        sw.Restart();
        index.Search(query, new SearchOptions { K = 10 });
        latencies.Add(sw.Elapsed.TotalMilliseconds);
    }
    latencies.Sort();
    Console.WriteLine($"  exact K=10 search over {stats.LiveCount:N0} vectors: median {latencies[latencies.Count / 2]:F2} ms, p99 {latencies[^1]:F2} ms");
}
Console.WriteLine($"\nThe index stays in {folder}; delete the folder to start over.");

// ---------------------------------------------------------------- helpers

HashSet<string> BruteForce(float[] query, int k)
{
    var best = new PriorityQueue<int, float>();
    for (int i = 0; i < Count; i++)
    {
        float d = 0;
        for (int j = 0; j < Dimensions; j++)
        {
            float t = vectors[i * Dimensions + j] - query[j];
            d += t * t;
        }
        best.Enqueue(i, -d);
        if (best.Count > k) best.Dequeue();
    }
    var set = new HashSet<string>();
    while (best.Count > 0) set.Add(ids[best.Dequeue()]);
    return set;
}

static void Print(string title, IReadOnlyList<Hit> hits)
{
    Console.WriteLine();
    Console.WriteLine(title);
    foreach (var h in hits)
        Console.WriteLine($"  {h.Id,-12} distance {h.Distance,8:F4}  {(h.Payload is null ? "" : Encoding.UTF8.GetString(h.Payload))}");
}

static float[] Gaussian(Random rng, int n, float sigma) => Enumerable.Range(0, n).Select(_ => Normal(rng) * sigma).ToArray();

static float Normal(Random rng) => (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));

/// <summary>A one-line text progress bar for the console.</summary>
sealed class ProgressBar(string label, long total)
{
    private int _lastWidth = -1;

    public void Report(long done)
    {
        int width = (int)(40 * Math.Min(done, total) / Math.Max(total, 1));
        if (width == _lastWidth) return;
        _lastWidth = width;
        Console.Write($"\r{label} [{new string('#', width)}{new string('.', 40 - width)}] {done:N0}/{total:N0}");
    }

    public void Done()
    {
        Report(total);
        Console.WriteLine();
    }
}

using System.Diagnostics;
using Aknn.Embedded;
using CommunityToolkit.HighPerformance;

namespace Aknn.Perf.Workloads;

/// <summary>Builds the index of a base set once and reuses it while it holds exactly that many vectors.</summary>
internal static class IndexBuilder
{
    public static string Ensure(PerfContext ctx, int n, int dim, float[]? rows = null)
    {
        string folder = ctx.Store.IndexPath("index", n, dim);
        if (VectorIndex.Exists(folder))
        {
            try
            {
                using var existing = VectorIndex.Open(folder, new OpenOptions { ReadOnly = true });
                if (existing.Count == n && existing.Dimensions == dim) return folder;
            }
            catch (AknnException e)
            {
                ResultPrinter.Note($"rebuilding {Path.GetFileName(folder)}: {e.Message}");
            }
        }
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        rows ??= ctx.Store.Base(n, dim);
        string[] ids = InsertWorkload.MakeIds(n);
        long t = Stopwatch.GetTimestamp();
        using (var index = VectorIndex.Create(folder, new IndexOptions { Dimensions = dim, Durability = Durability.Manual }))
        {
            const int Batch = 50_000;
            for (int start = 0; start < n; start += Batch)
            {
                int count = Math.Min(Batch, n - start);
                index.UpsertBatch(new ArraySegment<string>(ids, start, count), new ReadOnlySpan2D<float>(rows, start * dim, count, dim, 0));
            }
            index.Commit();
        }
        ResultPrinter.Note($"built {Path.GetFileName(folder)} in {Stats.MsSince(t) / 1000:F1} s");
        return folder;
    }
}

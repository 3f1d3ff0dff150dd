using Aknn.Embedded.Compute;
using Aknn.Embedded.Compute.OpenCl;
using Aknn.Embedded.Search;
using Aknn.Embedded.Storage;
using Aknn.Embedded.Tests.Support;
using CommunityToolkit.HighPerformance;

namespace Aknn.Embedded.Tests.Compute;

/// <summary>
/// Batch searches on the OpenCL device (PoCL in CI) return exactly what the per-query CPU search
/// returns: several segments, a tail, deletions, replaced rows, filters, every metric.
/// </summary>
[Collection(OpenClCollection.Name)]
public class DeviceBatchTests
{
    private const int Queries = 24;

    /// <summary>An index of <paramref name="rows"/> float vectors in several segments and a tail, with deletions and replacements.</summary>
    internal static (VectorIndex Index, float[] Queries) FloatIndex(TempFolder t, Metric metric, int dim, int rows, int seed, ComputeMode mode = ComputeMode.Gpu, int deleteEvery = 7)
    {
        var rng = new Random(seed);
        var index = VectorIndex.Create(t.Index(), new IndexOptions
        {
            Dimensions = dim, Metric = metric, Model = IndexModel.Exact, Compute = mode,
            SealThresholdBytes = Math.Max(4096, rows * dim * 4 / 5), Durability = Durability.Manual,
        });
        for (int start = 0; start < rows; start += 500)
        {
            int n = Math.Min(500, rows - start);
            var flat = new float[n * dim];
            for (int i = 0; i < n; i++) Data.Vector(rng, dim).CopyTo(flat, i * dim);
            var ids = Enumerable.Range(start, n).Select(i => $"v{i:D6}").ToArray();
            index.UpsertBatch(ids, new ReadOnlySpan2D<float>(flat, n, dim), ids.Select(id => (byte[]?)System.Text.Encoding.UTF8.GetBytes(id)).ToArray());
        }
        index.WaitForBackgroundWork();
        for (int i = 0; i < rows; i += deleteEvery) index.Delete($"v{i:D6}");
        for (int i = 3; i < rows; i += 11) index.Upsert($"v{i:D6}", Data.Vector(rng, dim));   // old row deleted in its segment, new one in the tail
        index.WaitForBackgroundWork();
        var q = new float[Queries * dim];
        for (int i = 0; i < Queries; i++) Data.Vector(rng, dim).CopyTo(q, i * dim);
        return (index, q);
    }

    internal static int SegmentCount(VectorIndex index) => index.WithSnapshot(s => s.Segments.Items.Length);

    internal static void AssertSame(IReadOnlyList<Hit> expected, IReadOnlyList<Hit> actual, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: {actual.Count} hits, expected {expected.Count}");
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].Id == actual[i].Id, $"{what}: hit {i} is {actual[i].Id}, expected {expected[i].Id}");
            Assert.True(expected[i].Distance.Equals(actual[i].Distance), $"{what}: hit {i} ({expected[i].Id}) at {actual[i].Distance:R}, expected {expected[i].Distance:R}");
            Assert.Equal(expected[i].Payload, actual[i].Payload);
        }
    }

    private static OpenClBackend Device(VectorIndex index) =>
        index.ComputeSelector.Device() ?? throw new InvalidOperationException("no device: " + index.GetComputeDiagnostics().Reason);

    [OpenClTheory]
    [InlineData(Metric.Euclidean, 27)]
    [InlineData(Metric.Cosine, 27)]
    [InlineData(Metric.DotProduct, 27)]
    [InlineData(Metric.Manhattan, 27)]
    [InlineData(Metric.Euclidean, 130)]
    public void Nearest_on_the_device_equals_per_query_search(Metric metric, int dim)
    {
        using var t = new TempFolder();
        var (index, flat) = FloatIndex(t, metric, dim, 3000, seed: 11);
        using var _ = index;
        Assert.True(SegmentCount(index) >= 3, "the data should span several segments");
        // Few work-items per query, so each leaves rows out and the completeness proof is exercised.
        Device(index).ItemsPerQueryOverride = 8;
        var options = new SearchOptions { K = 10, IncludePayload = true };
        var batch = index.SearchBatch(new ReadOnlySpan2D<float>(flat, Queries, dim), options);
        for (int q = 0; q < Queries; q++)
            AssertSame(index.Search(flat.AsSpan(q * dim, dim), options), batch[q], $"query {q}");
        ComputeDiagnostics d = index.GetComputeDiagnostics();
        Assert.True(d.DeviceInUse, d.Reason);
        Assert.True(d.DeviceScans >= SegmentCount(index), $"{d.DeviceScans} device scans");
        Assert.Equal(0, d.HostFallbacks);
        Assert.Equal(0, d.CpuSegments);
    }

    [OpenClTheory]
    [InlineData(Metric.Euclidean)]
    [InlineData(Metric.Cosine)]
    [InlineData(Metric.DotProduct)]
    [InlineData(Metric.Manhattan)]
    public void Radius_on_the_device_equals_per_query_search_with_a_filter(Metric metric)
    {
        using var t = new TempFolder();
        const int dim = 19;
        var (index, flat) = FloatIndex(t, metric, dim, 3000, seed: 12);
        using var _ = index;
        float radius = index.Search(flat.AsSpan(0, dim), new SearchOptions { K = 40 })[^1].Distance;
        var options = new SearchOptions { Filter = (id, payload) => id[^1] != '3' && payload.Length > 0 };
        var batch = index.SearchRadiusBatch(new ReadOnlySpan2D<float>(flat, Queries, dim), radius, options);
        int total = 0;
        for (int q = 0; q < Queries; q++)
        {
            AssertSame(index.SearchRadius(flat.AsSpan(q * dim, dim), radius, options), batch[q], $"query {q}");
            total += batch[q].Count;
        }
        Assert.True(total >= 30, $"only {total} hits: the radius should select a fair number");
        Assert.True(index.GetComputeDiagnostics().DeviceScans > 0);
    }

    [OpenClFact]
    public void Nearest_with_a_filter_and_many_deletions_falls_back_per_query_and_stays_exact()
    {
        using var t = new TempFolder();
        const int dim = 16;
        var (index, flat) = FloatIndex(t, Metric.Euclidean, dim, 3000, seed: 13, deleteEvery: 1);
        using var _ = index;
        // Every row but the replaced ones (in the tail) is deleted: add fresh rows to segments.
        var rng = new Random(5);
        for (int i = 0; i < 40; i++) index.Upsert($"w{i:D3}", Data.Vector(rng, dim));
        Device(index).ItemsPerQueryOverride = 8;
        var options = new SearchOptions { K = 10, Filter = (id, _) => id[^1] != '7' };
        var batch = index.SearchBatch(new ReadOnlySpan2D<float>(flat, Queries, dim), options);
        for (int q = 0; q < Queries; q++)
            AssertSame(index.Search(flat.AsSpan(q * dim, dim), options), batch[q], $"query {q}");
        Assert.True(index.GetComputeDiagnostics().HostFallbacks > 0, "all of the device's candidates were deleted: the host must have rescanned");
    }

    [OpenClTheory]
    [InlineData(64)]
    [InlineData(256)]
    public void Codes_nearest_and_radius_on_the_device_equal_per_query_search(int bits)
    {
        using var t = new TempFolder();
        int words = bits / 64;
        var rng = new Random(bits);
        using var index = VectorIndex.Create(t.Index(), new IndexOptions
        {
            Dimensions = bits, Metric = Metric.Hamming, Compute = ComputeMode.Gpu,
            SealThresholdBytes = Math.Max(4096, 6000 * words * 8 / 4), Durability = Durability.Manual,
        });
        var seeds = Enumerable.Range(0, 30).Select(_ => Data.Code(rng, words)).ToArray();
        for (int start = 0; start < 6000; start += 1000)
        {
            var flat = new ulong[1000 * words];
            for (int i = 0; i < 1000; i++)
            {
                // Near copies of a few seeds, so that many codes lie within small distances (and tie).
                ulong[] c = rng.Next(3) == 0 ? (ulong[])seeds[rng.Next(seeds.Length)].Clone() : Data.Code(rng, words);
                for (int f = rng.Next(bits / 8); f > 0; f--) { int b = rng.Next(bits); c[b / 64] ^= 1UL << (b % 64); }
                c.CopyTo(flat, i * words);
            }
            var ids = Enumerable.Range(start, 1000).Select(i => $"c{i:D5}").ToArray();
            index.UpsertCodeBatch(ids, new ReadOnlySpan2D<ulong>(flat, 1000, words));
        }
        index.WaitForBackgroundWork();
        for (int i = 0; i < 6000; i += 9) index.Delete($"c{i:D5}");
        var queries = new ulong[Queries * words];
        for (int q = 0; q < Queries; q++) (q % 2 == 0 ? seeds[q] : Data.Code(rng, words)).CopyTo(queries, q * words);
        Assert.True(SegmentCount(index) >= 3);
        Device(index).ItemsPerQueryOverride = 16;

        var options = new SearchOptions { K = 12 };
        var nearest = index.SearchCodeBatch(new ReadOnlySpan2D<ulong>(queries, Queries, words), options);
        int radius = bits / 8;
        var within = index.SearchCodeRadiusBatch(new ReadOnlySpan2D<ulong>(queries, Queries, words), radius);
        int total = 0;
        for (int q = 0; q < Queries; q++)
        {
            AssertSame(index.SearchCode(queries.AsSpan(q * words, words), options), nearest[q], $"nearest, query {q}");
            AssertSame(index.SearchCodeRadius(queries.AsSpan(q * words, words), radius), within[q], $"radius, query {q}");
            total += within[q].Count;
        }
        Assert.True(total > 20, $"only {total} codes within {radius}");
        Assert.True(index.GetComputeDiagnostics().DeviceScans >= 2 * SegmentCount(index));
    }

    [OpenClFact]
    public void K_above_the_device_limit_runs_on_the_cpu_and_says_so()
    {
        using var t = new TempFolder();
        const int dim = 8;
        var (index, flat) = FloatIndex(t, Metric.Euclidean, dim, 2500, seed: 14);
        using var _ = index;
        var options = new SearchOptions { K = OpenClBackend.MaxDeviceK + 1 };
        var batch = index.SearchBatch(new ReadOnlySpan2D<float>(flat, 2, dim), options);
        for (int q = 0; q < 2; q++)
            AssertSame(index.Search(flat.AsSpan(q * dim, dim), options), batch[q], $"query {q}");
        ComputeDiagnostics d = index.GetComputeDiagnostics();
        Assert.True(d.CpuSegments > 0);
        Assert.Contains("1024", d.LastFallbackReason);
    }

    [OpenClTheory]
    [InlineData(Metric.Euclidean, 27)]
    [InlineData(Metric.Cosine, 27)]
    [InlineData(Metric.DotProduct, 130)]
    [InlineData(Metric.Manhattan, 130)]
    public unsafe void Device_distances_agree_with_the_cpu_kernels_within_1e5_relative(Metric metric, int dim)
    {
        using var t = new TempFolder();
        var (index, flat) = FloatIndex(t, metric, dim, 1200, seed: 15);
        using var _ = index;
        OpenClBackend device = Device(index);
        index.WithSnapshot(s =>
        {
            Segment seg = s.Segments.Items[0];
            var queries = Enumerable.Range(0, 3)
                .Select(q => SearchQuery.Nearest(metric, System.Runtime.InteropServices.MemoryMarshal.AsBytes(flat.AsSpan(q * dim, dim)), null))
                .ToArray();
            SegmentResidency res = device.Resident(seg)!;
            int found;
            int[] qr;
            float[] dist;
            lock (device.Runtime.Sync) found = device.LaunchRadius(res, seg, queries, float.PositiveInfinity, out qr, out dist);
            Assert.Equal(3 * seg.RowCount, found);
            Span<float> scratch = stackalloc float[4];
            for (int i = 0; i < found; i++)
            {
                var query = queries[qr[2 * i]];
                int row = qr[2 * i + 1];
                float cpu = HostDistance.Ranking(query, seg.VectorsForScan(), seg.NormsForScan(), seg.RowCount, row, scratch);
                // Dot and cosine lose relative precision near zero: their scale is |q|·|x| (1 for cosine).
                double scale = metric switch
                {
                    Metric.DotProduct => Norm(query.Floats!) * Norm(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(seg.Vector(row))),
                    Metric.Cosine => 1,
                    _ => Math.Abs(cpu),
                };
                Assert.True(Math.Abs(dist[i] - cpu) <= 1e-5 * Math.Max(scale, Math.Abs(cpu)), $"row {row}: device {dist[i]:R}, cpu {cpu:R}");
            }
            return 0;
        });
    }

    private static double Norm(ReadOnlySpan<float> v)
    {
        double s = 0;
        foreach (float x in v) s += (double)x * x;
        return Math.Sqrt(s);
    }

    [OpenClFact]
    public void Device_buffers_live_while_the_segment_does_and_are_released_with_it()
    {
        Assert.Null(OpenClRuntime.Shared.EnsureBuilt());
        long before = ClBuffer.Live;
        using var t = new TempFolder();
        const int dim = 12;
        var (index, flat) = FloatIndex(t, Metric.Euclidean, dim, 2000, seed: 16);
        int segments = SegmentCount(index);
        index.SearchBatch(new ReadOnlySpan2D<float>(flat, 4, dim));
        Assert.Equal(before + segments, ClBuffer.Live);            // one resident buffer per segment, the rest freed
        index.SearchBatch(new ReadOnlySpan2D<float>(flat, 4, dim));
        Assert.Equal(before + segments, ClBuffer.Live);            // uploaded once

        index.Compact();
        index.WaitForBackgroundWork();
        index.SearchBatch(new ReadOnlySpan2D<float>(flat, 4, dim));
        Assert.Equal(1, SegmentCount(index));
        Assert.Equal(before + 1, ClBuffer.Live);                   // the compacted-away segments took theirs with them

        index.Dispose();
        Assert.Equal(before, ClBuffer.Live);
    }
}

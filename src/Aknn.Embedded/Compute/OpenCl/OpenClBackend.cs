using System.Runtime.InteropServices;
using Aknn.Embedded.Search;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Compute.OpenCl;

/// <summary>
/// The OpenCL back end. The device computes distances and a first selection; the host keeps the
/// CPU's exact semantics:
/// <list type="bullet">
/// <item>k-NN: each work-item keeps the <see cref="OpenClRuntime.PartialK"/> nearest of its share of
/// the rows; the host recomputes the distance of every listed row that could matter with the CPU
/// kernels (so the distances are the CPU's, bit for bit), applies deletions, the filter and the
/// tie rule through <see cref="ExactSearch.Offer"/>, and accepts the segment's result only when
/// the rows the device left out provably cannot enter it (their device distance, less the
/// rounding tolerance, is beyond the K-th kept distance). Otherwise, which happens when many of
/// the nearest rows are deleted or filtered out or tie, that query scans the segment on the CPU.</item>
/// <item>radius: the device lists every row within the radius plus the rounding tolerance, through
/// an atomic counter (re-run with a larger buffer when it overflows); the host recomputes and keeps
/// those within the radius.</item>
/// </list>
/// One instance per index: it counts what ran where for <see cref="ComputeDiagnostics"/>.
/// </summary>
internal sealed unsafe class OpenClBackend(OpenClRuntime runtime) : IComputeBackend
{
    /// <summary>Largest K the device selects; a larger K runs on the CPU.</summary>
    public const int MaxDeviceK = 1024;

    /// <summary>Largest number of radius matches one launch may return (12 bytes each).</summary>
    private const int MaxRadiusEntries = 1 << 26;

    /// <summary>Bytes of top-k output one launch may produce; more queries go in several launches.</summary>
    private const long MaxTopKOutputBytes = 64L << 20;

    private long _deviceScans;
    private long _hostFallbacks;
    private long _cpuSegments;
    private string? _lastFallback;

    public string Name => "opencl";

    public OpenClRuntime Runtime => runtime;

    /// <summary>Segment scans run on the device (one per segment and batch).</summary>
    public long DeviceScans => Interlocked.Read(ref _deviceScans);

    /// <summary>Query × segment pairs the host had to scan itself after a device selection could not be proven complete.</summary>
    public long HostFallbacks => Interlocked.Read(ref _hostFallbacks);

    /// <summary>Segment scans this back end handed to the CPU whole (K too large, device out of memory, an OpenCL error).</summary>
    public long CpuSegments => Interlocked.Read(ref _cpuSegments);

    /// <summary>Why the last segment went to the CPU, if one did.</summary>
    public string? LastFallbackReason => Volatile.Read(ref _lastFallback);

    private void ToCpu(string why)
    {
        Interlocked.Increment(ref _cpuSegments);
        Volatile.Write(ref _lastFallback, why);
    }

    /// <summary>The segment's device copy, uploaded on first use; null (and the reason noted) when the device cannot hold it.</summary>
    internal SegmentResidency? Resident(Segment segment)
    {
        try
        {
            lock (runtime.Sync) return segment.DeviceData(s => SegmentResidency.Upload(runtime, s));
        }
        catch (OpenClException e)
        {
            ToCpu($"segment {segment.Id} ({segment.RowCount:N0} rows) could not be uploaded: {e.Message}");
            return null;
        }
    }

    /// <summary>Tests set this to force few work-items per query, so that small segments exercise the proof that the selection is complete.</summary>
    internal int? ItemsPerQueryOverride { get; set; }

    /// <summary>Work-items per query of a top-k launch: enough to keep a GPU busy and the host's candidates few.</summary>
    internal static int ItemsPerQuery(int rows, int k, int queries)
    {
        long items = Math.Max(Math.Max(256, 4L * k), 131072 / Math.Max(1, queries));
        items = Math.Min(items, Math.Max(1, (rows + OpenClRuntime.PartialK - 1) / OpenClRuntime.PartialK));
        return (int)((items + 63) / 64 * 64);
    }

    public void Nearest(Segment segment, long sequence, IReadOnlyList<SearchQuery> queries, int k, Collector[] collectors, bool parallel)
    {
        if (segment.RowCount == 0 || queries.Count == 0) return;
        if (k > MaxDeviceK)
        {
            ToCpu($"K = {k} is above the device's top-k limit of {MaxDeviceK}");
            CpuBackend.Instance.Nearest(segment, sequence, queries, k, collectors, parallel);
            return;
        }
        SegmentResidency? res = Resident(segment);
        if (res is null)
        {
            CpuBackend.Instance.Nearest(segment, sequence, queries, k, collectors, parallel);
            return;
        }
        int rows = segment.RowCount;
        int items = ItemsPerQueryOverride ?? ItemsPerQuery(rows, k, queries.Count);
        int perQuery = items * OpenClRuntime.PartialK;
        int chunk = (int)Math.Clamp(MaxTopKOutputBytes / (perQuery * 8L), 1, queries.Count);
        var dist = new float[(long)chunk * perQuery];
        var row = new int[(long)chunk * perQuery];
        for (int first = 0; first < queries.Count; first += chunk)
        {
            int count = Math.Min(chunk, queries.Count - first);
            var part = new ArraySegment<SearchQuery>([.. queries.Skip(first).Take(count)]);
            try
            {
                lock (runtime.Sync) LaunchTopK(res, segment, part, items, dist, row);
                Interlocked.Increment(ref _deviceScans);
            }
            catch (OpenClException e)
            {
                ToCpu($"a top-k launch on segment {segment.Id} failed: {e.Message}");
                for (int q = 0; q < count; q++) CpuBackend.ScanOne(segment, sequence, part[q], collectors[first + q]);
                continue;
            }
            int offset = first;
            void Merge(int q) => MergeTopK(segment, sequence, part[q], k, res, items, dist, row, q, collectors[offset + q]);
            if (parallel && count > 1) Parallel.For(0, count, Merge);
            else for (int q = 0; q < count; q++) Merge(q);
        }
    }

    private void LaunchTopK(SegmentResidency res, Segment segment, IReadOnlyList<SearchQuery> queries, int items, float[] dist, int[] row)
    {
        bool codes = segment.Metric == Metric.Hamming;
        int width = segment.RowBytes / 4;   // floats, or 32-bit halves of words
        long entries = (long)queries.Count * items * OpenClRuntime.PartialK;
        using ClBuffer q = UploadQueries(queries, segment.RowBytes);
        using ClBuffer outD = runtime.CreateBuffer(entries * 4, OpenClNative.CL_MEM_WRITE_ONLY);
        using ClBuffer outR = runtime.CreateBuffer(entries * 4, OpenClNative.CL_MEM_WRITE_ONLY);
        ClKernel kernel = codes ? runtime.CodeTopK : runtime.FloatTopK;
        uint a = 0;
        OpenClRuntime.SetArg(kernel, a++, res.Rows);
        OpenClRuntime.SetArg(kernel, a++, segment.RowCount);
        OpenClRuntime.SetArg(kernel, a++, codes ? segment.RowBytes / 8 : width);
        if (!codes) OpenClRuntime.SetArg(kernel, a++, res.Norms ?? runtime.Dummy);
        OpenClRuntime.SetArg(kernel, a++, q);
        if (!codes) OpenClRuntime.SetArg(kernel, a++, MetricCode(segment.Metric));
        OpenClRuntime.SetArg(kernel, a++, outD);
        OpenClRuntime.SetArg(kernel, a, outR);
        runtime.Launch(kernel, items, queries.Count);
        fixed (float* d = dist) runtime.Read(outD, d, entries * 4);
        fixed (int* r = row) runtime.Read(outR, r, entries * 4);
    }

    private void MergeTopK(Segment segment, long sequence, SearchQuery query, int k, SegmentResidency res, int items,
        float[] dist, int[] rowOf, int q, Collector collector)
    {
        const int P = OpenClRuntime.PartialK;
        int rows = segment.RowCount;
        var tol = DeviceTolerance.For(query, res.MaxRowNorm);
        long at = (long)q * items * P;
        // Every row a work-item left out is at or beyond its P-th distance.
        float beyond = float.PositiveInfinity;
        for (int g = 0; g < items && g < rows; g++)
        {
            int itemRows = (rows - 1 - g) / items + 1;
            if (itemRows > P) beyond = Math.Min(beyond, dist[at + (long)g * P + P - 1]);
        }
        var mine = new TopKCollector(k);
        var source = new RowSource(segment, sequence);
        byte* vectors = segment.VectorsForScan();
        float* norms = segment.NormsForScan();
        Span<float> scratch = stackalloc float[4];
        bool codes = query.Metric == Metric.Hamming;
        long end = at + (long)items * P;
        for (long e = at; e < end; e++)
        {
            int r = rowOf[e];
            if (r < 0) continue;
            float device = dist[e];
            if (tol.Lower(device) > mine.Bound) continue;
            float d = codes ? device : HostDistance.Ranking(query, vectors, norms, rows, r, scratch);
            ExactSearch.Offer(query, mine, source, r, d);
        }
        if (!float.IsPositiveInfinity(beyond) && !(mine.Bound < tol.Lower(beyond)))
        {
            Interlocked.Increment(ref _hostFallbacks);
            CpuBackend.ScanOne(segment, sequence, query, collector);
            return;
        }
        foreach (Candidate c in mine.Sorted())
            if (collector.WouldAccept(c.Distance, c.IdUtf8)) collector.Add(c);
    }

    public void Within(Segment segment, long sequence, IReadOnlyList<SearchQuery> queries, float bound, Collector[] collectors, bool parallel)
    {
        if (segment.RowCount == 0 || queries.Count == 0) return;
        SegmentResidency? res = Resident(segment);
        if (res is null)
        {
            CpuBackend.Instance.Within(segment, sequence, queries, bound, collectors, parallel);
            return;
        }
        int[] qr;
        float[] dist;
        int found;
        try
        {
            lock (runtime.Sync) found = LaunchRadius(res, segment, queries, bound, out qr, out dist);
        }
        catch (OpenClException e)
        {
            ToCpu($"a radius launch on segment {segment.Id} failed: {e.Message}");
            CpuBackend.Instance.Within(segment, sequence, queries, bound, collectors, parallel);
            return;
        }
        if (found < 0)
        {
            ToCpu($"a radius search on segment {segment.Id} matched more than {MaxRadiusEntries:N0} rows");
            CpuBackend.Instance.Within(segment, sequence, queries, bound, collectors, parallel);
            return;
        }
        Interlocked.Increment(ref _deviceScans);

        // Group the matches by query, then offer each query's rows with the CPU's distances.
        var start = new int[queries.Count + 1];
        for (int i = 0; i < found; i++) start[qr[2 * i] + 1]++;
        for (int q = 0; q < queries.Count; q++) start[q + 1] += start[q];
        var order = new int[found];
        var fill = start.AsSpan(0, queries.Count).ToArray();
        for (int i = 0; i < found; i++) order[fill[qr[2 * i]]++] = i;

        byte* vectors = segment.VectorsForScan();
        float* norms = segment.NormsForScan();
        void Offer(int q)
        {
            SearchQuery query = queries[q];
            var source = new RowSource(segment, sequence);
            Span<float> scratch = stackalloc float[4];
            bool codes = query.Metric == Metric.Hamming;
            for (int j = start[q]; j < start[q + 1]; j++)
            {
                int i = order[j];
                int r = qr[2 * i + 1];
                float d = codes ? dist[i] : HostDistance.Ranking(query, vectors, norms, segment.RowCount, r, scratch);
                if (d <= bound) ExactSearch.Offer(query, collectors[q], source, r, d);
            }
        }
        if (parallel && queries.Count > 1) Parallel.For(0, queries.Count, Offer);
        else for (int q = 0; q < queries.Count; q++) Offer(q);
    }

    /// <summary>Runs the radius kernel until its output fits; returns the number of matches, or −1 past <see cref="MaxRadiusEntries"/>.</summary>
    internal int LaunchRadius(SegmentResidency res, Segment segment, IReadOnlyList<SearchQuery> queries, float bound, out int[] qr, out float[] dist)
    {
        bool codes = segment.Metric == Metric.Hamming;
        using ClBuffer q = UploadQueries(queries, segment.RowBytes);
        using ClBuffer counter = runtime.CreateBuffer(4, OpenClNative.CL_MEM_READ_WRITE);
        ClBuffer? bounds = null;
        try
        {
            if (!codes)
            {
                var b = new float[queries.Count];
                for (int i = 0; i < b.Length; i++) b[i] = DeviceTolerance.For(queries[i], res.MaxRowNorm).Upper(bound);
                bounds = runtime.CreateBuffer(b.Length * 4L, OpenClNative.CL_MEM_READ_ONLY);
                fixed (float* p = b) runtime.Write(bounds, p, b.Length * 4L);
            }
            int capacity = (int)Math.Min(MaxRadiusEntries, Math.Max(4096L, queries.Count * 256L));
            while (true)
            {
                using ClBuffer outQr = runtime.CreateBuffer(capacity * 8L, OpenClNative.CL_MEM_WRITE_ONLY);
                using ClBuffer outD = runtime.CreateBuffer(capacity * 4L, OpenClNative.CL_MEM_WRITE_ONLY);
                int zero = 0;
                runtime.Write(counter, &zero, 4);
                ClKernel kernel = codes ? runtime.CodeRadius : runtime.FloatRadius;
                uint a = 0;
                OpenClRuntime.SetArg(kernel, a++, res.Rows);
                OpenClRuntime.SetArg(kernel, a++, segment.RowCount);
                OpenClRuntime.SetArg(kernel, a++, codes ? segment.RowBytes / 8 : segment.RowBytes / 4);
                if (!codes) OpenClRuntime.SetArg(kernel, a++, res.Norms ?? runtime.Dummy);
                OpenClRuntime.SetArg(kernel, a++, q);
                OpenClRuntime.SetArg(kernel, a++, queries.Count);
                if (!codes)
                {
                    OpenClRuntime.SetArg(kernel, a++, MetricCode(segment.Metric));
                    OpenClRuntime.SetArg(kernel, a++, bounds!);
                }
                else
                {
                    OpenClRuntime.SetArg(kernel, a++, (int)Math.Clamp(bound, -1f, segment.RowBytes * 8));
                }
                OpenClRuntime.SetArg(kernel, a++, counter);
                OpenClRuntime.SetArg(kernel, a++, capacity);
                OpenClRuntime.SetArg(kernel, a++, outQr);
                OpenClRuntime.SetArg(kernel, a, outD);
                runtime.Launch(kernel, (segment.RowCount + 63L) / 64 * 64);
                int found;
                runtime.Read(counter, &found, 4);
                if (found < 0 || found > MaxRadiusEntries)
                {
                    qr = [];
                    dist = [];
                    return -1;
                }
                if (found <= capacity)
                {
                    qr = new int[2L * found];
                    dist = new float[found];
                    fixed (int* p = qr) runtime.Read(outQr, p, found * 8L);
                    fixed (float* p = dist) runtime.Read(outD, p, found * 4L);
                    return found;
                }
                capacity = found;
            }
        }
        finally
        {
            bounds?.Dispose();
        }
    }

    /// <summary>The prepared queries (unit length under cosine) back to back, uploaded to a new buffer.</summary>
    private ClBuffer UploadQueries(IReadOnlyList<SearchQuery> queries, int rowBytes)
    {
        var all = new byte[(long)queries.Count * rowBytes];
        for (int i = 0; i < queries.Count; i++)
        {
            ReadOnlySpan<byte> bytes = queries[i].Metric == Metric.Hamming
                ? MemoryMarshal.AsBytes(queries[i].Code.AsSpan())
                : MemoryMarshal.AsBytes(queries[i].Floats.AsSpan());
            bytes.CopyTo(all.AsSpan(i * rowBytes, rowBytes));
        }
        ClBuffer buffer = runtime.CreateBuffer(all.Length, OpenClNative.CL_MEM_READ_ONLY);
        try
        {
            fixed (byte* p = all) runtime.Write(buffer, p, all.Length);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private static int MetricCode(Metric metric) => metric switch
    {
        Metric.Euclidean => 0,
        Metric.Manhattan => 1,
        Metric.DotProduct => 2,
        Metric.Cosine => 3,
        _ => throw new InvalidOperationException($"Metric {metric} has no float device kernel."),
    };
}

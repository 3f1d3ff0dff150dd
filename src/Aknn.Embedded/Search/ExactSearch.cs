using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;
using System.Text;
using Aknn.Embedded.Kernels;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Search;

/// <summary>
/// Brute-force search over a snapshot: every segment and the visible tail rows are scanned in
/// blocks with the batch distance kernels; only rows that beat the collector's bound are looked
/// at further (deletion, filter, id), so the scan runs at close to memory bandwidth.
/// </summary>
internal static unsafe class ExactSearch
{
    /// <summary>Scans every source of the snapshot and returns the collector's rows as hits.</summary>
    public static List<Hit> Run(Snapshot snapshot, SearchQuery query, Collector collector)
    {
        foreach (RowSource source in snapshot.Sources) Scan(query, collector, source);
        return ToHits(query, collector);
    }

    /// <summary>The collector's rows as hits, nearest first.</summary>
    public static List<Hit> ToHits(SearchQuery query, Collector collector)
    {
        var sorted = collector.Sorted();
        var hits = new List<Hit>(sorted.Count);
        foreach (var c in sorted)
            hits.Add(new Hit(Encoding.UTF8.GetString(c.IdUtf8), query.Reported(c.Distance), c.Payload));
        return hits;
    }

    /// <summary>Blocks of about 64 KiB of vectors: few kernel calls for short rows, distances stay in L1.</summary>
    internal static int BlockRows(SearchQuery query) => Math.Clamp(65536 / query.RowBytes, 16, 2048);

    /// <summary>
    /// Scans every visible row of one source; rows <paramref name="seen"/> reports are skipped. A
    /// segment is one mapped block; a tail is scanned chunk by chunk, each pinned for its block.
    /// </summary>
    public static void Scan(SearchQuery query, Collector collector, in RowSource source, SeenRows? seen = null)
    {
        if (source.Segment is { } seg)
        {
            byte* vectors = seg.VectorsForScan();
            float* norms = seg.NormsForScan();
            ScanRows(query, collector, source, vectors, norms, 0, source.Count, new float[BlockRows(query)], seen);
            return;
        }
        Tail tail = source.Tail!;
        TailChunk[] chunks = source.Chunks!;
        int chunkRows = tail.ChunkRows;
        float[] distances = new float[BlockRows(query)];
        for (int c = 0; c * chunkRows < source.Count; c++)
        {
            TailChunk chunk = chunks[c];
            int rows = Math.Min(chunkRows, source.Count - c * chunkRows);
            fixed (byte* vectors = chunk.Vectors)
            fixed (float* norms = chunk.Norms)
            {
                ScanRows(query, collector, source, vectors, norms, c * chunkRows, rows, distances, seen);
            }
        }
    }

    /// <summary>Tells a scan which rows an earlier pass has already considered.</summary>
    internal abstract class SeenRows
    {
        public abstract bool Seen(ReadOnlySpan<byte> row);
    }

    /// <summary>Scans <paramref name="rows"/> consecutive rows at <paramref name="vectors"/>, which are the source's rows from <paramref name="firstRow"/> on.</summary>
    private static void ScanRows(SearchQuery q, Collector collector, in RowSource source, byte* vectors, float* norms, int firstRow, int rows, float[] distances, SeenRows? seen)
    {
        if (q.Metric == Metric.Hamming)
        {
            ScanCodes(q, collector, source, vectors, firstRow, rows, distances.Length, seen);
            return;
        }
        int blockRows = distances.Length;
        for (int start = 0; start < rows; start += blockRows)
        {
            int n = Math.Min(blockRows, rows - start);
            Span<float> d = distances.AsSpan(0, n);
            Distances(q, vectors + (long)start * q.RowBytes, n, d, norms is null ? null : norms + start);
            float bound = collector.Bound;
            for (int i = FirstWithin(d, 0, bound); i < n; i = FirstWithin(d, i + 1, bound))
            {
                Consider(q, collector, source, vectors, firstRow, start + i, d[i], seen);
                bound = collector.Bound;
            }
        }
    }

    /// <summary>
    /// Binary codes: the fused popcount kernel returns only the rows within the collector's bound
    /// (as it stood when the block began; <see cref="Collector.WouldAccept"/> applies the current one).
    /// </summary>
    private static void ScanCodes(SearchQuery q, Collector collector, in RowSource source, byte* vectors, int firstRow, int rows, int blockRows, SeenRows? seen)
    {
        ulong[] code = q.Code!;
        Span<int> matches = stackalloc int[blockRows];
        Span<int> distances = stackalloc int[blockRows];
        for (int start = 0; start < rows; start += blockRows)
        {
            int n = Math.Min(blockRows, rows - start);
            int radius = (int)Math.Min(collector.Bound, code.Length * 64);
            var block = new ReadOnlySpan<ulong>(vectors + (long)start * q.RowBytes, n * code.Length);
            int found = HammingKernels.ScanWithin(code, block, radius, matches, distances);
            for (int i = 0; i < found; i++) Consider(q, collector, source, vectors, firstRow, start + matches[i], distances[i], seen);
        }
    }

    /// <summary>A row of a block that passed the bound: <paramref name="index"/> within the block, <paramref name="firstRow"/> + index within the source.</summary>
    private static void Consider(SearchQuery q, Collector collector, in RowSource source, byte* vectors, int firstRow, int index, float distance, SeenRows? seen)
    {
        if (seen is not null && seen.Seen(new ReadOnlySpan<byte>(vectors + (long)index * q.RowBytes, q.RowBytes))) return;
        Offer(q, collector, source, firstRow + index, distance);
    }

    /// <summary>
    /// The per-row checks once a row's distance passes the bound: deletion, the collector's tie rule,
    /// the query's own id, the filter; then the row goes into the collector.
    /// </summary>
    public static void Offer(SearchQuery q, Collector collector, in RowSource source, int row, float distance)
    {
        if (source.IsDeleted(row)) return;
        ReadOnlySpan<byte> id = source.IdUtf8(row);
        if (!collector.WouldAccept(distance, id)) return;
        if (q.ExcludeIdUtf8 is not null && id.SequenceEqual(q.ExcludeIdUtf8)) return;
        ReadOnlySpan<byte> payload = q.Filter is not null || q.IncludePayload ? source.Payload(row) : default;
        if (q.Filter is not null && !q.Filter(Encoding.UTF8.GetString(id), payload)) return;
        collector.Add(new Candidate(distance, id.ToArray(), q.IncludePayload && !payload.IsEmpty ? payload.ToArray() : null));
    }

    /// <summary>
    /// The index of the first distance at or after <paramref name="from"/> that is ≤ <paramref name="bound"/>,
    /// or the span's length. Once the top-K heap is full almost every row fails the bound, so the
    /// common case is a vector compare of eight (or sixteen) distances at a time with no match.
    /// </summary>
    internal static int FirstWithin(ReadOnlySpan<float> d, int from, float bound)
    {
        int i = from;
        if (Vector256.IsHardwareAccelerated)
        {
            var b = Vector256.Create(bound);
            ref float start = ref MemoryMarshal.GetReference(d);
            for (; i + 16 <= d.Length; i += 16)
            {
                var lo = Vector256.LessThanOrEqual(Vector256.LoadUnsafe(ref start, (nuint)i), b);
                var hi = Vector256.LessThanOrEqual(Vector256.LoadUnsafe(ref start, (nuint)(i + 8)), b);
                uint mask = lo.ExtractMostSignificantBits() | (hi.ExtractMostSignificantBits() << 8);
                if (mask != 0) return i + BitOperations.TrailingZeroCount(mask);
            }
        }
        for (; i < d.Length; i++)
            if (d[i] <= bound) return i;
        return d.Length;
    }

    /// <summary>Ranking distances of <paramref name="n"/> consecutive rows to the query (codes: Hamming distances as floats).</summary>
    internal static void Distances(SearchQuery q, byte* rows, int n, Span<float> d, float* norms)
    {
        if (q.Metric == Metric.Hamming)
        {
            ulong[] code = q.Code!;
            for (int i = 0; i < n; i++) d[i] = HammingKernels.Distance(code, new ReadOnlySpan<ulong>(rows + (long)i * q.RowBytes, code.Length));
            return;
        }
        float[] query = q.Floats!;
        var floats = new ReadOnlySpan<float>(rows, n * query.Length);
        switch (q.Metric)
        {
            case Metric.Euclidean:
                FloatKernels.SquaredL2Batch(query, floats, d);
                break;
            case Metric.Manhattan:
                FloatKernels.L1Batch(query, floats, d);
                break;
            case Metric.DotProduct:
                FloatKernels.DotBatch(query, floats, d);
                TensorPrimitives.Negate(d, d);
                break;
            case Metric.Cosine:
                FloatKernels.DotBatch(query, floats, d);
                // 1 − (q̂ · x) / |x|, the query already being unit length.
                var nx = new ReadOnlySpan<float>(norms, n);
                TensorPrimitives.Divide(d, nx, d);
                TensorPrimitives.Subtract(1f, d, d);
                // Rounding can leave a parallel vector at −1e-7 or an opposite one above 2: keep the documented [0, 2].
                TensorPrimitives.Clamp(d, 0f, 2f, d);
                break;
            default:
                throw new InvalidOperationException($"Metric {q.Metric} has no exact kernel.");
        }
    }
}

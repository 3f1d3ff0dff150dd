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
    /// <summary>What the scan needs to know about the query.</summary>
    internal sealed class Query
    {
        public required Metric Metric { get; init; }
        public required int RowBytes { get; init; }
        /// <summary>The query as float32 (cosine: normalised to unit length).</summary>
        public float[]? Floats { get; init; }
        public ulong[]? Code { get; init; }
        public SearchFilter? Filter { get; init; }
        public byte[]? ExcludeIdUtf8 { get; init; }
        public bool IncludePayload { get; init; }
        public SearchStrategy Strategy { get; init; }
    }

    public static Query Prepare(Metric metric, int rowBytes, ReadOnlySpan<byte> vector, SearchOptions options, byte[]? excludeId)
    {
        float[]? floats = null;
        ulong[]? code = null;
        if (metric == Metric.Hamming)
        {
            code = MemoryMarshal.Cast<byte, ulong>(vector).ToArray();
        }
        else
        {
            floats = MemoryMarshal.Cast<byte, float>(vector).ToArray();
            if (metric == Metric.Cosine)
            {
                float norm = TensorPrimitives.Norm(floats);
                TensorPrimitives.Divide(floats, norm, floats);
            }
        }
        return new Query
        {
            Metric = metric, RowBytes = rowBytes, Floats = floats, Code = code,
            Filter = options.Filter, ExcludeIdUtf8 = excludeId, IncludePayload = options.IncludePayload, Strategy = options.Strategy,
        };
    }

    /// <summary>The distance bound used while scanning for a user-facing radius (Euclidean ranks by squared distance).</summary>
    public static float RankingBound(Metric metric, float radius) => metric == Metric.Euclidean ? SquaredBound(radius) : radius;

    /// <summary>
    /// The largest squared distance s with <c>MathF.Sqrt(s) ≤ radius</c>, so a row is kept exactly when the
    /// distance it would be reported with is within the radius. <c>radius * radius</c> alone can round below
    /// the square of a reported distance (√2 as a float squares to less than 2) and drop a row on the boundary.
    /// </summary>
    private static float SquaredBound(float radius)
    {
        float s = radius * radius;
        if (!float.IsFinite(s)) return s;
        while (s > 0 && MathF.Sqrt(s) > radius) s = MathF.BitDecrement(s);
        while (MathF.Sqrt(MathF.BitIncrement(s)) <= radius) s = MathF.BitIncrement(s);
        return s;
    }

    /// <summary>Converts a ranking distance into the distance reported to the caller.</summary>
    public static float Reported(Metric metric, float ranking) => metric == Metric.Euclidean ? MathF.Sqrt(ranking) : ranking;

    public static List<Hit> Run(Snapshot snapshot, Query query, Collector collector)
    {
        foreach (Segment seg in snapshot.Segments.Items)
            ScanSegment(query, collector, seg, snapshot.Sequence);
        if (snapshot.Frozen is { } frozen)
            ScanTail(query, collector, frozen.Chunks, frozen.Count, frozen.ChunkRows, snapshot.Sequence);
        ScanTail(query, collector, snapshot.Chunks, snapshot.TailCount, snapshot.Tail.ChunkRows, snapshot.Sequence);
        return ToHits(query, collector);
    }

    /// <summary>The collector's rows as hits, nearest first.</summary>
    public static List<Hit> ToHits(Query query, Collector collector)
    {
        var sorted = collector.Sorted();
        var hits = new List<Hit>(sorted.Count);
        foreach (var c in sorted)
            hits.Add(new Hit(Encoding.UTF8.GetString(c.IdUtf8), Reported(query.Metric, c.Distance), c.Payload));
        return hits;
    }

    /// <summary>Blocks of about 64 KiB of vectors: few kernel calls for short rows, distances stay in L1.</summary>
    internal static int BlockRows(Query query) => Math.Clamp(65536 / query.RowBytes, 16, 2048);

    /// <summary>Scans every row of a segment; rows <paramref name="seen"/> reports are skipped.</summary>
    public static void ScanSegment(Query query, Collector collector, Segment seg, long sequence, SeenRows? seen = null)
    {
        byte* vectors = seg.VectorsForScan();
        float* norms = seg.NormsForScan();
        ScanRows(query, collector, new Source(seg, null, sequence), vectors, norms, seg.RowCount, new float[BlockRows(query)], seen);
    }

    /// <summary>Scans the first <paramref name="count"/> rows of a tail's chunks; rows <paramref name="seen"/> reports are skipped.</summary>
    public static void ScanTail(Query query, Collector collector, TailChunk[] chunks, int count, int chunkRows, long sequence, SeenRows? seen = null)
    {
        float[] distances = new float[BlockRows(query)];
        for (int c = 0; c * chunkRows < count; c++)
        {
            TailChunk chunk = chunks[c];
            int rows = Math.Min(chunkRows, count - c * chunkRows);
            fixed (byte* vectors = chunk.Vectors)
            fixed (float* norms = chunk.Norms)
            {
                ScanRows(query, collector, new Source(null, chunk, sequence), vectors, norms, rows, distances, seen);
            }
        }
    }

    /// <summary>Tells a scan which rows an earlier pass has already considered.</summary>
    internal abstract class SeenRows
    {
        public abstract bool Seen(ReadOnlySpan<byte> row);
    }

    /// <summary>A segment or a tail chunk, for the per-row checks after the distance bound.</summary>
    internal readonly struct Source(Segment? segment, TailChunk? chunk, long sequence)
    {
        public bool IsDeleted(int row) => segment is not null ? segment.IsDeleted(row, sequence) : chunk!.DeletedAt[row] <= sequence;
        public ReadOnlySpan<byte> IdUtf8(int row) => segment is not null ? segment.IdUtf8(row) : chunk!.Ids[row];
        public ReadOnlySpan<byte> Payload(int row) => segment is not null ? segment.Payload(row) : chunk!.Payloads[row];
    }

    private static void ScanRows(Query q, Collector collector, in Source source, byte* vectors, float* norms, int rows, float[] distances, SeenRows? seen)
    {
        if (q.Metric == Metric.Hamming)
        {
            ScanCodes(q, collector, source, vectors, rows, distances.Length, seen);
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
                Consider(q, collector, source, vectors, start + i, d[i], seen);
                bound = collector.Bound;
            }
        }
    }

    /// <summary>
    /// Binary codes: the fused popcount kernel returns only the rows within the collector's bound
    /// (as it stood when the block began; <see cref="Collector.WouldAccept"/> applies the current one).
    /// </summary>
    private static void ScanCodes(Query q, Collector collector, in Source source, byte* vectors, int rows, int blockRows, SeenRows? seen)
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
            for (int i = 0; i < found; i++) Consider(q, collector, source, vectors, start + matches[i], distances[i], seen);
        }
    }

    private static void Consider(Query q, Collector collector, in Source source, byte* vectors, int row, float distance, SeenRows? seen)
    {
        if (seen is not null && seen.Seen(new ReadOnlySpan<byte>(vectors + (long)row * q.RowBytes, q.RowBytes))) return;
        Offer(q, collector, source, row, distance);
    }

    /// <summary>
    /// The per-row checks once a row's distance passes the bound: deletion, the collector's tie rule,
    /// the query's own id, the filter; then the row goes into the collector.
    /// </summary>
    public static void Offer(Query q, Collector collector, in Source source, int row, float distance)
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
    internal static void Distances(Query q, byte* rows, int n, Span<float> d, float* norms)
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

using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;
using Aknn.Embedded.Bucketing;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Search;

/// <summary>
/// Approximate nearest neighbours through LSH (EsAknn's k1/k2 scheme): hash the query (plus
/// multi-probe buckets), read each table's bucket in every source, count for each row how many
/// probed buckets hold it, keep the best <c>Candidates</c> rows by that count (skipping deleted
/// rows, the query's own id and rows the filter rejects, so they cost no budget), compute their
/// exact distances and return the best K.
/// </summary>
/// <remarks>
/// Ties in the count are broken deterministically: sources in snapshot order (segments, frozen
/// tail, tail), then the order in which the buckets were read. A source without postings (which an
/// LSH index does not normally have) is scanned exactly.
/// </remarks>
internal static unsafe partial class LshSearch
{
    /// <summary>Per-thread scratch: a count per row of the largest source, the probed buckets, the candidates and the gathered rows.</summary>
    private sealed class Scratch
    {
        public byte[] Counts = new byte[1024];
        public uint[] TailRows = [];
        /// <summary>The rows of the buckets being counted, each once, in the order first seen.</summary>
        public uint[] Distinct = [];
        public Candidate[] Candidates = new Candidate[1024];
        public int[] Order = [];
        public int[] Picked = [];
        public (IntPtr Start, int Length)[] Buckets = [];
        public List<(int Table, uint Key)> Keys = [];
        public byte[] Gather = [];
        /// <summary>Per source of the snapshot: a segment's mapped vectors, fetched once per search (null for a tail).</summary>
        public IntPtr[] Vectors = [];
        /// <summary>Sign-code search: the Hamming distance of every row of the source being ranked.</summary>
        public int[] Distances = [];
        /// <summary>Sign-code search: the rows the prefix pass kept, and their whole-code distances.</summary>
        public int[] Shortlist = [], ShortlistDistances = [];
    }

    /// <summary>How many picked rows ahead the gather prefetches (enough to cover a memory latency).</summary>
    private const int PrefetchAhead = 16;

    private readonly record struct Candidate(int Source, int Row, byte Count);

    [ThreadStatic] private static Scratch? t_scratch;

    public static SearchResults Nearest(Snapshot snapshot, SearchQuery q, LshModel model, int probes)
    {
        q.ResolveCandidates(model.Family);
        int k = q.K, candidates = q.Candidates;
        if (candidates >= snapshot.LiveCount)
        {
            // Every live row fits the budget: the exact search returns the same rows, faster.
            var all = ExactSearch.Run(snapshot, q, new TopKCollector(k));
            return new SearchResults(all, false, snapshot.LiveCount);
        }
        var s = t_scratch ??= new Scratch();
        if (model.Family == LshFamily.SignCodes) return NearestBySignCode(s, snapshot, q, model);
        for (int round = 0; ; round++)
        {
            var collector = new TopKCollector(k);
            long examined = 0;
            s.Keys.Clear();
            long mark = SearchStages.Now();
            model.ProbeKeys(q.Row, probes, s.Keys);
            mark = SearchStages.Mark(SearchStages.Stage.Probe, mark);
            int candidateCount = Collect(s, snapshot, q, collector, s.Keys, model, ref examined);
            SearchStages.Mark(SearchStages.Stage.Count, mark);
            long accepted = UsesCompactRerank(q, candidateCount)
                ? RerankCompact(s, q, collector, snapshot.Sources, candidateCount, candidates)
                : Rerank(s, q, collector, snapshot.Sources, candidateCount, candidates);
            examined += accepted;
            // The query's buckets held fewer than K rows (a query far from the data, or tiny buckets):
            // probe more of the nearby buckets rather than return fewer results than the index holds.
            var hits = ExactSearch.ToHits(q, collector);
            if (hits.Count >= k || accepted >= candidates || round == ExtraProbeRounds || hits.Count >= snapshot.LiveCount)
                return new SearchResults(hits, true, examined);
            probes = Math.Min(SearchOptions.MaxProbes, Math.Max(2 * probes, 4 * model.Tables));
        }
    }

    /// <summary>How many times a search that found fewer than K rows retries with a larger probe budget.</summary>
    private const int ExtraProbeRounds = 4;

    /// <summary>
    /// For tests: how many of the probed buckets hold each live row of the snapshot (rows in no
    /// probed bucket are absent).
    /// </summary>
    public static Dictionary<string, int> BucketCounts(Snapshot snapshot, SearchQuery q, LshModel model, List<(int Table, uint Key)> keys)
    {
        var s = new Scratch();
        RowSource[] sources = snapshot.Sources;
        long examined = 0;
        int n = Collect(s, snapshot, q, new TopKCollector(1), keys, model, ref examined);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            Candidate c = s.Candidates[i];
            if (!sources[c.Source].IsDeleted(c.Row)) counts.Add(Encoding.UTF8.GetString(sources[c.Source].IdUtf8(c.Row)), c.Count);
        }
        return counts;
    }

    /// <summary>
    /// Counts bucket matches in every source; returns the number of candidates gathered into the
    /// scratch (sources without postings are scanned into <paramref name="collector"/> instead).
    /// </summary>
    private static int Collect(Scratch s, Snapshot snapshot, SearchQuery q, Collector collector, List<(int Table, uint Key)> keys,
        LshModel model, ref long examined)
    {
        int candidateCount = 0;
        RowSource[] sources = snapshot.Sources;
        if (s.Vectors.Length < sources.Length) s.Vectors = new IntPtr[sources.Length];
        for (int i = 0; i < sources.Length; i++)
        {
            RowSource source = sources[i];
            s.Vectors[i] = 0;
            if (source.Count == 0) continue;
            if (source.Segment is { } seg)
            {
                if (seg.LshPostings(model) is { } postings)
                {
                    s.Vectors[i] = (IntPtr)seg.VectorsForScan();
                    CountSegment(s, postings, seg.RowCount, keys, i, ref candidateCount);
                    continue;
                }
            }
            else if (source.TailLsh is { } buckets)
            {
                CountTail(s, source, buckets, keys, i, ref candidateCount);
                continue;
            }
            // A source without tables (a segment written before the model, or tail rows seen
            // through a snapshot older than the fit) is scanned exactly.
            ExactSearch.Scan(q, collector, source);
            examined += source.Count;
        }
        return candidateCount;
    }

    private static void CountSegment(Scratch s, SegmentLshPostings postings, int rows, List<(int Table, uint Key)> keys, int source, ref int candidateCount)
    {
        EnsureRows(s, rows, keys.Count);
        // The memory latencies overlap instead of adding up: prefetch every probed directory
        // slot, then read the slots and prefetch each bucket's first row numbers, then count.
        if (Sse.IsSupported)
            foreach (var (table, key) in keys) Sse.Prefetch0(postings.Slot(table, key));
        for (int b = 0; b < keys.Count; b++)
        {
            ReadOnlySpan<uint> bucket = postings.Bucket(keys[b].Table, keys[b].Key);
            fixed (uint* first = bucket)
            {
                s.Buckets[b] = ((IntPtr)first, bucket.Length);
                if (Sse.IsSupported && first is not null) Sse.Prefetch0(first);
            }
        }
        Count(s, keys.Count, source, ref candidateCount);
    }

    private static void CountTail(Scratch s, in RowSource tail, TailBuckets buckets, List<(int Table, uint Key)> keys, int source, ref int candidateCount)
    {
        EnsureRows(s, tail.Count);
        // The chains are walked into one list of row numbers, which is then counted like a segment's buckets.
        int listed = 0;
        foreach (var (table, key) in keys)
        {
            foreach (int row in tail.Chain(buckets, table, key))
            {
                if (listed == s.TailRows.Length) Array.Resize(ref s.TailRows, Math.Max(1024, listed * 2));
                s.TailRows[listed++] = (uint)row;
            }
        }
        fixed (uint* rows = s.TailRows)
        {
            s.Buckets[0] = ((IntPtr)rows, listed);
            Count(s, 1, source, ref candidateCount);
        }
    }

    /// <summary>Room for a count per row of a source, and for a bucket per probe.</summary>
    private static void EnsureRows(Scratch s, int rows, int buckets = 1)
    {
        if (s.Counts.Length < rows) s.Counts = new byte[Math.Max(rows, s.Counts.Length * 2)];
        if (s.Buckets.Length < buckets) s.Buckets = new (IntPtr, int)[Math.Max(buckets, s.Buckets.Length * 2)];
    }

    /// <summary>
    /// Counts how often each row appears in the first <paramref name="bucketCount"/> buckets of the
    /// scratch and appends every row once, with its count, to the candidates (clearing the counts).
    /// Two passes: the first increments and lists each row at its first occurrence, the second
    /// walks that list (not the buckets again) for the counts.
    /// </summary>
    private static void Count(Scratch s, int bucketCount, int source, ref int candidateCount)
    {
        int total = 0;
        for (int b = 0; b < bucketCount; b++) total += s.Buckets[b].Length;
        if (candidateCount + total > s.Candidates.Length) Array.Resize(ref s.Candidates, Math.Max(candidateCount + total, s.Candidates.Length * 2));
        if (s.Distinct.Length < total + 1) s.Distinct = new uint[Math.Max(total + 1, s.Distinct.Length * 2)];
        fixed (byte* counts = s.Counts)
        fixed (uint* distinct = s.Distinct)
        {
            // First pass: count, and list each row the first time it is seen (branch-free: the row
            // is always written at the end of the list, which grows only when its count was 0).
            int seen = 0;
            for (int b = 0; b < bucketCount; b++)
            {
                var (start, length) = s.Buckets[b];
                uint* rows = (uint*)start;
                for (int i = 0; i < length; i++)
                {
                    uint row = rows[i];
                    byte count = counts[row];
                    distinct[seen] = row;
                    seen += count == 0 ? 1 : 0;
                    counts[row] = (byte)(count + 1);
                }
            }
            // Second pass over the distinct rows only (in first-seen order, as before): take each
            // row's count and clear it.
            for (int i = 0; i < seen; i++)
            {
                uint row = distinct[i];
                s.Candidates[candidateCount++] = new Candidate(source, (int)row, counts[row]);
                counts[row] = 0;
            }
        }
    }

    /// <summary>
    /// Takes candidates by descending count, skipping rows that are deleted, the query's own or
    /// filtered out, and measures the <paramref name="budget"/> first accepted exactly (offered to
    /// the collector). Returns how many were accepted.
    /// </summary>
    private static long Rerank(Scratch s, SearchQuery q, Collector collector, RowSource[] sources, int candidateCount, int budget)
    {
        long mark = SearchStages.Now();
        int accepted = PickByCount(s, q, sources, candidateCount, budget);
        mark = SearchStages.Mark(SearchStages.Stage.Pick, mark);
        MeasurePicked(s, q, collector, sources, accepted);
        SearchStages.Mark(SearchStages.Stage.Exact, mark);
        return accepted;
    }

    /// <summary>
    /// Writes to <c>s.Picked</c> the indexes of the candidates of highest count (a counting sort:
    /// counts are at most 255), skipping rows that are deleted, the query's own or filtered out, so
    /// they cost no budget, until <paramref name="budget"/> are accepted; returns how many were.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static int PickByCount(Scratch s, SearchQuery q, RowSource[] sources, int candidateCount, int budget)
    {
        Span<int> start = stackalloc int[257];
        start.Clear();
        for (int i = 0; i < candidateCount; i++) start[255 - s.Candidates[i].Count + 1]++;
        for (int c = 1; c <= 256; c++) start[c] += start[c - 1];
        if (s.Order.Length < candidateCount) s.Order = new int[Math.Max(candidateCount, s.Order.Length * 2)];
        for (int i = 0; i < candidateCount; i++) s.Order[start[255 - s.Candidates[i].Count]++] = i;

        int accepted = 0;
        bool screen = q.ExcludeIdUtf8 is not null || q.Filter is not null;
        if (s.Picked.Length < Math.Min(budget, candidateCount)) s.Picked = new int[Math.Max(Math.Min(budget, candidateCount), s.Picked.Length * 2)];
        for (int o = 0; o < candidateCount && accepted < budget; o++)
        {
            int index = s.Order[o];
            Candidate c = s.Candidates[index];
            ref readonly RowSource source = ref sources[c.Source];
            if (source.IsDeleted(c.Row)) continue;
            if (screen)
            {
                ReadOnlySpan<byte> id = source.IdUtf8(c.Row);
                if (q.ExcludeIdUtf8 is not null && id.SequenceEqual(q.ExcludeIdUtf8)) continue;
                if (q.Filter is not null && !q.Filter(Encoding.UTF8.GetString(id), source.Payload(c.Row))) continue;
            }
            s.Picked[accepted++] = index;
        }
        return accepted;
    }

    /// <summary>Measures the first <paramref name="accepted"/> candidates of <c>s.Picked</c> exactly and offers them to the collector.</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static void MeasurePicked(Scratch s, SearchQuery q, Collector collector, RowSource[] sources, int accepted)
    {
        int rowBytes = q.RowBytes;
        // Exact distances, a block at a time: the scattered rows are gathered (prefetched a few rows
        // ahead) into one buffer and measured with the batch kernels.
        int block = Math.Clamp(16384 / rowBytes, 8, 256);
        if (s.Gather.Length < block * rowBytes) s.Gather = new byte[block * rowBytes];
        Span<float> distances = stackalloc float[256];
        Span<float> norms = stackalloc float[256];
        for (int first = 0; first < accepted; first += block)
        {
            int n = Math.Min(block, accepted - first);
            for (int i = 0; i < n; i++)
            {
                if (Sse.IsSupported && first + i + PrefetchAhead < accepted)
                {
                    Candidate ahead = s.Candidates[s.Picked[first + i + PrefetchAhead]];
                    byte* address = (byte*)s.Vectors[ahead.Source];
                    if (address is not null)
                    {
                        address += (long)ahead.Row * rowBytes;
                        Sse.Prefetch0(address);
                        Sse.Prefetch0(address + rowBytes - 1);
                    }
                }
                Candidate c = s.Candidates[s.Picked[first + i]];
                ref readonly RowSource source = ref sources[c.Source];
                byte* vectors = (byte*)s.Vectors[c.Source];
                ReadOnlySpan<byte> row = vectors is not null ? new ReadOnlySpan<byte>(vectors + (long)c.Row * rowBytes, rowBytes) : source.Vector(c.Row);
                row.CopyTo(s.Gather.AsSpan(i * rowBytes, rowBytes));
                norms[i] = source.Norm(c.Row);
            }
            fixed (byte* rows = s.Gather)
            fixed (float* n0 = norms)
            {
                ExactSearch.Distances(q, rows, n, distances[..n], n0);
            }
            for (int i = 0; i < n; i++)
            {
                float d = distances[i];
                if (d > collector.Bound) continue;
                Candidate c = s.Candidates[s.Picked[first + i]];
                ref readonly RowSource source = ref sources[c.Source];
                ReadOnlySpan<byte> id = source.IdUtf8(c.Row);
                if (!collector.WouldAccept(d, id)) continue;
                byte[]? payload = q.IncludePayload && source.Payload(c.Row) is { IsEmpty: false } p ? p.ToArray() : null;
                collector.Add(new Search.Candidate(d, id.ToArray(), payload));
            }
        }
    }
}

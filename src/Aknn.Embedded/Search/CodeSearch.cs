using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Aknn.Embedded.Bucketing;
using Aknn.Embedded.Kernels;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Search;

/// <summary>
/// Exact radius and nearest-neighbour search over binary codes with multi-index hashing
/// (<see cref="SubstringLayout"/>): each source (segment, frozen tail, active tail) that has
/// substring tables is probed where that is expected to be cheaper than scanning it, and scanned
/// otherwise. Results are the same as a full scan's, by the pigeonhole principle.
/// </summary>
/// <remarks>
/// A code reached through several tables is considered once: only through the first table whose
/// probe radius covers it (radius search), or the first table where its substring distance is
/// smallest (nearest neighbours, which probe in rounds of growing substring distance).
/// </remarks>
internal static unsafe class CodeSearch
{
    /// <summary>Every live code within the query's radius (<see cref="SearchQuery.Bound"/>).</summary>
    public static List<Hit> Within(Snapshot snapshot, SearchQuery query)
    {
        int radius = (int)query.Bound;
        var collector = new RadiusCollector(radius);
        var search = new Prober(query, collector);
        foreach (RowSource source in snapshot.Sources)
        {
            if (Tables.Of(source) is { } tables && search.ProbeIsCheaper(tables.Layout, source.Count, radius, tables.Costs)) search.Within(source, tables, radius);
            else ExactSearch.Scan(query, collector, source);
        }
        return ExactSearch.ToHits(query, collector);
    }

    /// <summary>The K live codes nearest to the query (ties by id).</summary>
    public static List<Hit> Nearest(Snapshot snapshot, SearchQuery query)
    {
        var collector = new TopKCollector(query.K);
        var search = new Prober(query, collector);
        foreach (RowSource source in snapshot.Sources)
        {
            if (Tables.Of(source) is { } tables) search.Nearest(source, tables);
            else ExactSearch.Scan(query, collector, source);
        }
        return ExactSearch.ToHits(query, collector);
    }

    /// <summary>A source's substring tables: a segment's sorted postings or a tail's bucket chains, with the probe costs of that kind.</summary>
    private readonly record struct Tables(SegmentSubstrings? Segment, TailBuckets? Tail, SubstringLayout Layout, ProbeCosts Costs)
    {
        public static Tables? Of(in RowSource source)
        {
            if (source.Segment is { } seg)
                return seg.Substrings() is { } st ? new Tables(st, null, st.Layout, ProbeCosts.Segment(source.Count, st.Layout.Words)) : null;
            return source.TailSubstrings is { } tt ? new Tables(null, tt, tt.Layout!, ProbeCosts.Tail) : null;
        }
    }

    /// <summary>
    /// <see cref="SearchStrategy.Probe"/> still scans where probing would take more than this many
    /// (estimated) nanoseconds, about a million probes: past that, probing is hopeless anyway.
    /// </summary>
    private const double ProbeLimitNs = 2.5e7;

    private static readonly ProbeCosts ProbeLimitCosts = new(25, 0);

    /// <summary>The state of one query: its code, its substring keys for the source at hand, the collector.</summary>
    private sealed class Prober(SearchQuery query, Collector collector)
    {
        private readonly ulong[] _code = query.Code!;
        private SubstringLayout? _layout;
        private uint[] _keys = [];

        public bool ProbeIsCheaper(SubstringLayout layout, long rows, int radius, ProbeCosts costs) => query.Strategy switch
        {
            SearchStrategy.Probe => layout.ProbeCost(0, radius, ProbeLimitCosts) <= ProbeLimitNs,
            SearchStrategy.Scan => false,
            _ => layout.ProbeCost(rows, radius, costs) < SubstringLayout.ScanCost(rows, layout.Bits),
        };

        /// <summary>Computes the query's keys for a source's layout (sources may differ).</summary>
        private SubstringLayout Use(SubstringLayout layout)
        {
            if (!ReferenceEquals(layout, _layout))
            {
                _layout = layout;
                _keys = new uint[layout.Count];
                for (int t = 0; t < layout.Count; t++) _keys[t] = layout.Key(_code, t);
            }
            return layout;
        }

        // ------------------------------------------------------------ radius

        public void Within(in RowSource source, Tables tables, int radius)
        {
            SubstringLayout layout = Use(tables.Layout);
            int[] radii = layout.ProbeRadii(radius);
            for (int t = 0; t < layout.Count; t++)
            {
                for (int flips = 0; flips <= radii[t]; flips++)
                    Probe(source, tables, t, flips, radii, nearest: false);
            }
        }

        // ------------------------------------------------------------ nearest neighbours

        public void Nearest(RowSource source, Tables tables)
        {
            SubstringLayout layout = Use(tables.Layout);
            int done = Rounds(layout, source.Count, tables.Costs, round =>
            {
                for (int t = 0; t < layout.Count; t++)
                    Probe(source, tables, t, round, null, nearest: true);
            });
            if (done >= 0) ExactSearch.Scan(query, collector, source, new SeenBefore(this, layout, done));
        }

        /// <summary>Probes table <paramref name="t"/> with every key at exactly <paramref name="flips"/> bits from the query's.</summary>
        private void Probe(in RowSource source, Tables tables, int t, int flips, int[]? radii, bool nearest)
        {
            if (tables.Segment is { } segmentTables)
            {
                ProbeSegment(source, segmentTables, t, flips, radii, nearest);
                return;
            }
            var variants = new KeyVariants(_layout!.Length[t], flips);
            while (variants.MoveNext())
                VisitTailBucket(source, tables.Tail!, t, _keys[t] ^ variants.Current, radii, flips, nearest);
        }

        /// <summary>
        /// Runs probe rounds 0, 1, 2 … (round s visits every key at substring distance exactly s in
        /// every table) until the K-th best distance is known to be final, and returns −1; or, once
        /// the next round is expected to cost more than scanning what is left would, returns the
        /// number of rounds done, for a scan to finish the source.
        /// </summary>
        private int Rounds(SubstringLayout layout, long rows, ProbeCosts costs, Action<int> round)
        {
            int m = layout.Count, shortest = layout.Length.Min();
            double budget = query.Strategy switch
            {
                SearchStrategy.Probe => ProbeLimitNs * costs.ProbeNs / ProbeLimitCosts.ProbeNs,
                SearchStrategy.Scan => 0,
                _ => SubstringLayout.ScanCost(rows, layout.Bits),
            };
            double spent = 0;
            for (int s = 0; ; s++)
            {
                // After rounds 0..s−1 every code within m·s − 1 has been considered: when the K-th
                // best is within that, no code left can enter (or tie) the results.
                if (collector.Bound <= m * s - 1) return -1;
                // Every code lies within its substring length on every table: past the shortest
                // substring, every code has been considered.
                if (s > shortest) return -1;
                double cost = layout.ProbeCost(rows, m * (s + 1) - 1, costs) - layout.ProbeCost(rows, m * s - 1, costs);
                if (spent + cost > budget) return s;
                spent += cost;
                round(s);
            }
        }

        /// <summary>Rows a scan after <see cref="Rounds"/> skips: those the probe rounds have considered.</summary>
        private sealed class SeenBefore(Prober prober, SubstringLayout layout, int rounds) : ExactSearch.SeenRows
        {
            public override bool Seen(ReadOnlySpan<byte> row)
            {
                ReadOnlySpan<ulong> code = MemoryMarshal.Cast<byte, ulong>(row);
                for (int t = 0; t < layout.Count; t++)
                    if (SubstringLayout.KeyDistance(layout.Key(code, t), prober._keys[t]) < rounds) return true;
                return false;
            }
        }

        // ------------------------------------------------------------ buckets

        private uint[] _probeKeys = new uint[64];
        private (int Start, int End)[] _ranges = new (int, int)[64];

        /// <summary>
        /// <see cref="Probe"/> in a segment. In a large segment each probe is two cache misses (the directory slot, then the
        /// bucket), so the probes go in three passes, prefetching ahead, to overlap the misses instead
        /// of waiting for them one after another.
        /// </summary>
        private void ProbeSegment(in RowSource seg, SegmentSubstrings tables, int t, int flips, int[]? radii, bool nearest)
        {
            int count = 0;
            var variants = new KeyVariants(_layout!.Length[t], flips);
            while (variants.MoveNext())
            {
                if (count == _probeKeys.Length) Array.Resize(ref _probeKeys, count * 2);
                _probeKeys[count++] = _keys[t] ^ variants.Current;
            }
            if (_ranges.Length < count) _ranges = new (int, int)[_probeKeys.Length];
            if (Sse.IsSupported)
                for (int i = 0; i < count; i++) Sse.Prefetch0(tables.Slot(t, _probeKeys[i]));
            for (int i = 0; i < count; i++)
            {
                _ranges[i] = tables.Bucket(t, _probeKeys[i]);
                if (Sse.IsSupported) Sse.Prefetch0(tables.EntryAddress(t, _ranges[i].Start));
            }
            for (int i = 0; i < count; i++)
                if (_ranges[i].Start < _ranges[i].End) VisitSegmentBucket(seg, tables, t, _probeKeys[i], _ranges[i], radii, flips, nearest);
        }

        private void VisitSegmentBucket(in RowSource seg, SegmentSubstrings tables, int t, uint key, (int Start, int End) range, int[]? radii, int flips, bool nearest)
        {
            var (start, end) = range;
            uint* ordinals = tables.Ordinals(t);
            if (tables.InlineCodes)
            {
                ulong* codes = tables.Codes(t);
                ulong q = _code[0];
                int first = _layout!.Start[t];
                uint mask = _layout.Length[t] == 32 ? uint.MaxValue : (1u << _layout.Length[t]) - 1;
                float bound = collector.Bound; // only shrinks while the bucket is read: a stale copy only lets more through
                for (int i = start; i < end; i++)
                {
                    ulong c = codes[i];
                    if (((uint)(c >> first) & mask) != key) continue; // another key sharing the directory slot
                    int d = BitOperations.PopCount(c ^ q);
                    if (d > bound) continue;
                    var code = new ReadOnlySpan<ulong>(&c, 1);
                    if (!Canonical(code, t, radii, flips, nearest)) continue;
                    ExactSearch.Offer(query, collector, seg, Ordinal(seg.Segment!, ordinals[i], tables, t), d);
                }
            }
            else
            {
                uint* keys = tables.Keys(t);
                for (int i = start; i < end; i++)
                {
                    if (keys[i] != key) continue;
                    int row = Ordinal(seg.Segment!, ordinals[i], tables, t);
                    ReadOnlySpan<ulong> code = MemoryMarshal.Cast<byte, ulong>(seg.Vector(row));
                    int d = HammingKernels.Distance(code, _code);
                    if (d > collector.Bound || !Canonical(code, t, radii, flips, nearest)) continue;
                    ExactSearch.Offer(query, collector, seg, row, d);
                }
            }
        }

        private static int Ordinal(Segment seg, uint ordinal, SegmentSubstrings tables, int t)
        {
            if (ordinal >= (uint)seg.RowCount)
                throw new IndexCorruptedException(seg.Path, 0, $"substring table {t} of {tables.Layout.Count} lists row {ordinal}, past the segment's {seg.RowCount} rows");
            return (int)ordinal;
        }

        private void VisitTailBucket(in RowSource tail, TailBuckets tables, int t, uint key, int[]? radii, int flips, bool nearest)
        {
            foreach (int row in tail.Chain(tables, t, key))
            {
                ReadOnlySpan<ulong> code = MemoryMarshal.Cast<byte, ulong>(tail.Vector(row));
                int d = HammingKernels.Distance(code, _code);
                if (d > collector.Bound || !Canonical(code, t, radii, flips, nearest)) continue;
                ExactSearch.Offer(query, collector, tail, row, d);
            }
        }

        /// <summary>
        /// Whether table <paramref name="t"/> is where this code is considered. Radius search: the first
        /// table whose probe radius covers the code. Nearest neighbours, in round <paramref name="flips"/>:
        /// the first table at the smallest substring distance, which must be this round's.
        /// </summary>
        private bool Canonical(ReadOnlySpan<ulong> code, int t, int[]? radii, int flips, bool nearest)
        {
            SubstringLayout layout = _layout!;
            for (int u = 0; u < layout.Count; u++)
            {
                if (u == t) continue;
                int d = SubstringLayout.KeyDistance(layout.Key(code, u), _keys[u]);
                if (nearest ? (u < t ? d <= flips : d < flips) : u < t && d <= radii![u]) return false;
                if (!nearest && u > t) break;
            }
            return true;
        }
    }
}

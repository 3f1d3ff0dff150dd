using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Aknn.Embedded.Bucketing;
using Aknn.Embedded.Kernels;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Search;

/// <summary>
/// Finds every pair of live codes within a Hamming radius as one self-join, not one query per code:
/// the codes are sorted by each substring in turn, and every code probes only the keys above its
/// own (and the codes after it under its own key), so each pair is met once per table that can
/// hold it and counted only in the first. Walking the codes in key order keeps the probes of
/// neighbouring codes in neighbouring memory, which makes them cheap.
/// </summary>
internal static class DuplicateJoin
{
    /// <summary>A live row of the snapshot: row <see cref="Row"/> of <see cref="Snapshot.Sources"/>[<see cref="Source"/>].</summary>
    private readonly record struct RowRef(int Source, int Row);

    public static DuplicateReport Run(Snapshot snapshot, int words, int radius, DuplicateOptions options, IProgress<DuplicateProgress>? progress, CancellationToken cancel)
    {
        var live = LiveCodes.Read(snapshot, words, progress, cancel);
        int n = live.Count;
        var pairs = new ConcurrentBag<List<(int A, int B, int D)>>();
        if (n >= 2)
        {
            var layout = SubstringLayout.Choose(words * 64, n, radius, ProbeCosts.Join);
            int[] radii = layout.ProbeRadii(radius);
            long total = (long)n * layout.Count, done = 0;
            for (int t = 0; t < layout.Count; t++)
            {
                if (radii[t] < 0) continue;
                var table = SortedTable.Build(live, layout, t);
                done += n;
                progress?.Report(new DuplicateProgress(done, total * 2, "indexing"));
                var tiles = table.Tiles(Masks(layout.Length[t], radii[t]));
                Parallel.For(0, tiles.Blocks, new ParallelOptions { CancellationToken = cancel }, block =>
                {
                    var found = new List<(int, int, int)>();
                    int codes = table.Join(live, layout, t, radii, tiles, block, radius, found);
                    if (found.Count > 0) pairs.Add(found);
                    long now = Interlocked.Add(ref done, codes);
                    if (codes > 0) progress?.Report(new DuplicateProgress(now, total * 2, "joining"));
                });
            }
        }
        return Report(live.IdUtf8, radius, pairs.SelectMany(p => p), options, n);
    }

    /// <summary>Masks of 1 to <paramref name="flips"/> bits over <paramref name="length"/> bits (zero flips, the code's own key, is handled apart).</summary>
    private static uint[] Masks(int length, int flips)
    {
        var masks = new List<uint>();
        for (int f = 1; f <= flips; f++)
        {
            var v = new KeyVariants(length, f);
            while (v.MoveNext()) masks.Add(v.Current);
        }
        return [.. masks];
    }

    /// <summary>Groups (connected components) and, on request, the pairs, with ids in ordinal UTF-8 order.</summary>
    private static DuplicateReport Report(Func<int, byte[]> idOf, int radius, IEnumerable<(int A, int B, int D)> pairs, DuplicateOptions options, long examined)
    {
        var parent = new Dictionary<int, int>();
        int Find(int x)
        {
            if (!parent.TryGetValue(x, out int p)) { parent[x] = x; return x; }
            while (p != x)
            {
                int up = parent[p];
                parent[x] = up;
                x = p;
                p = up;
            }
            return x;
        }
        var pairList = options.IncludePairs ? new List<(int, int, int)>() : null;
        foreach (var (a, b, d) in pairs)
        {
            int ra = Find(a), rb = Find(b);
            if (ra != rb) parent[Math.Max(ra, rb)] = Math.Min(ra, rb);
            pairList?.Add((a, b, d));
        }
        var ids = new Dictionary<int, byte[]>();
        byte[] Id(int row) => ids.TryGetValue(row, out var id) ? id : ids[row] = idOf(row);
        var groups = parent.Keys.GroupBy(Find)
            .Select(g => g.Select(Id).Order(Utf8Order.Instance).ToList())
            .OrderByDescending(g => g.Count).ThenBy(g => g[0], Utf8Order.Instance)
            .Select(g => new DuplicateGroup(g.Select(Encoding.UTF8.GetString).ToArray()))
            .ToArray();
        var reportedPairs = pairList is null ? [] : pairList
            .Select(p => (A: Id(p.Item1), B: Id(p.Item2), D: p.Item3))
            .Select(p => Utf8Order.Instance.Compare(p.A, p.B) <= 0 ? p : (A: p.B, B: p.A, p.D))
            .OrderBy(p => p.A, Utf8Order.Instance).ThenBy(p => p.B, Utf8Order.Instance)
            .Select(p => new DuplicatePair(Encoding.UTF8.GetString(p.A), Encoding.UTF8.GetString(p.B), p.D))
            .ToArray();
        return new DuplicateReport(radius, groups, reportedPairs, examined);
    }

    /// <summary>Ordinal order of UTF-8 bytes, the order search results use for ties.</summary>
    private sealed class Utf8Order : IComparer<byte[]>
    {
        public static readonly Utf8Order Instance = new();
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }

    /// <summary>Duplicates of some stored items only: each one's radius search, as pairs and groups.</summary>
    public static DuplicateReport Of(Snapshot snapshot, IEnumerable<string> ids, int radius, DuplicateOptions options, CancellationToken cancel)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<byte[]>();
        int Number(string id)
        {
            if (!index.TryGetValue(id, out int k))
            {
                index[id] = k = names.Count;
                names.Add(Encoding.UTF8.GetBytes(id));
            }
            return k;
        }
        var pairs = new HashSet<(int, int, int)>();
        long examined = 0;
        foreach (string id in ids)
        {
            cancel.ThrowIfCancellationRequested();
            ArgumentNullException.ThrowIfNull(id, nameof(ids));
            byte[] idUtf8 = Encoding.UTF8.GetBytes(id);
            if (!RowLookup.TryLocate(snapshot, id, idUtf8, out RowLocation at))
                throw new KeyNotFoundException($"No item with id '{id}' is stored in the index; FindDuplicatesOf takes ids of stored items.");
            examined++;
            var query = SearchQuery.Within(Metric.Hamming, at.Vector(), radius, null, idUtf8);
            foreach (Hit hit in CodeSearch.Within(snapshot, query))
            {
                int a = Number(id), b = Number(hit.Id);
                pairs.Add((Math.Min(a, b), Math.Max(a, b), (int)hit.Distance));
            }
        }
        return Report(k => names[k], radius, pairs, options, examined);
    }

    /// <summary>The live codes of a snapshot, copied into one array, with where each came from.</summary>
    private sealed class LiveCodes
    {
        private readonly RowSource[] _sources;
        private readonly List<RowRef> _rows = [];
        private ulong[] _codes = [];

        private LiveCodes(RowSource[] sources, int words)
        {
            _sources = sources;
            Words = words;
        }

        public int Words { get; }
        public int Count => _rows.Count;
        public ReadOnlySpan<ulong> Code(int i) => _codes.AsSpan(i * Words, Words);
        public ulong Word0(int i) => _codes[i * Words];

        public byte[] IdUtf8(int i) => _sources[_rows[i].Source].IdUtf8(_rows[i].Row).ToArray();

        public static LiveCodes Read(Snapshot s, int words, IProgress<DuplicateProgress>? progress, CancellationToken cancel)
        {
            long total = s.LiveCount;
            var live = new LiveCodes(s.Sources, words);
            var codes = new List<ulong>((int)Math.Min(int.MaxValue / 2, total * words));
            for (int i = 0; i < s.Sources.Length; i++)
            {
                cancel.ThrowIfCancellationRequested();
                RowSource source = s.Sources[i];
                for (int r = 0; r < source.Count; r++)
                {
                    if (source.IsDeleted(r)) continue;
                    live._rows.Add(new RowRef(i, r));
                    codes.AddRange(MemoryMarshal.Cast<byte, ulong>(source.Vector(r)));
                }
                if (source.Segment is not null) progress?.Report(new DuplicateProgress(live.Count, total, "reading"));
            }
            live._codes = [.. codes];
            progress?.Report(new DuplicateProgress(live.Count, total, "reading"));
            return live;
        }
    }

    /// <summary>The codes sorted by one substring key, with a directory over the keys' top bits.</summary>
    private sealed class SortedTable
    {
        private uint[] _keys = [];       // sorted
        private int[] _rows = [];        // row of each sorted position
        private ulong[]? _word0;         // 64-bit codes in sorted order (single-word codes)
        private uint[] _directory = [];  // first position of each top-bits slot, and n at the end
        private int _shift;

        public static SortedTable Build(LiveCodes live, SubstringLayout layout, int t)
        {
            int n = live.Count;
            var packed = new ulong[n];
            for (int i = 0; i < n; i++) packed[i] = (ulong)layout.Key(live.Code(i), t) << 32 | (uint)i;
            Array.Sort(packed);
            int dirBits = SubstringFormat.DirectoryBits(layout.Length[t], n);
            var table = new SortedTable
            {
                _keys = new uint[n], _rows = new int[n], _word0 = live.Words == 1 ? new ulong[n] : null,
                _directory = new uint[(1 << dirBits) + 1], _shift = layout.Length[t] - dirBits,
            };
            for (int p = 0; p < n; p++)
            {
                table._keys[p] = (uint)(packed[p] >> 32);
                table._rows[p] = (int)(uint)packed[p];
                if (table._word0 is not null) table._word0[p] = live.Word0(table._rows[p]);
                table._directory[(table._keys[p] >> table._shift) + 1]++;
            }
            for (int s = 1; s < table._directory.Length; s++) table._directory[s] += table._directory[s - 1];
            return table;
        }

        /// <summary>
        /// The key space cut into blocks of about a couple of thousand codes, and the probe masks
        /// grouped by the block they lead to: a block is joined with one partner block at a time,
        /// so both stay in cache while every mask of that partner is probed.
        /// </summary>
        public sealed record Tiling(int BlockShift, int Blocks, (uint High, uint[] Masks)[] Groups);

        public Tiling Tiles(uint[] masks)
        {
            int keyBits = _shift + BitOperations.Log2((uint)(_directory.Length - 1));
            // Blocks of about 2048 codes: 2^blockShift keys hold n · 2^blockShift / 2^keyBits codes.
            int blockShift = Math.Clamp(keyBits - Math.Max(0, BitOperations.Log2((uint)Math.Max(1, _keys.Length / 2048))), 0, keyBits);
            var groups = masks.GroupBy(m => m >> blockShift).OrderBy(g => g.Key).Select(g => (g.Key, g.ToArray())).ToArray();
            if (groups.Length == 0 || groups[0].Key != 0) groups = [(0u, Array.Empty<uint>()), .. groups];
            return new Tiling(blockShift, 1 << (keyBits - blockShift), groups);
        }

        /// <summary>
        /// Pairs with a code of <paramref name="block"/> as the smaller key: later codes with the same
        /// key, and codes under keys above it within the table's probe radius. Returns the number of
        /// codes in the block.
        /// </summary>
        public int Join(LiveCodes live, SubstringLayout layout, int t, int[] radii, Tiling tiles, int block, int radius, List<(int, int, int)> found)
        {
            int from = (int)_directory[((long)block << tiles.BlockShift) >> _shift];
            int to = (int)_directory[Math.Min(_directory.Length - 1, ((long)(block + 1) << tiles.BlockShift) >> _shift)];
            if (from == to) return 0;
            foreach (var (high, masks) in tiles.Groups)
            {
                // Partner blocks below this one reach it from their side.
                if (high != 0 && (block ^ (int)high) < block) continue;
                if (_shift == 0 && _word0 is not null)
                {
                    JoinDense(live, layout, t, radii, masks, high == 0, from, to, radius, found);
                    continue;
                }
                for (int p = from; p < to; p++)
                {
                    uint key = _keys[p];
                    if (high == 0)
                        for (int q = p + 1; q < _keys.Length && _keys[q] == key; q++)
                            Consider(live, layout, t, radii, radius, p, q, found);
                    foreach (uint mask in masks)
                    {
                        uint other = key ^ mask;
                        if (high == 0 && other < key) continue; // same block: met from the other side
                        uint slot = other >> _shift;
                        for (int q = (int)_directory[slot], end = (int)_directory[slot + 1]; q < end; q++)
                            if (_keys[q] == other) Consider(live, layout, t, radii, radius, p, q, found);
                    }
                }
            }
            return to - from;
        }

        /// <summary>
        /// The hot path for 64-bit codes under a directory over whole keys: every entry of a probed
        /// slot has the probed key, so candidates are only popcounted, and the few within the radius
        /// go on to <see cref="Consider"/>.
        /// </summary>
        private void JoinDense(LiveCodes live, SubstringLayout layout, int t, int[] radii, uint[] masks, bool sameBlock, int from, int to, int radius, List<(int, int, int)> found)
        {
            ref uint directory = ref MemoryMarshal.GetArrayDataReference(_directory);
            ref ulong words = ref MemoryMarshal.GetArrayDataReference(_word0!);
            ReadOnlySpan<uint> m = masks;
            for (int p = from; p < to; p++)
            {
                uint key = _keys[p];
                ulong code = Unsafe.Add(ref words, p);
                if (sameBlock)
                    for (int q = p + 1, end = (int)Unsafe.Add(ref directory, key + 1); q < end; q++)
                        if (BitOperations.PopCount(code ^ Unsafe.Add(ref words, q)) <= radius) Consider(live, layout, t, radii, radius, p, q, found);
                for (int i = 0; i < m.Length; i++)
                {
                    uint other = key ^ m[i];
                    if (sameBlock && other < key) continue; // met from the other side
                    int q = (int)Unsafe.Add(ref directory, other), end = (int)Unsafe.Add(ref directory, other + 1);
                    for (; q < end; q++)
                        if (BitOperations.PopCount(code ^ Unsafe.Add(ref words, q)) <= radius) Consider(live, layout, t, radii, radius, p, q, found);
                }
            }
        }

        private void Consider(LiveCodes live, SubstringLayout layout, int t, int[] radii, int radius, int p, int q, List<(int, int, int)> found)
        {
            int a = _rows[p], b = _rows[q];
            int d = _word0 is not null ? BitOperations.PopCount(_word0[p] ^ _word0[q]) : HammingKernels.Distance(live.Code(a), live.Code(b));
            if (d > radius) return;
            // Count the pair only in the first table whose probe radius covers it.
            ReadOnlySpan<ulong> ca = live.Code(a), cb = live.Code(b);
            for (int u = 0; u < t; u++)
                if (radii[u] >= 0 && SubstringLayout.KeyDistance(layout.Key(ca, u), layout.Key(cb, u)) <= radii[u]) return;
            found.Add((Math.Min(a, b), Math.Max(a, b), d));
        }
    }
}

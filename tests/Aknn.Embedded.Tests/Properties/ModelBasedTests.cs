using System.Text;
using Aknn.Embedded.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit.Abstractions;

namespace Aknn.Embedded.Tests.Properties;

/// <summary>
/// Model-based property: random sequences of upserts, deletes, commits, reopens, compactions and
/// seal-inducing bursts are applied both to an index and to a plain dictionary. After every step
/// the two must agree on every get, on the count, on an exact K search, a radius search and a
/// search by id, each checked against brute force over the dictionary.
/// </summary>
/// <remarks>
/// One FsCheck <c>[Property]</c> per metric, each with its own registered Arbitrary of
/// <see cref="Case"/> (generator and shrinker); a failure is shrunk to a minimal sequence and
/// printed with the seed to replay it (<c>Replay = "…"</c> on the attribute). A separate theory
/// runs a fixed sample of the same generator and checks that the sequences reach the states worth
/// testing (seals, several segments, deleted rows, log replays, compactions).
/// </remarks>
/// <remarks>
/// Float vectors are drawn from a half-integer grid, so Euclidean (squared), Manhattan and
/// dot-product distances are exact in float32 whatever the order of additions: ties are real and
/// the results must match brute force exactly, ids and order included. Cosine distances involve
/// a square root and a division, so they are compared within a tolerance, with swaps allowed only
/// between near-equal distances.
/// </remarks>
public class ModelBasedTests(ITestOutputHelper output)
{
    // Ids chosen so that UTF-16 and UTF-8 ordinal order differ, with prefixes, case and a long id.
    private static readonly string[] Pool =
    [
        "a", "b", "B", "ab", "k0", "k1", "k10", "k2", "é", "\uFF61", "\U0001F600", "z", "Zz", "id-7", "x/y",
        "long-" + new string('q', 120),
    ];

    private const long SealThreshold = 4096;

    // ------------------------------------------------------------------ operations

    /// <summary>One step of a generated sequence.</summary>
    public abstract record Op;

    /// <summary>Upsert of the id <c>Pool[Key]</c>.</summary>
    public sealed record UpsertOp(int Key, float[]? Vector, ulong[]? Code, byte[] Payload) : Op
    {
        public override string ToString() =>
            $"Upsert({Pool[Key]}, [{(Vector is not null ? string.Join(",", Vector) : string.Join(",", Code!.Select(c => c.ToString("x"))))}], {Payload.Length}B)";
    }

    /// <summary>Delete of the id <c>Pool[Key]</c>.</summary>
    public sealed record DeleteOp(int Key) : Op
    {
        public override string ToString() => $"Delete({Pool[Key]})";
    }

    /// <summary>Commit.</summary>
    public sealed record CommitOp : Op
    {
        public override string ToString() => "Commit";
    }

    /// <summary>Dispose and open again.</summary>
    public sealed record ReopenOp : Op
    {
        public override string ToString() => "Reopen";
    }

    /// <summary>Compact.</summary>
    public sealed record CompactOp : Op
    {
        public override string ToString() => "Compact";
    }

    /// <summary>
    /// Many upserts in a row (enough to cross the seal threshold), derived from a seed: one call
    /// each with a few deletes in between, or a single batch call (duplicate ids: the last wins).
    /// </summary>
    public sealed record BurstOp(int Count, int Seed, bool AsBatch) : Op
    {
        public override string ToString() => $"{(AsBatch ? "Batch" : "Burst")}({Count}, seed {Seed})";
    }

    /// <summary>A generated sequence: the dimensions (bits for Hamming), the operations, and the seed of the checks' random queries.</summary>
    public sealed record Case(int Dimensions, Op[] Ops, int CheckSeed)
    {
        public override string ToString() =>
            $"dims {Dimensions}, check seed {CheckSeed}, {Ops.Length} ops:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", Ops.Select(o => o.ToString()));
    }

    /// <summary>A stored item in the model.</summary>
    private sealed record Item(float[]? Vector, ulong[]? Code, byte[] Payload);

    // ------------------------------------------------------------------ generators

    private static float GridValue(Random rng) => rng.Next(-6, 7) / 2f;

    private static float[] GridVector(Random rng, int dims, bool nonZero)
    {
        while (true)
        {
            var v = new float[dims];
            for (int i = 0; i < dims; i++) v[i] = GridValue(rng);
            if (!nonZero || v.Any(x => x != 0)) return v;
        }
    }

    /// <summary>Codes with few varying bits per word, so distances are small and ties are common.</summary>
    private static ulong[] SparseCode(Random rng, int words)
    {
        var c = new ulong[words];
        for (int i = 0; i < words; i++) c[i] = (ulong)(uint)rng.Next(256) | ((ulong)(uint)rng.Next(256) << 56) | (rng.Next(8) == 0 ? 1UL << 30 : 0);
        return c;
    }

    private static byte[] Payload(Random rng, int maxLength)
    {
        int n = rng.Next(4) == 0 ? 0 : rng.Next(1, maxLength + 1);
        var p = new byte[n];
        rng.NextBytes(p);
        return p;
    }

    private static Gen<float[]> GridVectorGen(int dims, bool nonZero) =>
        Gen.ArrayOf(Gen.Choose(-6, 6).Select(k => k / 2f), dims).Where(v => !nonZero || v.Any(x => x != 0));

    private static Gen<ulong[]> CodeGen(int words) =>
        Gen.ArrayOf(Gen.Choose(0, 255).Zip(Gen.Choose(0, 255), (lo, hi) => (ulong)(uint)lo | ((ulong)(uint)hi << 56)), words);

    private static Gen<byte[]> PayloadGen =>
        Gen.Frequency(
            (1, Gen.Constant(Array.Empty<byte>())),
            (3, Gen.Choose(1, 24).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n))));

    private static Gen<Op> OpGen(Metric metric, int dims)
    {
        Gen<int> key = Gen.Choose(0, Pool.Length - 1);
        Gen<Op> upsert = metric == Metric.Hamming
            ? key.SelectMany(k => CodeGen(dims / 64).SelectMany(c => PayloadGen.Select(p => (Op)new UpsertOp(k, null, c, p))))
            : key.SelectMany(k => GridVectorGen(dims, metric == Metric.Cosine).SelectMany(v => PayloadGen.Select(p => (Op)new UpsertOp(k, v, null, p))));
        return Gen.Frequency(
            (40, upsert),
            (14, key.Select(k => (Op)new DeleteOp(k))),
            (4, Gen.Constant((Op)new CommitOp())),
            (5, Gen.Constant((Op)new ReopenOp())),
            (5, Gen.Constant((Op)new CompactOp())),
            (7, Gen.Choose(20, 60).Zip(Gen.Choose(0, 1_000_000), (n, s) => (Op)new BurstOp(n, s, s % 3 == 0))));
    }

    private static Gen<Case> CaseGen(Metric metric) =>
        (metric == Metric.Hamming ? Gen.Elements(64, 128) : Gen.Choose(1, 6)).SelectMany(dims =>
            Gen.Choose(20, 60).SelectMany(n =>
                Gen.ArrayOf(OpGen(metric, dims), n).SelectMany(ops =>
                    Gen.Choose(0, int.MaxValue).Select(seed => new Case(dims, ops, seed)))));

    /// <summary>Shrinks by dropping halves, quarters, … of the operations, then single operations.</summary>
    private static IEnumerable<Case> Shrink(Case c)
    {
        for (int chunk = c.Ops.Length / 2; chunk >= 1; chunk /= 2)
            for (int start = 0; start + chunk <= c.Ops.Length; start += chunk)
                yield return c with { Ops = [.. c.Ops[..start], .. c.Ops[(start + chunk)..]] };
        for (int i = 0; i < c.Ops.Length; i++)
            if (c.Ops[i] is BurstOp b && b.Count > 1)
                yield return c with { Ops = [.. c.Ops[..i], b with { Count = b.Count / 2 }, .. c.Ops[(i + 1)..]] };
    }

    // ------------------------------------------------------------------ the arbitraries

    private static Arbitrary<Case> Cases(Metric metric) => Arb.From(CaseGen(metric), Shrink);

    /// <summary>Sequences for a Euclidean float index.</summary>
    public static class EuclideanCases
    {
        /// <summary>The registered Arbitrary.</summary>
        public static Arbitrary<Case> Case() => Cases(Metric.Euclidean);
    }

    /// <summary>Sequences for a cosine float index.</summary>
    public static class CosineCases
    {
        /// <summary>The registered Arbitrary.</summary>
        public static Arbitrary<Case> Case() => Cases(Metric.Cosine);
    }

    /// <summary>Sequences for a dot-product float index.</summary>
    public static class DotProductCases
    {
        /// <summary>The registered Arbitrary.</summary>
        public static Arbitrary<Case> Case() => Cases(Metric.DotProduct);
    }

    /// <summary>Sequences for a Manhattan float index.</summary>
    public static class ManhattanCases
    {
        /// <summary>The registered Arbitrary.</summary>
        public static Arbitrary<Case> Case() => Cases(Metric.Manhattan);
    }

    /// <summary>Sequences for a binary-code (Hamming) index.</summary>
    public static class HammingCases
    {
        /// <summary>The registered Arbitrary.</summary>
        public static Arbitrary<Case> Case() => Cases(Metric.Hamming);
    }

    // ------------------------------------------------------------------ the properties

    /// <summary>Sequences per metric and property run.</summary>
    private const int Sequences = 40;

    [Property(Arbitrary = new[] { typeof(EuclideanCases) }, MaxTest = Sequences, QuietOnSuccess = true)]
    public void Euclidean_index_agrees_with_a_dictionary_model_after_every_operation(Case c) => Run(Metric.Euclidean, c, new Coverage());

    [Property(Arbitrary = new[] { typeof(CosineCases) }, MaxTest = Sequences, QuietOnSuccess = true)]
    public void Cosine_index_agrees_with_a_dictionary_model_after_every_operation(Case c) => Run(Metric.Cosine, c, new Coverage());

    [Property(Arbitrary = new[] { typeof(DotProductCases) }, MaxTest = Sequences, QuietOnSuccess = true)]
    public void Dot_product_index_agrees_with_a_dictionary_model_after_every_operation(Case c) => Run(Metric.DotProduct, c, new Coverage());

    [Property(Arbitrary = new[] { typeof(ManhattanCases) }, MaxTest = Sequences, QuietOnSuccess = true)]
    public void Manhattan_index_agrees_with_a_dictionary_model_after_every_operation(Case c) => Run(Metric.Manhattan, c, new Coverage());

    [Property(Arbitrary = new[] { typeof(HammingCases) }, MaxTest = Sequences, QuietOnSuccess = true)]
    public void Hamming_index_agrees_with_a_dictionary_model_after_every_operation(Case c) => Run(Metric.Hamming, c, new Coverage());

    /// <summary>Sequences of the fixed sample the coverage check runs.</summary>
    private const int CoverageSequences = 8;

    [Theory]
    [InlineData(Metric.Euclidean)]
    [InlineData(Metric.Cosine)]
    [InlineData(Metric.DotProduct)]
    [InlineData(Metric.Manhattan)]
    [InlineData(Metric.Hamming)]
    public void Generated_sequences_reach_seals_segments_deletions_log_replays_and_compactions(Metric metric)
    {
        // A fixed sample of the generator the property uses: the generators must keep reaching the
        // interesting states, or the property proves little.
        var coverage = new Coverage();
        foreach (Case c in CaseGen(metric).Sample(CoverageSequences, new Rnd(0x5EED_0010UL), 50))
            Run(metric, c, coverage);

        output.WriteLine($"{metric}: {coverage}");
        Assert.True(coverage.Sequences == CoverageSequences, coverage.ToString());
        Assert.True(coverage.Seals > CoverageSequences, coverage.ToString());
        Assert.True(coverage.StepsWithTwoSegments > 0, coverage.ToString());
        Assert.True(coverage.StepsWithSegmentDeletions > 0, coverage.ToString());
        Assert.True(coverage.StepsWithSegmentsAndTail > 0, coverage.ToString());
        Assert.True(coverage.ReopensWithLog > 0, coverage.ToString());
        Assert.True(coverage.CompactionsWithDeletions > 0, coverage.ToString());
    }

    /// <summary>How often the sequences reached the states worth testing.</summary>
    private sealed class Coverage
    {
        public int Sequences, Steps, Seals, StepsWithTwoSegments, StepsWithSegmentDeletions, StepsWithSegmentsAndTail, ReopensWithLog, CompactionsWithDeletions;

        public override string ToString() =>
            $"{Sequences} sequences, {Steps} steps, {Seals} seals, {StepsWithTwoSegments} steps with 2+ segments, " +
            $"{StepsWithSegmentDeletions} with segment deletions, {StepsWithSegmentsAndTail} with segments and tail rows, " +
            $"{ReopensWithLog} reopens replaying a log, {CompactionsWithDeletions} compactions dropping rows";
    }

    // ------------------------------------------------------------------ running a case

    private static void Run(Metric metric, Case c, Coverage coverage)
    {
        coverage.Sequences++;
        using var tmp = new TempFolder();
        string path = tmp.Index();
        var model = new Dictionary<string, Item>(StringComparer.Ordinal);
        var checks = new Random(c.CheckSeed);
        var index = VectorIndex.Create(path, new IndexOptions
        {
            Dimensions = c.Dimensions,
            Metric = metric,
            Durability = Durability.Manual,
            SealThresholdBytes = SealThreshold,
        });
        try
        {
            for (int step = 0; step < c.Ops.Length; step++)
            {
                Op op = c.Ops[step];
                try
                {
                    var before = index.GetStatistics();
                    index = Apply(index, path, metric, c.Dimensions, model, op);
                    var after = index.GetStatistics();
                    coverage.Steps++;
                    if (after.SegmentCount > before.SegmentCount || (op is not CompactOp && after.TailRows < before.TailRows)) coverage.Seals++;
                    if (after.SegmentCount >= 2) coverage.StepsWithTwoSegments++;
                    if (after.DeletedRows > 0) coverage.StepsWithSegmentDeletions++;
                    if (after.SegmentCount > 0 && after.TailRows > 0) coverage.StepsWithSegmentsAndTail++;
                    if (op is ReopenOp && before.TailRows > 0) coverage.ReopensWithLog++;
                    if (op is CompactOp && before.DeletedRows > 0) coverage.CompactionsWithDeletions++;
                    CheckAgreement(index, metric, c.Dimensions, model, checks);
                }
                catch (Exception e)
                {
                    throw new InvalidOperationException($"Step {step} ({op}) of {metric}: {e.Message}", e);
                }
            }
        }
        finally
        {
            index.Dispose();
        }
    }

    private static VectorIndex Apply(VectorIndex index, string path, Metric metric, int dims, Dictionary<string, Item> model, Op op)
    {
        switch (op)
        {
            case UpsertOp u:
                Upsert(index, model, Pool[u.Key], new Item(u.Vector, u.Code, u.Payload));
                break;
            case DeleteOp d:
                bool expected = model.Remove(Pool[d.Key]);
                Assert.Equal(expected, index.Delete(Pool[d.Key]));
                break;
            case CommitOp:
                index.Commit();
                break;
            case ReopenOp:
                index.Dispose();
                index = VectorIndex.Open(path, new OpenOptions { Durability = Durability.Manual });
                Assert.Equal(metric, index.Metric);
                Assert.Equal(dims, index.Dimensions);
                break;
            case CompactOp:
                index.Compact();
                var stats = index.GetStatistics();
                Assert.True(stats.SegmentCount <= 1, $"{stats.SegmentCount} segments after compaction");
                Assert.Equal(0, stats.TailRows);
                Assert.Equal(0, stats.DeletedRows);
                break;
            case BurstOp { AsBatch: true } b:
                UpsertBatch(index, metric, dims, model, b);
                break;
            case BurstOp b:
                var rng = new Random(b.Seed);
                for (int i = 0; i < b.Count; i++)
                {
                    string id = Pool[rng.Next(Pool.Length)];
                    var item = metric == Metric.Hamming
                        ? new Item(null, SparseCode(rng, dims / 64), Payload(rng, 48))
                        : new Item(GridVector(rng, dims, metric == Metric.Cosine), null, Payload(rng, 48));
                    Upsert(index, model, id, item);
                    if (rng.Next(6) == 0)
                    {
                        string victim = Pool[rng.Next(Pool.Length)];
                        Assert.Equal(model.Remove(victim), index.Delete(victim));
                    }
                }
                break;
            default:
                throw new InvalidOperationException(op.ToString());
        }
        return index;
    }

    private static void UpsertBatch(VectorIndex index, Metric metric, int dims, Dictionary<string, Item> model, BurstOp b)
    {
        var rng = new Random(b.Seed);
        var ids = new string[b.Count];
        var payloads = new byte[]?[b.Count];
        var items = new Item[b.Count];
        for (int i = 0; i < b.Count; i++)
        {
            ids[i] = Pool[rng.Next(Pool.Length)];
            items[i] = metric == Metric.Hamming
                ? new Item(null, SparseCode(rng, dims / 64), Payload(rng, 48))
                : new Item(GridVector(rng, dims, metric == Metric.Cosine), null, Payload(rng, 48));
            payloads[i] = items[i].Payload.Length == 0 && rng.Next(2) == 0 ? null : items[i].Payload;
        }
        if (metric == Metric.Hamming)
        {
            var codes = new ulong[b.Count, dims / 64];
            for (int i = 0; i < b.Count; i++)
                for (int w = 0; w < dims / 64; w++) codes[i, w] = items[i].Code![w];
            index.UpsertCodeBatch(ids, new CommunityToolkit.HighPerformance.ReadOnlySpan2D<ulong>(codes), payloads);
        }
        else
        {
            var vectors = new float[b.Count, dims];
            for (int i = 0; i < b.Count; i++)
                for (int d = 0; d < dims; d++) vectors[i, d] = items[i].Vector![d];
            index.UpsertBatch(ids, new CommunityToolkit.HighPerformance.ReadOnlySpan2D<float>(vectors), payloads);
        }
        for (int i = 0; i < b.Count; i++) model[ids[i]] = items[i];
    }

    private static void Upsert(VectorIndex index, Dictionary<string, Item> model, string id, Item item)
    {
        if (item.Code is not null) index.UpsertCode(id, item.Code, item.Payload);
        else index.Upsert(id, item.Vector, item.Payload);
        model[id] = item;
    }

    // ------------------------------------------------------------------ checks

    private static void CheckAgreement(VectorIndex index, Metric metric, int dims, Dictionary<string, Item> model, Random rng)
    {
        Assert.Equal(model.Count, index.Count);
        Assert.Equal(model.Count, index.GetStatistics().LiveCount);

        foreach (string id in Pool)
        {
            bool found = index.TryGet(id, out StoredItem? stored);
            Assert.Equal(model.ContainsKey(id), found);
            Assert.Equal(found, index.Contains(id));
            if (!found) continue;
            Item expected = model[id];
            Assert.Equal(id, stored!.Id);
            if (metric == Metric.Hamming) Assert.Equal(expected.Code, stored.Code);
            else Assert.Equal(expected.Vector, stored.Vector);
            Assert.Equal(expected.Payload, stored.Payload);
        }

        // K nearest to a fresh query or to a stored vector.
        Item query = RandomQuery(rng, metric, dims, model);
        SearchFilter? filter = rng.Next(3) == 0 ? (id, payload) => (id.Length + payload.Length) % 3 != 0 : null;
        bool payloads = rng.Next(2) == 0;
        int k = rng.Next(1, 21);
        var options = new SearchOptions { K = k, Filter = filter, IncludePayload = payloads };
        var truth = BruteForce(metric, model, query, filter, exclude: null);
        var hits = metric == Metric.Hamming ? index.SearchCode(query.Code, options) : index.Search(query.Vector, options);
        CompareKnn(metric, model, truth, hits, k, payloads, "search");

        // Radius: half of the time exactly the distance of a stored item (the boundary case).
        float radius = truth.Count > 0 && rng.Next(2) == 0
            ? truth[rng.Next(truth.Count)].Distance
            : RandomRadius(rng, metric);
        // The model's own distance can round a hair below 0 (cosine of a vector with itself); the
        // index refuses a negative radius wherever distances cannot be negative (all but dot product).
        if (metric != Metric.DotProduct) radius = Math.Max(0, radius);
        var within = metric == Metric.Hamming
            ? index.SearchCodeRadius(query.Code, (int)radius, new SearchOptions { Filter = filter, IncludePayload = payloads })
            : index.SearchRadius(query.Vector, radius, new SearchOptions { Filter = filter, IncludePayload = payloads });
        CompareRadius(metric, model, truth, within, radius, payloads);

        // By id: the item's own stored vector as the query, the item itself left out unless asked for.
        string target = Pool[rng.Next(Pool.Length)];
        bool self = rng.Next(2) == 0;
        var byIdOptions = new SearchOptions { K = k, IncludeSelf = self, IncludePayload = payloads };
        if (!model.TryGetValue(target, out Item? targetItem))
        {
            Assert.Throws<KeyNotFoundException>(() => index.SearchById(target, byIdOptions));
        }
        else
        {
            var byIdTruth = BruteForce(metric, model, targetItem, null, self ? null : target);
            CompareKnn(metric, model, byIdTruth, index.SearchById(target, byIdOptions), k, payloads, "search by id");
        }
    }

    private static Item RandomQuery(Random rng, Metric metric, int dims, Dictionary<string, Item> model)
    {
        if (model.Count > 0 && rng.Next(3) == 0)
        {
            Item stored = model.Values.ElementAt(rng.Next(model.Count));
            return stored with { Payload = [] };
        }
        return metric == Metric.Hamming
            ? new Item(null, SparseCode(rng, dims / 64), [])
            : new Item(GridVector(rng, dims, metric == Metric.Cosine), null, []);
    }

    private static float RandomRadius(Random rng, Metric metric) => metric switch
    {
        Metric.Euclidean => (float)(rng.NextDouble() * 8),
        Metric.Manhattan => (float)(rng.NextDouble() * 20),
        Metric.DotProduct => (float)(rng.NextDouble() * 60 - 30),
        Metric.Cosine => (float)(rng.NextDouble() * 2.2),
        Metric.Hamming => rng.Next(0, 24),
        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
    };

    /// <summary>One brute-force result: the id, the distance as the index should report it, and the payload.</summary>
    private sealed record Expected(string Id, byte[] IdUtf8, float Distance, double Exact, byte[] Payload);

    /// <summary>
    /// Every live item that passes the filter, sorted by distance then by the ordinal order of the
    /// UTF-8 id bytes. For the grid data, Euclidean, Manhattan, dot product and Hamming distances
    /// are exact, so <see cref="Expected.Distance"/> is exactly the float the index must report
    /// (the square root is correctly rounded either way).
    /// </summary>
    private static List<Expected> BruteForce(Metric metric, Dictionary<string, Item> model, Item query, SearchFilter? filter, string? exclude)
    {
        var all = new List<Expected>();
        foreach (var (id, item) in model)
        {
            if (id == exclude) continue;
            if (filter is not null && !filter(id, item.Payload)) continue;
            double exact = metric == Metric.Hamming ? Data.Hamming(query.Code!, item.Code!) : Data.Distance(metric, query.Vector!, item.Vector!);
            all.Add(new Expected(id, Encoding.UTF8.GetBytes(id), (float)exact, exact, item.Payload));
        }
        all.Sort((x, y) =>
        {
            int c = x.Exact.CompareTo(y.Exact);
            return c != 0 ? c : x.IdUtf8.AsSpan().SequenceCompareTo(y.IdUtf8);
        });
        return all;
    }

    private static bool IsExact(Metric metric) => metric != Metric.Cosine;

    private const double Tolerance = 1e-4;

    private static bool Close(double a, double b) => Math.Abs(a - b) <= Tolerance * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));

    private static void CheckPayload(Hit hit, Dictionary<string, Item> model, bool requested)
    {
        byte[] stored = model[hit.Id].Payload;
        if (requested && stored.Length > 0) Assert.Equal(stored, hit.Payload);
        else Assert.Null(hit.Payload);
    }

    private static void AssertSortedByDistanceThenId(IReadOnlyList<Hit> hits, string what)
    {
        for (int i = 1; i < hits.Count; i++)
        {
            int c = hits[i - 1].Distance.CompareTo(hits[i].Distance);
            if (c == 0) c = Encoding.UTF8.GetBytes(hits[i - 1].Id).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(hits[i].Id));
            Assert.True(c < 0, $"{what}: hits {i - 1} ({hits[i - 1].Id}, {hits[i - 1].Distance:R}) and {i} ({hits[i].Id}, {hits[i].Distance:R}) are out of order");
        }
    }

    private static string Describe(IEnumerable<Hit> hits) => string.Join(", ", hits.Select(h => $"{h.Id}:{h.Distance:R}"));

    private static string Describe(IEnumerable<Expected> truth) => string.Join(", ", truth.Select(t => $"{t.Id}:{t.Exact:R}"));

    private static void CompareKnn(Metric metric, Dictionary<string, Item> model, List<Expected> truth, IReadOnlyList<Hit> hits, int k, bool payloads, string what)
    {
        var expected = truth.Take(k).ToList();
        string detail = $"{what} K={k}: got [{Describe(hits)}], expected [{Describe(expected)}]";
        Assert.True(expected.Count == hits.Count, detail);
        AssertSortedByDistanceThenId(hits, what);
        Assert.Equal(hits.Count, hits.Select(h => h.Id).Distinct().Count());
        var truthById = truth.ToDictionary(t => t.Id);
        for (int i = 0; i < hits.Count; i++)
        {
            if (IsExact(metric))
            {
                Assert.True(expected[i].Id == hits[i].Id && expected[i].Distance == hits[i].Distance, $"position {i}: {detail}");
            }
            else
            {
                Assert.True(truthById.TryGetValue(hits[i].Id, out Expected? actual), $"{hits[i].Id} is not a live, accepted item: {detail}");
                Assert.True(Close(actual.Exact, hits[i].Distance), $"{hits[i].Id} reported at {hits[i].Distance:R}, true distance {actual.Exact:R}: {detail}");
                Assert.True(Close(expected[i].Exact, hits[i].Distance), $"position {i}: {detail}");
                Assert.True(hits[i].Id == expected[i].Id || Close(actual.Exact, expected[i].Exact), $"position {i} differs beyond a near-tie: {detail}");
            }
            CheckPayload(hits[i], model, payloads);
        }
        if (!IsExact(metric) && expected.Count > 0)
        {
            double cut = expected[^1].Exact;
            foreach (var t in expected)
                if (!Close(t.Exact, cut))
                    Assert.True(hits.Any(h => h.Id == t.Id), $"{t.Id} at {t.Exact:R} is clearly within the top {k} but missing: {detail}");
        }
    }

    private static void CompareRadius(Metric metric, Dictionary<string, Item> model, List<Expected> truth, IReadOnlyList<Hit> hits, float radius, bool payloads)
    {
        AssertSortedByDistanceThenId(hits, "radius");
        foreach (Hit h in hits)
        {
            Assert.True(h.Distance <= radius, $"{h.Id} reported at {h.Distance:R} is outside radius {radius:R}");
            CheckPayload(h, model, payloads);
        }
        if (IsExact(metric))
        {
            var expected = truth.Where(t => t.Distance <= radius).ToList();
            string detail = $"radius {radius:R}: got [{Describe(hits)}], expected [{Describe(expected)}]";
            Assert.True(expected.Select(t => t.Id).SequenceEqual(hits.Select(h => h.Id)), detail);
            Assert.True(expected.Select(t => t.Distance).SequenceEqual(hits.Select(h => h.Distance)), detail);
        }
        else
        {
            string detail = $"radius {radius:R}: got [{Describe(hits)}], truth [{Describe(truth)}]";
            var got = hits.Select(h => h.Id).ToHashSet();
            Assert.True(got.Count == hits.Count, detail);
            var truthById = truth.ToDictionary(t => t.Id);
            foreach (Hit h in hits)
            {
                Assert.True(truthById.TryGetValue(h.Id, out Expected? t), $"{h.Id} is not a live, accepted item: {detail}");
                Assert.True(Close(t.Exact, h.Distance), $"{h.Id}: {detail}");
            }
            foreach (var t in truth)
            {
                if (Close(t.Exact, radius)) continue; // on the boundary within rounding: either way is right
                Assert.True(got.Contains(t.Id) == t.Exact < radius, $"{t.Id} at {t.Exact:R}: {detail}");
            }
        }
    }
}

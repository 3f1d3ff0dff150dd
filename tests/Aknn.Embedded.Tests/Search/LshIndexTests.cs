using System.Runtime.InteropServices;
using Aknn.Embedded.Bucketing;
using Aknn.Embedded.Storage;
using Aknn.Embedded.Tests.Support;
using CommunityToolkit.HighPerformance;
using FsCheck;
using FsCheck.Fluent;

namespace Aknn.Embedded.Tests.Search;

/// <summary>
/// How an LSH index behaves: search options, search by id, filters, fitting from inserted rows,
/// reopening, and postings that stay right across seals, deletions, compaction and reopening.
/// </summary>
public class LshIndexTests
{
    private const int Dims = 16;

    private static VectorIndex Create(TempFolder dir, IndexModel model, Metric metric = Metric.Euclidean, long seal = 64L << 20, int dims = Dims) =>
        VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = dims, Metric = metric, Model = model, Durability = Durability.Manual, SealThresholdBytes = seal });

    private static float[] Load(VectorIndex index, int n, int seed = 3, int dims = Dims)
    {
        float[] data = Clustered.Vectors(seed, n, dims, clusters: 20);
        index.UpsertBatch(Clustered.Ids(n), new ReadOnlySpan2D<float>(data, n, dims));
        return data;
    }

    private static float[] Row(float[] data, int r, int dims = Dims) => data.AsSpan(r * dims, dims).ToArray();

    private static byte[] Bytes(float[] v) => MemoryMarshal.AsBytes(v.AsSpan()).ToArray();

    [Fact]
    public void Exact_option_and_a_budget_covering_every_row_give_the_exact_results()
    {
        using var dir = new TempFolder();
        using var index = Create(dir, IndexModel.RandomHyperplanes(8, 12), Metric.Cosine);
        float[] data = Load(index, 3000);
        using var exactDir = new TempFolder();
        using var exact = Create(exactDir, IndexModel.Exact, Metric.Cosine);
        exact.UpsertBatch(Clustered.Ids(3000), new ReadOnlySpan2D<float>(data, 3000, Dims));
        var rng = new Random(5);
        for (int i = 0; i < 20; i++)
        {
            float[] q = Data.Vector(rng, Dims);
            var expected = exact.Search(q, new SearchOptions { K = 10 });
            var forced = index.Search(q, new SearchOptions { K = 10, Exact = true });
            var covering = index.Search(q, new SearchOptions { K = 10, Candidates = 3000 });
            Assert.False(forced.Approximate);
            Assert.Equal(expected.Select(h => (h.Id, h.Distance)), forced.Select(h => (h.Id, h.Distance)));
            Assert.Equal(expected.Select(h => (h.Id, h.Distance)), covering.Select(h => (h.Id, h.Distance)));
            var approximate = index.Search(q, new SearchOptions { K = 10, Candidates = 50 });
            Assert.True(approximate.Approximate);
            Assert.Equal(10, approximate.Count);
            Assert.InRange(approximate.CandidatesExamined, 10, 50);
        }
    }

    [Fact]
    public void Search_by_id_hashes_the_stored_vector_and_leaves_the_item_out()
    {
        using var dir = new TempFolder();
        using var index = Create(dir, IndexModel.StableDistribution(10, 4, width: 4f, probes: 10));
        float[] data = Load(index, 2000);
        foreach (int r in new[] { 0, 17, 1999 })
        {
            var byId = index.SearchById("v" + r, new SearchOptions { K = 5, Candidates = 200 });
            var byVector = index.Search(Row(data, r), new SearchOptions { K = 6, Candidates = 200 });
            Assert.True(byId.Approximate);
            Assert.DoesNotContain(byId, h => h.Id == "v" + r);
            Assert.Equal(byVector.Where(h => h.Id != "v" + r).Take(5).Select(h => h.Id), byId.Select(h => h.Id));
            var self = index.SearchById("v" + r, new SearchOptions { K = 1, Candidates = 200, IncludeSelf = true });
            Assert.Equal(("v" + r, 0f), (self[0].Id, self[0].Distance));
        }
    }

    [Fact]
    public void Filtered_rows_cost_no_candidate_budget()
    {
        using var dir = new TempFolder();
        using var index = Create(dir, IndexModel.BisectingHyperplanes(12, 8, fitRows: 500));
        float[] data = Load(index, 4000);
        bool Even(string id, ReadOnlySpan<byte> _) => int.Parse(id.AsSpan(1)) % 2 == 0;
        var rng = new Random(9);
        double recall = 0;
        for (int i = 0; i < 30; i++)
        {
            float[] q = Row(data, rng.Next(4000));
            var hits = index.Search(q, new SearchOptions { K = 10, Candidates = 100, Filter = Even });
            Assert.Equal(10, hits.Count);
            Assert.All(hits, h => Assert.True(Even(h.Id, default)));
            Assert.Equal(100, hits.CandidatesExamined); // every re-ranked candidate passed the filter
            var truth = Enumerable.Range(0, 4000).Where(r => r % 2 == 0)
                .OrderBy(r => Data.Distance(Metric.Euclidean, Row(data, r), q)).Take(10).Select(r => "v" + r).ToHashSet();
            recall += hits.Count(h => truth.Contains(h.Id)) / 10.0;
        }
        Assert.True(recall / 30 >= 0.8, $"filtered recall {recall / 30:F3}");
    }

    [Fact]
    public void A_bisecting_model_is_fitted_from_the_first_rows_and_hashes_them_too()
    {
        using var dir = new TempFolder();
        float[] data = Clustered.Vectors(4, 900, Dims, clusters: 10);
        var index = Create(dir, IndexModel.BisectingHyperplanes(10, 6, fitRows: 500));
        try
        {
            index.UpsertBatch(Clustered.Ids(300), new ReadOnlySpan2D<float>(data, 300, Dims));
            Assert.Null(index.LshModel);
            Assert.False(File.Exists(Path.Combine(dir.Index(), LshModelFile.FileName)));
            Assert.False(index.Search(Row(data, 5), new SearchOptions { Candidates = 20 }).Approximate); // exact until fitted

            for (int r = 300; r < 900; r++) index.Upsert("v" + r, Row(data, r));
            LshModel model = index.LshModel!;
            Assert.True(File.Exists(Path.Combine(dir.Index(), LshModelFile.FileName)));
            // Fitted from the first 500 rows: every plane bisects two of them.
            var expected = LshModel.FitBisecting(index.Model, Dims, 500, r => data.AsSpan(r * Dims, Dims));
            Assert.True(model.SameAs(expected));
            // Rows written before the fit are in the buckets: each is found in all of its own buckets.
            foreach (int r in new[] { 0, 299, 300, 899 })
            {
                var keys = model.ProbeKeys(Bytes(Row(data, r)), 0);
                Assert.Equal(model.Tables, index.LshBucketCounts(keys)["v" + r]);
                var hit = index.Search(Row(data, r), new SearchOptions { K = 1, Candidates = 20 });
                Assert.True(hit.Approximate);
                Assert.Equal("v" + r, hit[0].Id);
            }
            index.Dispose();
            index = VectorIndex.Open(dir.Index());
            Assert.True(index.LshModel!.SameAs(model));
        }
        finally
        {
            index.Dispose();
        }
    }

    public static TheoryData<string> Families => new() { "bisecting", "stable", "hyperplanes", "sampling" };

    private static (IndexModel Model, Metric Metric, int Dims) FamilyCase(string family) => family switch
    {
        "bisecting" => (IndexModel.BisectingHyperplanes(6, 8, fitRows: 100), Metric.Euclidean, Dims),
        "stable" => (IndexModel.StableDistribution(6, 3, width: 3f, probes: 6), Metric.Euclidean, Dims),
        "hyperplanes" => (IndexModel.RandomHyperplanes(6, 8), Metric.Cosine, Dims),
        _ => (IndexModel.BitSampling(6, 10), Metric.Hamming, 128),
    };

    private static void Put(VectorIndex index, Random rng, string id, int dims)
    {
        if (index.Metric == Metric.Hamming) index.UpsertCode(id, Data.Code(rng, dims / 64));
        else index.Upsert(id, Data.Vector(rng, dims));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void A_reopened_index_hashes_and_answers_exactly_as_before(string family)
    {
        var (model, metric, dims) = FamilyCase(family);
        using var dir = new TempFolder();
        var rng = new Random(1);
        var queries = Enumerable.Range(0, 10).Select(_ => metric == Metric.Hamming ? MemoryMarshal.AsBytes(Data.Code(rng, dims / 64).AsSpan()).ToArray() : Bytes(Data.Vector(rng, dims))).ToList();
        List<List<(int, uint)>> keysBefore;
        List<string> resultsBefore;
        using (var index = Create(dir, model, metric, seal: 16 << 10, dims))
        {
            for (int i = 0; i < 600; i++) Put(index, rng, "r" + i, dims);
            index.WaitForBackgroundWork();
            Assert.True(index.GetStatistics().SegmentCount > 0);
            keysBefore = queries.Select(q => index.LshModel!.ProbeKeys(q, 5)).ToList();
            resultsBefore = queries.Select(q => Describe(index, q)).ToList();
        }
        using (var index = VectorIndex.Open(dir.Index()))
        {
            Assert.Equal(keysBefore.Select(k => string.Join(",", k)), queries.Select(q => string.Join(",", index.LshModel!.ProbeKeys(q, 5))));
            Assert.Equal(resultsBefore, queries.Select(q => Describe(index, q)));
        }
    }

    private static string Describe(VectorIndex index, byte[] query)
    {
        var options = new SearchOptions { K = 5, Candidates = 30 };
        var hits = index.Metric == Metric.Hamming ? index.SearchCode(MemoryMarshal.Cast<byte, ulong>(query), options) : index.Search(MemoryMarshal.Cast<byte, float>(query), options);
        return string.Join(";", hits.Select(h => $"{h.Id}:{h.Distance}")) + $"|{hits.CandidatesExamined}";
    }

    [Fact]
    public void Postings_hold_every_live_row_in_its_buckets_across_seals_deletes_compaction_and_reopening()
    {
        // Property: after any sequence of upserts, deletes, seals, compactions and reopens, probing a
        // live row's own keys counts it in every table, and no deleted or replaced row is ever counted.
        Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue - 1)), Arb.From(Gen.Elements("bisecting", "stable", "hyperplanes", "sampling")), (seed, family) =>
        {
            var (model, metric, dims) = FamilyCase(family);
            var rng = new Random(seed);
            using var dir = new TempFolder();
            var index = Create(dir, model, metric, seal: 4096 * (1 + rng.Next(3)), dims);
            var live = new Dictionary<string, byte[]>();
            try
            {
                for (int step = 0; step < 12; step++)
                {
                    switch (rng.Next(10))
                    {
                        case < 5:
                            for (int i = rng.Next(1, 60); i > 0; i--)
                            {
                                string id = "k" + rng.Next(200);
                                Put(index, rng, id, dims);
                                index.TryGet(id, out var item);
                                live[id] = metric == Metric.Hamming ? MemoryMarshal.AsBytes(item!.Code.AsSpan()).ToArray() : Bytes(item!.Vector);
                            }
                            break;
                        case < 7:
                            foreach (string id in live.Keys.Where(_ => rng.Next(4) == 0).ToList())
                            {
                                Assert.True(index.Delete(id));
                                live.Remove(id);
                            }
                            break;
                        case 7:
                            index.Compact();
                            break;
                        default:
                            index.Dispose();
                            index = VectorIndex.Open(dir.Index());
                            break;
                    }
                    index.WaitForBackgroundWork();
                    if (index.LshModel is not { } lsh) continue; // a bisecting model not fitted yet
                    foreach (var (id, row) in live.Take(25))
                    {
                        var counts = index.LshBucketCounts(lsh.ProbeKeys(row, 0));
                        if (!counts.TryGetValue(id, out int c) || c != lsh.Tables) return false;
                        if (counts.Keys.Any(k => !live.ContainsKey(k))) return false;
                    }
                }
                return true;
            }
            finally
            {
                index.Dispose();
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Bit_sampling_finds_near_codes()
    {
        const int n = 10_000, words = 4;
        ulong[] codes = Clustered.Codes(seed: 2, n, words, clusters: 50);
        using var dir = new TempFolder();
        using var index = Create(dir, IndexModel.BitSampling(tables: 16, bitsPerTable: 14), Metric.Hamming, dims: 256);
        index.UpsertCodeBatch(Clustered.Ids(n), new ReadOnlySpan2D<ulong>(codes, n, words));
        ulong[] queries = Clustered.Codes(seed: 2, n + 100, words, clusters: 50).AsSpan(n * words).ToArray();
        double recall = 0;
        for (int i = 0; i < 100; i++)
        {
            ulong[] q = queries.AsSpan(i * words, words).ToArray();
            var truth = Clustered.NearestCodes(codes, words, q, 10);
            var hits = index.SearchCode(q, new SearchOptions { K = 10, Candidates = 300 });
            Assert.True(hits.Approximate);
            recall += hits.Count(h => truth.Contains(h.Id)) / 10.0;
        }
        Assert.True(recall / 100 >= 0.9, $"recall {recall / 100:F3}");
    }

    [Fact]
    public void Probing_more_buckets_raises_recall()
    {
        const int n = 10_000;
        float[] data = Clustered.Vectors(11, n + 100, Dims, clusters: 30);
        using var dir = new TempFolder();
        using var index = Create(dir, IndexModel.StableDistribution(tables: 4, hashesPerTable: 6, width: 2f));
        index.UpsertBatch(Clustered.Ids(n), new ReadOnlySpan2D<float>(data, n, Dims));
        double Recall(int probes)
        {
            double sum = 0;
            for (int i = 0; i < 50; i++)
            {
                float[] q = Row(data, n + i);
                var truth = Clustered.Nearest(Metric.Euclidean, data.AsSpan(0, n * Dims).ToArray(), Dims, q, 10);
                sum += index.Search(q, new SearchOptions { K = 10, Candidates = 500, Probes = probes }).Count(h => truth.Contains(h.Id)) / 10.0;
            }
            return sum / 50;
        }
        double none = Recall(0), some = Recall(16), more = Recall(64);
        Assert.True(none < some && some < more, $"recall with 0, 16, 64 probes: {none:F3}, {some:F3}, {more:F3}");
    }

    [Fact]
    public void Probes_are_distinct_buckets_nearest_boundary_first()
    {
        var model = LshModel.Draw(IndexModel.RandomHyperplanes(3, 5, seed: 4), Metric.Cosine, Dims);
        byte[] q = Bytes(Data.Vector(new Random(2), Dims));
        var probes = model.ProbeKeys(q, 40);
        Assert.Equal(43, probes.Count);
        Assert.Equal(probes.Count, probes.Distinct().Count());
        Assert.Equal([0, 1, 2], probes.Take(3).Select(p => p.Table));
        // 3 tables of 5 bits have 3 × 31 other buckets; a budget beyond that stops when they run out.
        Assert.Equal(3 + 3 * 31, model.ProbeKeys(q, 1000).Count);
    }

    [Fact]
    public void A_damaged_model_file_is_reported_and_never_used()
    {
        using var dir = new TempFolder();
        using (var index = Create(dir, IndexModel.RandomHyperplanes(4, 8), Metric.Cosine)) Load(index, 100);
        string path = Path.Combine(dir.Index(), LshModelFile.FileName);
        FileSurgery.FlipByte(path, new FileInfo(path).Length - 3);
        var e = Assert.Throws<IndexCorruptedException>(() => VectorIndex.Open(dir.Index()));
        Assert.Contains("LSH model", e.Message);
        File.Delete(path);
        e = Assert.Throws<IndexCorruptedException>(() => VectorIndex.Open(dir.Index()));
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void Damaged_postings_are_reported_and_never_served()
    {
        using var dir = new TempFolder();
        using (var index = Create(dir, IndexModel.RandomHyperplanes(4, 8), Metric.Cosine))
        {
            Load(index, 500);
            index.Compact();
        }
        string seg = FileSurgery.Single(dir.Index(), "seg-*.seg");
        var (offset, length) = SegmentLayout.Read(seg)[SectionKind.LshPostings];
        FileSurgery.FlipByte(seg, offset + length / 2);
        using var reopened = VectorIndex.Open(dir.Index());
        var e = Assert.Throws<IndexCorruptedException>(() => reopened.Search(Data.Vector(new Random(1), Dims), new SearchOptions { Candidates = 20 }));
        Assert.Contains("LshPostings", e.Message);
        Assert.Throws<IndexCorruptedException>(() => reopened.Verify());
    }

    [Fact]
    public void Bad_models_and_options_get_clear_errors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IndexModel.Lsh(0, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => IndexModel.Lsh(256, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => IndexModel.RandomHyperplanes(4, 33));
        Assert.Throws<ArgumentOutOfRangeException>(() => IndexModel.StableDistribution(4, 4, width: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => IndexModel.StableDistribution(4, 4, width: float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => IndexModel.BisectingHyperplanes(4, 4, fitRows: 1));
        Assert.Throws<ArgumentException>(() => IndexModel.BisectingHyperplanes(4, 4, new ReadOnlySpan2D<float>(new float[] { 1, float.NaN, 2, 3 }, 2, 2)));
        using var dir = new TempFolder();
        var e = Assert.Throws<ArgumentException>(() => Create(dir, IndexModel.BitSampling(4, 8), Metric.Euclidean));
        Assert.Contains("BisectingHyperplanes", e.Message);
        Assert.Throws<ArgumentException>(() => Create(dir, IndexModel.RandomHyperplanes(4, 8), Metric.Hamming, dims: 64));
        Assert.Throws<ArgumentException>(() => Create(dir, IndexModel.BisectingHyperplanes(4, 4, new ReadOnlySpan2D<float>(new float[8], 2, 4)), dims: 5));
        using var index = Create(dir, IndexModel.Lsh(4, 8), Metric.Cosine);
        Assert.Equal(LshFamily.RandomHyperplanes, index.Model.Family);
        float[] q = Data.Vector(new Random(1), Dims);
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(q, new SearchOptions { K = 10, Candidates = 5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(q, new SearchOptions { Probes = -1 }));
    }
}

using System.Runtime.InteropServices;
using Aknn.Embedded.Bucketing;
using Aknn.Embedded.Tests.Support;
using CommunityToolkit.HighPerformance;
using Xunit.Abstractions;

namespace Aknn.Embedded.Tests.Search;

/// <summary>
/// Sign-code search (<see cref="IndexModel.SignCodes(int, int?)"/>): long random-hyperplane codes
/// ranked by Hamming distance, the best re-ranked exactly; recall against brute force, codes read
/// back from the postings equal to codes hashed from the vectors, deletions, tail rows, reopening
/// and argument checks.
/// </summary>
public class SignCodeSearchTests(ITestOutputHelper output)
{
    private const int K = 10, Dims = 64, N = 20_000;

    private static VectorIndex Create(TempFolder dir, IndexModel model, Metric metric = Metric.Cosine) =>
        VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = Dims, Metric = metric, Model = model, Durability = Durability.Manual });

    private static float[] Data() => Clustered.Vectors(seed: 11, N, Dims, clusters: 40, noise: 0.6);

    private static float[] Queries() => Clustered.Vectors(seed: 11, N + 100, Dims, clusters: 40, noise: 0.6).AsSpan(N * Dims).ToArray();

    /// <remarks>128-bit codes are scanned whole; 512-bit codes take the two-pass path (a 128-bit prefix scan to a shortlist, then whole codes).</remarks>
    [Theory]
    [InlineData(Metric.Cosine, 128, 0.9)]
    [InlineData(Metric.DotProduct, 128, 0.85)]
    [InlineData(Metric.Cosine, 512, 0.95)]
    public void A_bulk_loaded_segment_reaches_its_recall_floor_from_a_few_hundred_candidates(Metric metric, int bits, double floor)
    {
        float[] data = Data(), queries = Queries();
        using var dir = new TempFolder();
        using var index = Create(dir, IndexModel.SignCodes(bits), metric);
        index.BulkLoad(Clustered.Ids(N), new ReadOnlySpan2D<float>(data, N, Dims));
        double recall = 0;
        int q = queries.Length / Dims;
        for (int i = 0; i < q; i++)
        {
            float[] query = queries.AsSpan(i * Dims, Dims).ToArray();
            var results = index.Search(query, new SearchOptions { K = K, Candidates = 300 });
            Assert.True(results.Approximate);
            Assert.Equal(K, results.Count);
            Assert.InRange(results.CandidatesExamined, K, 300); // ranked by code, not scanned exactly
            var truth = Clustered.Nearest(metric, data, Dims, query, K);
            recall += results.Count(h => truth.Contains(h.Id)) / (double)K;
        }
        recall /= q;
        output.WriteLine($"{metric}, {bits}-bit codes: recall@{K} {recall:F3} from 300 candidates");
        Assert.True(recall >= floor, $"recall {recall:F3} is under the floor {floor}");
    }

    [Fact]
    public void Codes_read_back_from_the_postings_equal_the_codes_hashed_from_the_vectors()
    {
        float[] data = Data().AsSpan(0, 3000 * Dims).ToArray();
        using var dir = new TempFolder();
        using var index = Create(dir, IndexModel.SignCodes(bits: 96));
        index.BulkLoad(Clustered.Ids(3000), new ReadOnlySpan2D<float>(data, 3000, Dims));
        LshModel model = index.LshModel!;
        int words = (model.Tables + 7) / 8;
        int checkedRows = index.Inspect(snapshot =>
        {
            var segment = snapshot.Sources.Single(s => s.Segment is not null).Segment!;
            ulong[] codes = segment.LshPostings(model)!.SignCodes(segment.RowCount)!;
            Assert.Equal(3000L * words, codes.Length);
            var keys = new uint[model.Tables];
            float[] dots = model.RentDots(1);
            for (int row = 0; row < segment.RowCount; row++)
            {
                model.Keys(segment.Vector(row), 1, keys, dots);
                byte[] expected = new byte[words * 8];
                for (int t = 0; t < model.Tables; t++) expected[t] = (byte)keys[t];
                Assert.Equal(expected, MemoryMarshal.AsBytes(codes.AsSpan(row * words, words)).ToArray());
            }
            return segment.RowCount;
        });
        Assert.Equal(3000, checkedRows);
    }

    [Fact]
    public void Deleted_rows_stay_out_and_rows_written_after_the_load_are_found()
    {
        float[] data = Data();
        using var dir = new TempFolder();
        using var index = Create(dir, IndexModel.SignCodes(bits: 128));
        index.BulkLoad(Clustered.Ids(N), new ReadOnlySpan2D<float>(data, N, Dims));
        float[] target = data.AsSpan(17 * Dims, Dims).ToArray();
        Assert.Equal("v17", index.Search(target, new SearchOptions { K = 1, Candidates = 100 })[0].Id);
        index.Delete("v17");
        Assert.DoesNotContain(index.Search(target, new SearchOptions { K = K, Candidates = 100 }), h => h.Id == "v17");
        // A row in the tail (no codes there) is scanned exactly, so it is found.
        index.Upsert("fresh", target);
        Assert.Equal("fresh", index.Search(target, new SearchOptions { K = 1, Candidates = 100 })[0].Id);
    }

    [Fact]
    public void A_reopened_index_returns_the_same_results()
    {
        float[] data = Data(), queries = Queries();
        using var dir = new TempFolder();
        var before = new List<string[]>();
        using (var index = Create(dir, IndexModel.SignCodes(bits: 64, seed: 9)))
        {
            index.BulkLoad(Clustered.Ids(N), new ReadOnlySpan2D<float>(data, N, Dims));
            for (int i = 0; i < 20; i++)
                before.Add(index.Search(queries.AsSpan(i * Dims, Dims), new SearchOptions { K = K, Candidates = 200 }).Select(h => h.Id).ToArray());
        }
        using var reopened = VectorIndex.Open(dir.Index());
        Assert.Equal(LshFamily.SignCodes, reopened.Model.Family);
        Assert.Equal(64, reopened.Model.Tables * reopened.Model.BitsPerTable);
        for (int i = 0; i < 20; i++)
            Assert.Equal(before[i], reopened.Search(queries.AsSpan(i * Dims, Dims), new SearchOptions { K = K, Candidates = 200 }).Select(h => h.Id).ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    [InlineData(2048)]
    public void A_code_length_that_is_not_a_multiple_of_8_up_to_2040_is_refused(int bits)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => IndexModel.SignCodes(bits));
        Assert.Contains("multiple of 8", e.Message);
    }

    [Fact]
    public void Sign_codes_on_a_Euclidean_index_are_refused_with_the_families_that_suit_it()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<ArgumentException>(() => Create(dir, IndexModel.SignCodes(64), Metric.Euclidean));
        Assert.Contains("SignCodes", e.Message);
    }

    [Theory]
    [InlineData(true)]   // the first block of rows is all near the query: its estimate of the cut keeps too few rows, and the full selection runs
    [InlineData(false)]  // the near rows are spread over the segment: the one-pass selection keeps them
    public void The_two_pass_ranking_finds_the_near_rows_wherever_they_lie_in_the_segment(bool nearRowsFirst)
    {
        const int dims = 64, rows = 20_000, near = 3_000;
        var rng = new Random(7);
        float[] query = new float[dims];
        for (int d = 0; d < dims; d++) query[d] = (float)(rng.NextDouble() * 2 - 1);
        float[] data = new float[rows * dims];
        var nearRows = new HashSet<int>();
        for (int r = 0; r < rows; r++)
        {
            bool isNear = nearRowsFirst ? r < near : r % (rows / near) == 0 && nearRows.Count < near;
            // Near rows at graded distances (the j-th with noise growing with j), so the true neighbours stand apart.
            float noise = 0.02f + 0.5f * nearRows.Count / near;
            if (isNear) nearRows.Add(r);
            for (int d = 0; d < dims; d++)
                data[r * dims + d] = isNear ? query[d] + (float)(rng.NextDouble() - 0.5) * noise : (float)(rng.NextDouble() * 2 - 1);
        }
        using var dir = new TempFolder();
        // 512-bit codes (8 words) are ranked in two passes; 200 candidates give a shortlist of 3,200 rows.
        using var index = VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = dims, Metric = Metric.Cosine, Model = IndexModel.SignCodes(512, seed: 3), Durability = Durability.Manual });
        index.BulkLoad(Clustered.Ids(rows), new ReadOnlySpan2D<float>(data, rows, dims));
        var fast = index.Search(query, new SearchOptions { K = K, Candidates = 200 });
        var exact = index.Search(query, new SearchOptions { K = K, Exact = true });
        Assert.Equal(exact.Select(h => h.Id), fast.Select(h => h.Id));
        Assert.All(fast, h => Assert.Contains(int.Parse(h.Id[1..], System.Globalization.CultureInfo.InvariantCulture), nearRows));
    }
}

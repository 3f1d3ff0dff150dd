using Aknn.Embedded.Tests.Support;
using CommunityToolkit.HighPerformance;

namespace Aknn.Embedded.Tests.Storage;

/// <summary>Bulk loading fills an empty index with one segment that behaves exactly like the same rows upserted.</summary>
public class BulkLoadTests
{
    [Fact]
    public void Bulk_loaded_codes_answer_like_brute_force_survive_reopen_and_take_later_writes()
    {
        using var dir = new TempFolder();
        var rng = new Random(21);
        int n = 3000;
        var ids = Enumerable.Range(0, n).Select(i => "c" + (i % 2500)).ToArray(); // the last 500 repeat earlier ids
        var codes = new ulong[n];
        for (int i = 0; i < n; i++) codes[i] = i > 0 && rng.Next(4) == 0 ? codes[rng.Next(i)] ^ (1UL << rng.Next(64)) : Data.Code(rng, 1)[0];
        var live = new Dictionary<string, ulong[]>();
        for (int i = 0; i < n; i++) live[ids[i]] = [codes[i]]; // a later duplicate wins

        var reported = new List<long>();
        using (var index = VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = 64, Metric = Metric.Hamming }))
        {
            index.BulkLoadCodes(ids, new ReadOnlySpan2D<ulong>(codes, n, 1), progress: new SyncProgress(reported));
            Assert.Equal(2500, index.Count);
            Assert.Equal(1, index.GetStatistics().SegmentCount);
            AssertMatchesBruteForce(index, live, rng);
            Assert.Throws<InvalidOperationException>(() => index.BulkLoadCodes(["x"], new ReadOnlySpan2D<ulong>(new ulong[1], 1, 1)));
        }
        Assert.Equal(2500, reported.Last());
        using (var reopened = VectorIndex.Open(dir.Index()))
        {
            reopened.Verify();
            AssertMatchesBruteForce(reopened, live, rng);
            reopened.UpsertCode("new", [0x1234UL]);
            live["new"] = [0x1234UL];
            Assert.True(reopened.Delete("c7"));
            live.Remove("c7");
            AssertMatchesBruteForce(reopened, live, rng);
        }
        using var again = VectorIndex.Open(dir.Index());
        AssertMatchesBruteForce(again, live, rng);
    }

    private static void AssertMatchesBruteForce(VectorIndex index, Dictionary<string, ulong[]> live, Random rng)
    {
        Assert.Equal(live.Count, index.Count);
        var values = live.ToList();
        for (int i = 0; i < 20; i++)
        {
            var (id, code) = values[rng.Next(values.Count)];
            Assert.True(index.TryGet(id, out var item));
            Assert.Equal(code, item.Code.ToArray());
            ulong[] q = [code[0] ^ (1UL << rng.Next(64))];
            var expected = live.Select(kv => (kv.Key, Data.Hamming(kv.Value, q))).Where(x => x.Item2 <= 6)
                .OrderBy(x => x.Item2).ThenBy(x => x.Key, StringComparer.Ordinal).ToList();
            Assert.Equal(expected, index.SearchCodeRadius(q, 6).Select(h => (h.Id, (int)h.Distance)));
        }
    }

    [Fact]
    public void Bulk_loaded_vectors_search_like_the_same_rows_upserted()
    {
        using var dir = new TempFolder();
        var rng = new Random(5);
        int n = 2000, dims = 12;
        var flat = new float[n * dims];
        for (int i = 0; i < flat.Length; i++) flat[i] = (float)rng.NextDouble() - 0.5f;
        var ids = Enumerable.Range(0, n).Select(i => "v" + i).ToArray();
        var payloads = ids.Select(id => (byte[]?)System.Text.Encoding.UTF8.GetBytes(id)).ToArray();
        using var bulk = VectorIndex.Create(dir.Index("bulk"), new IndexOptions { Dimensions = dims, Metric = Metric.Cosine });
        using var upserted = VectorIndex.Create(dir.Index("upserted"), new IndexOptions { Dimensions = dims, Metric = Metric.Cosine });
        bulk.BulkLoad(ids, new ReadOnlySpan2D<float>(flat, n, dims), payloads);
        upserted.UpsertBatch(ids, new ReadOnlySpan2D<float>(flat, n, dims), payloads);
        for (int i = 0; i < 10; i++)
        {
            var q = Data.Vector(rng, dims);
            var options = new SearchOptions { K = 15, IncludePayload = true };
            var a = bulk.Search(q, options);
            var b = upserted.Search(q, options);
            Assert.Equal(b.Select(h => (h.Id, h.Distance)), a.Select(h => (h.Id, h.Distance)));
            Assert.Equal(b.Select(h => h.Id), a.Select(h => System.Text.Encoding.UTF8.GetString(h.Payload!)));
        }
    }

    [Fact]
    public void Bad_input_or_cancellation_leaves_the_index_empty_and_usable()
    {
        using var dir = new TempFolder();
        using var index = VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = 3 });
        Assert.Throws<InvalidVectorException>(() => index.BulkLoad(["a", "b"], new ReadOnlySpan2D<float>(new[] { 1f, 2, 3, float.NaN, 0, 0 }, 2, 3)));
        Assert.Throws<InvalidIdException>(() => index.BulkLoad(["a", ""], new ReadOnlySpan2D<float>(new float[6], 2, 3)));
        Assert.Throws<DimensionMismatchException>(() => index.BulkLoad(["a"], new ReadOnlySpan2D<float>(new float[4], 1, 4)));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var many = Enumerable.Range(0, 10_000).Select(i => "r" + i).ToArray();
        Assert.ThrowsAny<OperationCanceledException>(() => index.BulkLoad(many, new ReadOnlySpan2D<float>(new float[30_000], 10_000, 3), cancellationToken: cancelled.Token));
        Assert.Equal(0, index.Count);
        Assert.Empty(Directory.GetFiles(dir.Index(), "seg-*"));
        index.BulkLoad(["a"], new ReadOnlySpan2D<float>(new[] { 1f, 2, 3 }, 1, 3));
        Assert.Equal(["a"], index.Search([1f, 2, 3]).Select(h => h.Id));
    }

    private sealed class SyncProgress(List<long> values) : IProgress<long>
    {
        public void Report(long value) => values.Add(value);
    }
}

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

    [Fact]
    public void The_first_bad_row_of_a_large_load_is_the_one_named_whatever_core_finds_it()
    {
        // Rows are checked in parallel chunks: the error must still be the one a row-by-row check
        // meets first (row 70,000), not the later ones another core may find first.
        using var dir = new TempFolder();
        using var index = VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = 64, Metric = Metric.Hamming });
        int n = 100_000;
        var ids = Enumerable.Range(0, n).Select(i => "id" + i).ToArray();
        ids[99_000] = "";
        ids[70_000] = "bad\ud800";
        ids[85_000] = new string('x', VectorIndex.MaxIdBytes + 1);
        var e = Assert.Throws<InvalidIdException>(() => index.BulkLoadCodes(ids, new ReadOnlySpan2D<ulong>(new ulong[n], n, 1)));
        Assert.Contains("row 70000", e.Message);
        Assert.Contains("surrogate", e.Message);

        // A payload that is too large at an earlier row comes first.
        var payloads = new byte[]?[n];
        payloads[60_000] = new byte[VectorIndex.MaxPayloadBytes + 1];
        Assert.Throws<PayloadTooLargeException>(() => index.BulkLoadCodes(ids, new ReadOnlySpan2D<ulong>(new ulong[n], n, 1), payloads));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void The_duplicate_checks_table_is_the_id_table_a_segment_would_build()
    {
        var rng = new Random(3);
        int n = 5000;
        // Multi-byte UTF-8 ids, so encoding and lengths are exercised too.
        var ids = Enumerable.Range(0, n).Select(i => (i % 3 == 0 ? "é" : "") + "k" + i + (i % 7 == 0 ? "日本" : "")).ToArray();
        var vectors = new byte[n * 8];
        rng.NextBytes(vectors);
        var rows = Aknn.Embedded.Storage.BulkRows.Pack(ids, null, vectors, 8);
        ulong[] expected = Aknn.Embedded.Storage.IdTable.Build(n, r => Aknn.Embedded.Storage.IdHash.Compute(System.Text.Encoding.UTF8.GetBytes(ids[r])));
        Assert.Equal(expected, rows.IdTable);
        Assert.Equal(n, rows.Count);
        for (int r = 0; r < n; r += 97) Assert.Equal(ids[r], System.Text.Encoding.UTF8.GetString(rows.IdUtf8(r)));

        // With repeated ids the last row of each id is kept, in input order, and the table finds each at its new ordinal.
        var dup = ids.Select((id, i) => i % 10 == 9 ? ids[i / 2] : id).ToArray();
        var payloads = dup.Select((_, i) => (byte[]?)(i % 2 == 0 ? [(byte)i] : null)).ToArray();
        var kept = Aknn.Embedded.Storage.BulkRows.Pack(dup, payloads, vectors, 8);
        var last = new Dictionary<string, int>();
        for (int i = 0; i < n; i++) last[dup[i]] = i;
        var order = last.Values.Order().ToArray();
        Assert.Equal(order.Length, kept.Count);
        for (int k = 0; k < order.Length; k++)
        {
            Assert.Equal(dup[order[k]], System.Text.Encoding.UTF8.GetString(kept.IdUtf8(k)));
            Assert.Equal(vectors.AsSpan(order[k] * 8, 8).ToArray(), kept.Vector(k).ToArray());
            Assert.Equal(payloads[order[k]] ?? [], kept.Payload(k).ToArray());
            Assert.Equal(k, Find(kept.IdTable, kept, kept.IdUtf8(k)));
        }
    }

    /// <summary>A lookup as a segment does it: linear probing from the hash's low bits, matching the high half, then the bytes.</summary>
    private static int Find(ulong[] table, Aknn.Embedded.Storage.BulkRows rows, ReadOnlySpan<byte> id)
    {
        ulong h = Aknn.Embedded.Storage.IdHash.Compute(id);
        int mask = table.Length - 1;
        for (int s = (int)(h & (ulong)mask); table[s] != 0; s = (s + 1) & mask)
        {
            int row = (int)(uint)table[s] - 1;
            if ((table[s] >> 32) == (h >> 32) && rows.IdUtf8(row).SequenceEqual(id)) return row;
        }
        return -1;
    }

    [Fact]
    public unsafe void A_batch_too_large_for_one_array_is_refused_with_what_to_do_and_the_index_stays_empty()
    {
        using var dir = new TempFolder();
        using var index = VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = 768, Metric = Metric.Cosine });
        // 800,000 rows of 768 floats are 2.46 GB: refused before a single row is read, so the rows
        // here need no memory behind them.
        const int rows = 800_000;
        var ids = new GeneratedIds(rows);
        float* unbacked = (float*)System.Runtime.InteropServices.NativeMemory.Alloc(sizeof(float));
        try
        {
            var e = Assert.Throws<ArgumentException>(() => index.BulkLoad(ids, new ReadOnlySpan2D<float>(unbacked, rows, 768, 0)));
            Assert.Contains("more than one call can hold", e.Message);
            Assert.Contains("several calls", e.Message);
            e = Assert.Throws<ArgumentException>(() => index.UpsertBatch(ids, new ReadOnlySpan2D<float>(unbacked, rows, 768, 0)));
            Assert.Contains("several calls", e.Message);
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free(unbacked);
        }
        Assert.Equal(0, index.Count);
        index.Upsert("a", Enumerable.Repeat(1f, 768).ToArray());
        Assert.Equal(1, index.Count);
    }

    /// <summary>Ids made on demand, so a test can pass a huge count without storing the strings.</summary>
    private sealed class GeneratedIds(int count) : IReadOnlyList<string>
    {
        public int Count => count;
        public string this[int index] => "v" + index;
        public IEnumerator<string> GetEnumerator() => Enumerable.Range(0, count).Select(i => "v" + i).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class SyncProgress(List<long> values) : IProgress<long>
    {
        public void Report(long value) => values.Add(value);
    }
}

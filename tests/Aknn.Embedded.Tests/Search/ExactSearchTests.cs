using System.Text;
using Aknn.Embedded.Tests.Support;

namespace Aknn.Embedded.Tests.Search;

/// <summary>
/// Exact search semantics per metric, on small cases whose distances are computed by hand: the
/// distance each metric reports, ordering (ties by the ordinal order of the UTF-8 id bytes),
/// filters, payloads, search by id, inclusive radius bounds, K beyond the item count, and a mix
/// of segments, tail rows and deletions.
/// </summary>
public class ExactSearchTests
{
    internal static VectorIndex Create(TempFolder tmp, Metric metric, int dims, long sealThreshold = 64L << 20) =>
        VectorIndex.Create(tmp.Index(), new IndexOptions
        {
            Dimensions = dims,
            Metric = metric,
            Durability = Durability.Manual,
            SealThresholdBytes = sealThreshold,
        });

    private static void AssertHits(IReadOnlyList<Hit> hits, params (string Id, double Distance)[] expected)
    {
        Assert.Equal(expected.Select(e => e.Id), hits.Select(h => h.Id));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(hits[i].Distance - expected[i].Distance) <= 1e-6,
                $"hit {i} ({hits[i].Id}): distance {hits[i].Distance:R}, expected {expected[i].Distance:R}");
    }

    // ------------------------------------------------------------------ distances per metric

    [Fact]
    public void Euclidean_distance_is_the_square_root_of_the_sum_of_squares()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Euclidean, 3);
        index.Upsert("far", [3, 4, 12]);   // 13
        index.Upsert("one", [1, 0, 0]);    // 1
        index.Upsert("two", [0, -2, 0]);   // 2
        index.Upsert("diag", [1, 1, 1]);   // sqrt 3
        index.Upsert("origin", [0, 0, 0]); // 0

        var hits = index.Search([0, 0, 0], new SearchOptions { K = 5 });

        AssertHits(hits, ("origin", 0), ("one", 1), ("diag", Math.Sqrt(3)), ("two", 2), ("far", 13));
        Assert.Equal(MathF.Sqrt(3), hits[2].Distance);
        Assert.Equal(13f, hits[4].Distance);
    }

    [Fact]
    public void Euclidean_distance_is_measured_from_the_query_not_the_origin()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Euclidean, 2);
        index.Upsert("a", [1, 1]);
        index.Upsert("b", [4, 5]);
        index.Upsert("c", [-2, 1]);

        var hits = index.Search([1, 2], new SearchOptions { K = 3 });

        // a: (0,-1) → 1; c: (-3,-1) → sqrt 10; b: (3,3) → sqrt 18.
        AssertHits(hits, ("a", 1), ("c", Math.Sqrt(10)), ("b", Math.Sqrt(18)));
    }

    [Fact]
    public void Cosine_distance_is_one_minus_the_cosine_and_ignores_length()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Cosine, 2);
        index.Upsert("same", [1, 0]);
        index.Upsert("longer", [5, 0]);      // same direction, other length: also 0
        index.Upsert("diagonal", [2, 2]);    // 1 − 1/√2
        index.Upsert("orthogonal", [0, 3]);  // 1
        index.Upsert("opposite", [-1, 0]);   // 2
        index.Upsert("obtuse", [-1, 1]);     // 1 + 1/√2

        var hits = index.Search([3, 0], new SearchOptions { K = 6 });

        AssertHits(hits,
            ("longer", 0), ("same", 0), ("diagonal", 1 - 1 / Math.Sqrt(2)), ("orthogonal", 1),
            ("obtuse", 1 + 1 / Math.Sqrt(2)), ("opposite", 2));
    }

    [Fact]
    public void Cosine_distances_stay_within_zero_and_two_even_for_parallel_vectors()
    {
        // Rounding must not push the distance of a vector to itself (or to its opposite) outside
        // the documented range [0, 2].
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Cosine, 7);
        var rng = new Random(17);
        var vectors = new List<float[]>();
        for (int i = 0; i < 300; i++)
        {
            float[] v = Data.Vector(rng, 7);
            vectors.Add(v);
            index.Upsert($"v{i:D3}", v);
            index.Upsert($"n{i:D3}", v.Select(x => -3 * x).ToArray());
        }
        foreach (float[] v in vectors.Take(100))
        {
            var hits = index.Search(v, new SearchOptions { K = SearchOptions.MaxK });
            Assert.All(hits, h => Assert.InRange(h.Distance, 0f, 2f));
            Assert.Equal(0f, hits[0].Distance, 5);
            Assert.Equal(2f, hits[^1].Distance, 5);
        }
    }

    [Fact]
    public void Dot_product_distance_is_the_negated_dot_product_and_may_be_negative()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.DotProduct, 2);
        index.Upsert("a", [1, 2]);   // 4
        index.Upsert("b", [3, -1]);  // 5
        index.Upsert("c", [-2, -2]); // −6
        index.Upsert("d", [0, 0]);   // 0
        index.Upsert("e", [10, 0]);  // 20: the largest inner product, though not the closest point

        var hits = index.Search([2, 1], new SearchOptions { K = 5 });

        AssertHits(hits, ("e", -20), ("b", -5), ("a", -4), ("d", 0), ("c", 6));
    }

    [Fact]
    public void Manhattan_distance_is_the_sum_of_absolute_differences()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Manhattan, 3);
        index.Upsert("a", [1, 1, 1]);    // 3
        index.Upsert("b", [0, 0, -3]);   // 3
        index.Upsert("c", [-1, 0, 0]);   // 1
        index.Upsert("d", [2, -2, 0.5f]); // 4.5

        var hits = index.Search([0, 0, 0], new SearchOptions { K = 4 });

        AssertHits(hits, ("c", 1), ("a", 3), ("b", 3), ("d", 4.5));
    }

    [Fact]
    public void Hamming_distance_is_the_number_of_differing_bits_across_all_words()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Hamming, 128);
        index.UpsertCode("two-words", [1UL, 1UL]);              // bit 0 and bit 64: 2
        index.UpsertCode("byte", [0xFFUL, 0]);                  // 8
        index.UpsertCode("top", [0, 1UL << 63]);                // bit 127: 1
        index.UpsertCode("word", [ulong.MaxValue, 0]);          // 64
        index.UpsertCode("all", [ulong.MaxValue, ulong.MaxValue]); // 128
        index.UpsertCode("zero", [0, 0]);                       // 0

        var hits = index.SearchCode([0, 0], new SearchOptions { K = 6 });
        AssertHits(hits, ("zero", 0), ("top", 1), ("two-words", 2), ("byte", 8), ("word", 64), ("all", 128));

        // Against a query that is not zero: popcount of the XOR.
        hits = index.SearchCode([0xF0UL, 1UL << 63], new SearchOptions { K = 2 });
        AssertHits(hits, ("top", 4), ("byte", 5));
    }

    [Fact]
    public void Stored_code_words_are_returned_unchanged()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Hamming, 192);
        ulong[] code = [0x0123456789ABCDEFUL, 0xFEDCBA9876543210UL, 0x8000000000000001UL];
        index.UpsertCode("c", code, "p"u8);

        Assert.True(index.TryGet("c", out var item));
        Assert.Equal(code, item.Code);
        Assert.Empty(item.Vector);
        Assert.Equal("p"u8.ToArray(), item.Payload);
    }

    // ------------------------------------------------------------------ ordering

    [Fact]
    public void Equal_distances_are_ordered_by_the_ordinal_order_of_the_utf8_id_bytes()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Euclidean, 2);
        // UTF-16 ordinal order: "B" < "a" < "ab" < "😀" (U+D83D…) < "｡" (U+FF61).
        // UTF-8 byte order:     "B" < "a" < "ab" < "｡" (EF BD A1) < "😀" (F0 9F 98 80).
        string[] ids = ["\U0001F600", "ab", "\uFF61", "a", "B"];
        foreach (string id in ids) index.Upsert(id, [1, 1]);
        index.Upsert("closer", [1, 1.5f]);

        var hits = index.Search([1, 2], new SearchOptions { K = 6 });

        Assert.Equal(["closer", "B", "a", "ab", "\uFF61", "\U0001F600"], hits.Select(h => h.Id));
        Assert.All(hits.Skip(1), h => Assert.Equal(1f, h.Distance));

        // K cuts through the tie: the smallest ids win.
        hits = index.Search([1, 2], new SearchOptions { K = 3 });
        Assert.Equal(["closer", "B", "a"], hits.Select(h => h.Id));
    }

    [Fact]
    public void Ties_at_the_k_boundary_keep_the_smallest_ids_whatever_the_insertion_order()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Manhattan, 1);
        var rng = new Random(5);
        var ids = Enumerable.Range(0, 200).Select(i => $"id{i:D3}").OrderBy(_ => rng.Next()).ToArray();
        foreach (string id in ids) index.Upsert(id, [id.EndsWith('7') ? 1f : 2f]);

        var hits = index.Search([0], new SearchOptions { K = 25 });

        var expected = Enumerable.Range(0, 200).Select(i => $"id{i:D3}").Where(id => id.EndsWith('7'))
            .Concat(Enumerable.Range(0, 200).Select(i => $"id{i:D3}").Where(id => !id.EndsWith('7')))
            .Take(25);
        Assert.Equal(expected, hits.Select(h => h.Id));
    }

    [Fact]
    public void K_larger_than_the_item_count_returns_every_item()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Euclidean, 2);
        index.Upsert("a", [0, 0]);
        index.Upsert("b", [1, 0]);
        index.Upsert("c", [2, 0]);
        index.Delete("b");

        var hits = index.Search([0, 0], new SearchOptions { K = 100 });
        AssertHits(hits, ("a", 0), ("c", 2));

        hits = index.Search([0, 0], new SearchOptions { K = SearchOptions.MaxK });
        Assert.Equal(2, hits.Count);
    }

    [Fact]
    public void An_empty_index_returns_no_hits()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Euclidean, 2);
        Assert.Empty(index.Search([0, 0]));
        Assert.Empty(index.SearchRadius([0, 0], 100));
    }

    [Fact]
    public void K_outside_its_range_is_rejected()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Euclidean, 2);
        index.Upsert("a", [0, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search([0, 0], new SearchOptions { K = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search([0, 0], new SearchOptions { K = SearchOptions.MaxK + 1 }));
    }

    // ------------------------------------------------------------------ filters and payloads

    [Fact]
    public void A_filter_that_rejects_the_nearest_item_returns_the_next_ones()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Euclidean, 2);
        index.Upsert("a", [0, 0], "red"u8);
        index.Upsert("b", [1, 0], "blue"u8);
        index.Upsert("c", [2, 0], "red"u8);
        index.Upsert("d", [3, 0]);

        var byId = index.Search([0, 0], new SearchOptions { K = 2, Filter = (id, _) => id != "a" });
        AssertHits(byId, ("b", 1), ("c", 2));

        var seen = new List<(string, string)>();
        var byPayload = index.Search([0, 0], new SearchOptions
        {
            K = 2,
            Filter = (id, payload) =>
            {
                seen.Add((id, Encoding.UTF8.GetString(payload)));
                return !payload.SequenceEqual("red"u8);
            },
        });
        AssertHits(byPayload, ("b", 1), ("d", 3));
        Assert.Contains(("a", "red"), seen);
        Assert.Contains(("d", ""), seen); // no payload: the filter sees an empty span

        var none = index.Search([0, 0], new SearchOptions { K = 4, Filter = (_, _) => false });
        Assert.Empty(none);
    }

    [Fact]
    public void A_filter_applies_to_radius_search_and_search_by_id()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Hamming, 64);
        index.UpsertCode("q", [0]);
        index.UpsertCode("a", [1]);
        index.UpsertCode("b", [3]);
        index.UpsertCode("c", [7]);

        var radius = index.SearchCodeRadius([0], 3, new SearchOptions { Filter = (id, _) => id != "a" });
        AssertHits(radius, ("q", 0), ("b", 2), ("c", 3));

        var near = index.SearchById("q", new SearchOptions { K = 2, Filter = (id, _) => id != "a" });
        AssertHits(near, ("b", 2), ("c", 3));
    }

    [Fact]
    public void Payloads_are_returned_only_on_request_and_null_when_empty()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Euclidean, 2);
        index.Upsert("a", [0, 0], "alpha"u8);
        index.Upsert("b", [1, 0]);
        index.Upsert("c", [2, 0], new byte[] { 0, 255, 0 });

        var without = index.Search([0, 0], new SearchOptions { K = 3 });
        Assert.All(without, h => Assert.Null(h.Payload));

        var with = index.Search([0, 0], new SearchOptions { K = 3, IncludePayload = true });
        Assert.Equal(["a", "b", "c"], with.Select(h => h.Id));
        Assert.Equal("alpha"u8.ToArray(), with[0].Payload);
        Assert.Null(with[1].Payload);
        Assert.Equal(new byte[] { 0, 255, 0 }, with[2].Payload);

        var radius = index.SearchRadius([0, 0], 1, new SearchOptions { IncludePayload = true });
        Assert.Equal("alpha"u8.ToArray(), radius[0].Payload);
        Assert.Null(radius[1].Payload);
    }

    // ------------------------------------------------------------------ search by id

    [Fact]
    public void Search_by_id_leaves_the_item_out_by_default_and_includes_it_on_request()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Manhattan, 2);
        index.Upsert("me", [1, 1]);
        index.Upsert("twin", [1, 1]);
        index.Upsert("near", [1, 2]);
        index.Upsert("far", [5, 5]);

        var others = index.SearchById("me", new SearchOptions { K = 2 });
        AssertHits(others, ("twin", 0), ("near", 1));

        var withSelf = index.SearchById("me", new SearchOptions { K = 2, IncludeSelf = true });
        AssertHits(withSelf, ("me", 0), ("twin", 0));

        // The twin's search leaves the twin out, not "me".
        var fromTwin = index.SearchById("twin", new SearchOptions { K = 1 });
        AssertHits(fromTwin, ("me", 0));

        Assert.Throws<KeyNotFoundException>(() => index.SearchById("nobody"));
        index.Delete("near");
        Assert.Throws<KeyNotFoundException>(() => index.SearchById("near"));
    }

    [Fact]
    public void Search_by_id_uses_the_current_vector_of_a_replaced_item()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Euclidean, 1);
        index.Upsert("x", [0]);
        index.Upsert("a", [1]);
        index.Upsert("b", [10]);
        index.Upsert("x", [9]);

        AssertHits(index.SearchById("x", new SearchOptions { K = 2 }), ("b", 1), ("a", 8));
    }

    [Fact]
    public void Search_by_id_of_a_binary_code_uses_the_stored_code()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Hamming, 64);
        index.UpsertCode("a", [0b1111]);
        index.UpsertCode("b", [0b0111]);
        index.UpsertCode("c", [0]);

        AssertHits(index.SearchById("a", new SearchOptions { K = 5 }), ("b", 1), ("c", 4));
    }

    // ------------------------------------------------------------------ radius

    [Fact]
    public void Euclidean_radius_includes_items_exactly_on_the_boundary()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Euclidean, 2);
        index.Upsert("a", [0, 0]);
        index.Upsert("b", [3, 4]);
        index.Upsert("c", [1, 0]);
        index.Upsert("d", [0, -1]);

        AssertHits(index.SearchRadius([0, 0], 1), ("a", 0), ("c", 1), ("d", 1));
        AssertHits(index.SearchRadius([0, 0], 5), ("a", 0), ("c", 1), ("d", 1), ("b", 5));
        AssertHits(index.SearchRadius([0, 0], 4.999f), ("a", 0), ("c", 1), ("d", 1));
        AssertHits(index.SearchRadius([0, 0], 0), ("a", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchRadius([0, 0], -1));
        Assert.Equal(4, index.SearchRadius([0, 0], float.PositiveInfinity).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchRadius([0, 0], float.NaN));
    }

    [Fact]
    public void Euclidean_radius_equal_to_a_reported_distance_includes_that_item()
    {
        // The index ranks by squared distance; a radius equal to the distance it reports (a rounded
        // square root) must still include the item, e.g. √2 whose float square is below 2.
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Euclidean, 2);
        for (int x = 0; x <= 20; x++)
            for (int y = 0; y <= x; y++)
                index.Upsert($"p{x}-{y}", [x, y]);

        var all = index.Search([0, 0], new SearchOptions { K = 1000 });
        Assert.Equal(231, all.Count);
        foreach (Hit h in all)
        {
            var within = index.SearchRadius([0, 0], h.Distance);
            Assert.Contains(within, w => w.Id == h.Id);
            Assert.All(within, w => Assert.True(w.Distance <= h.Distance, $"{w.Id} at {w.Distance:R} is outside radius {h.Distance:R}"));
            int expected = all.Count(o => o.Distance <= h.Distance);
            Assert.Equal(expected, within.Count);
        }
    }

    [Fact]
    public void Radius_is_inclusive_for_manhattan_cosine_dot_product_and_hamming()
    {
        using (var tmp = new TempFolder())
        using (var index = Create(tmp, Metric.Manhattan, 2))
        {
            index.Upsert("a", [1, 2]);  // 3
            index.Upsert("b", [0, 0]);  // 0
            index.Upsert("c", [2, 2]);  // 4
            AssertHits(index.SearchRadius([0, 0], 3), ("b", 0), ("a", 3));
        }
        using (var tmp = new TempFolder())
        using (var index = Create(tmp, Metric.Cosine, 2))
        {
            index.Upsert("x", [1, 0]);   // 0
            index.Upsert("y", [0, 1]);   // 1
            index.Upsert("z", [-1, 0]);  // 2
            AssertHits(index.SearchRadius([4, 0], 1), ("x", 0), ("y", 1));
            AssertHits(index.SearchRadius([4, 0], 2), ("x", 0), ("y", 1), ("z", 2));
        }
        using (var tmp = new TempFolder())
        using (var index = Create(tmp, Metric.DotProduct, 2))
        {
            index.Upsert("a", [1, 2]);   // −4
            index.Upsert("b", [3, -1]);  // −5
            index.Upsert("c", [-2, -2]); // 6
            // A negative radius is meaningful for dot product.
            AssertHits(index.SearchRadius([2, 1], -4), ("b", -5), ("a", -4));
            AssertHits(index.SearchRadius([2, 1], -5), ("b", -5));
            Assert.Empty(index.SearchRadius([2, 1], -5.5f));
        }
        using (var tmp = new TempFolder())
        using (var index = Create(tmp, Metric.Hamming, 64))
        {
            index.UpsertCode("d0", [0]);
            index.UpsertCode("d2", [0b11]);
            index.UpsertCode("d3", [0b111]);
            index.UpsertCode("d2b", [0b101]);
            AssertHits(index.SearchCodeRadius([0], 2), ("d0", 0), ("d2", 2), ("d2b", 2));
            AssertHits(index.SearchCodeRadius([0], 0), ("d0", 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchCodeRadius([0], -1));
        }
    }

    [Fact]
    public void Radius_search_ignores_k()
    {
        using var tmp = new TempFolder();
        using var index = Create(tmp, Metric.Manhattan, 1);
        for (int i = 0; i < 50; i++) index.Upsert($"i{i:D2}", [i]);
        Assert.Equal(21, index.SearchRadius([0], 20, new SearchOptions { K = 1 }).Count);
    }

    // ------------------------------------------------------------------ segments, tail and deletions

    [Fact]
    public void Search_sees_segments_tail_replacements_and_deletions_together()
    {
        using var tmp = new TempFolder();
        byte[] big = new byte[4096];
        var index = Create(tmp, Metric.Euclidean, 2, sealThreshold: 4096);
        try
        {
            index.Upsert("a", [0, 0]);
            index.Upsert("b", [1, 0], "pb"u8);
            index.Upsert("c", [2, 0]);
            index.Upsert("big1", [10, 10], big);    // seals segment 1: a, b, c, big1
            index.Upsert("d", [3, 0]);
            index.Upsert("e", [4, 0], "pe"u8);
            index.Upsert("big2", [20, 20], big);    // seals segment 2: d, e, big2
            index.WaitForBackgroundWork();          // seals are written in the background
            Assert.Equal(2, index.GetStatistics().SegmentCount);

            index.Delete("b");                      // deletion in segment 1
            index.Upsert("c", [0.5f, 0], "pc"u8);   // replaces a segment row with a tail row
            index.Upsert("f", [5, 0]);
            index.Upsert("g", [0, 0.25f]);
            index.Delete("f");                      // deletion in the tail
            index.Delete("d");                      // deletion in segment 2
            index.Upsert("h", [6, 0]);
            index.Upsert("h", [0, -3]);             // replaces a tail row with a tail row

            var stats = index.GetStatistics();
            Assert.Equal(2, stats.SegmentCount);
            Assert.True(stats.TailRows > 0);

            void Check(VectorIndex ix)
            {
                Assert.Equal(7, ix.Count);
                var hits = ix.Search([0, 0], new SearchOptions { K = 10, IncludePayload = true });
                AssertHits(hits, ("a", 0), ("g", 0.25), ("c", 0.5), ("h", 3), ("e", 4), ("big1", Math.Sqrt(200)), ("big2", Math.Sqrt(800)));
                Assert.Equal("pc"u8.ToArray(), hits[2].Payload);
                Assert.Equal("pe"u8.ToArray(), hits[4].Payload);
                AssertHits(ix.SearchRadius([0, 0], 3), ("a", 0), ("g", 0.25), ("c", 0.5), ("h", 3));
                AssertHits(ix.SearchById("c", new SearchOptions { K = 2 }), ("a", 0.5), ("g", Math.Sqrt(0.25 + 0.0625)));
                Assert.False(ix.Contains("b"));
                Assert.False(ix.Contains("d"));
                Assert.False(ix.Contains("f"));
                Assert.True(ix.TryGet("c", out var c));
                Assert.Equal([0.5f, 0], c.Vector);
                Assert.True(ix.TryGet("h", out var h));
                Assert.Equal([0f, -3], h.Vector);
            }

            Check(index);
            index.Dispose();
            index = VectorIndex.Open(tmp.Index(), new OpenOptions { Durability = Durability.Manual });
            Check(index);
            index.Compact();
            Assert.Equal(1, index.GetStatistics().SegmentCount);
            Assert.Equal(0, index.GetStatistics().DeletedRows);
            Check(index);
        }
        finally
        {
            index.Dispose();
        }
    }
}

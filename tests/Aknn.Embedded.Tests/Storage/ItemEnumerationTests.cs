using System.Text;
using Aknn.Embedded.Tests.Support;

namespace Aknn.Embedded.Tests.Storage;

public class ItemEnumerationTests
{
    [Fact]
    public void Enumeration_returns_every_live_item_once_across_segments_and_tail()
    {
        using var tmp = new TempFolder();
        var rng = new Random(3);
        var vectors = Enumerable.Range(0, 400).Select(_ => Data.Vector(rng, 16)).ToArray();
        using var index = VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = 16, SealThresholdBytes = 8192 });
        for (int i = 0; i < vectors.Length; i++) index.Upsert($"v{i}", vectors[i], Encoding.UTF8.GetBytes($"p{i}"));
        index.WaitForBackgroundWork();
        index.Delete("v3");
        index.Delete("v399");
        index.Upsert("v5", vectors[6], "replaced"u8); // an older row of v5 sits in a segment
        Assert.True(index.GetStatistics().SegmentCount > 0);

        var items = index.EnumerateItems(includeVectors: true).ToList();

        Assert.Equal(398, items.Count);
        Assert.Equal(items.Count, items.Select(i => i.Id).Distinct().Count());
        Assert.DoesNotContain(items, i => i.Id is "v3" or "v399");
        var v5 = Assert.Single(items, i => i.Id == "v5");
        Assert.Equal(vectors[6], v5.Vector);
        Assert.Equal("replaced", Encoding.UTF8.GetString(v5.Payload));
        var v100 = Assert.Single(items, i => i.Id == "v100");
        Assert.Equal(vectors[100], v100.Vector);
        Assert.Equal("p100", Encoding.UTF8.GetString(v100.Payload));
    }

    [Fact]
    public void Enumeration_without_vectors_leaves_them_empty_and_keeps_payloads()
    {
        using var tmp = new TempFolder();
        using var index = VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = 2 });
        index.Upsert("a", [1, 2], "x"u8);

        var item = Assert.Single(index.EnumerateItems());

        Assert.Empty(item.Vector);
        Assert.Empty(item.Code);
        Assert.Equal("x"u8.ToArray(), item.Payload);
    }

    [Fact]
    public void Enumeration_sees_the_snapshot_of_its_start_and_not_later_writes()
    {
        using var tmp = new TempFolder();
        using var index = VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = 2 });
        for (int i = 0; i < 10; i++) index.Upsert($"i{i}", [i, 1]);

        var seen = new List<string>();
        using (var e = index.EnumerateItems().GetEnumerator())
        {
            Assert.True(e.MoveNext());
            seen.Add(e.Current.Id);
            index.Upsert("late", [5, 5]);
            index.Delete("i9");
            while (e.MoveNext()) seen.Add(e.Current.Id);
        }

        Assert.Equal(10, seen.Count);
        Assert.Contains("i9", seen);
        Assert.DoesNotContain("late", seen);
        Assert.Equal(10, index.EnumerateItems().Count());
    }

    [Fact]
    public void Enumeration_filter_sees_ids_and_payloads_and_drops_rejected_rows()
    {
        using var tmp = new TempFolder();
        using var index = VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = 2 });
        for (int i = 0; i < 20; i++) index.Upsert($"i{i}", [i, 1], i % 2 == 0 ? "even"u8 : "odd"u8);

        var ids = index.EnumerateItems(filter: (id, payload) => payload.SequenceEqual("even"u8) && id != "i0").Select(i => i.Id).ToHashSet();

        Assert.Equal(Enumerable.Range(1, 9).Select(i => $"i{2 * i}").ToHashSet(), ids);
    }

    [Fact]
    public void Enumeration_of_binary_codes_returns_the_codes()
    {
        using var tmp = new TempFolder();
        using var index = VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = 128, Metric = Metric.Hamming });
        index.UpsertCode("c", [0xF0UL, 7UL]);

        var item = Assert.Single(index.EnumerateItems(includeVectors: true));

        Assert.Equal([0xF0UL, 7UL], item.Code);
        Assert.Empty(item.Vector);
    }

    [Fact]
    public void Enumeration_after_reopen_reads_the_segments_written_before()
    {
        using var tmp = new TempFolder();
        using (var index = VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = 2 }))
            for (int i = 0; i < 50; i++) index.Upsert($"i{i}", [i, 1]);
        using (var index = VectorIndex.Open(tmp.Index()))
            Assert.Equal(50, index.EnumerateItems(includeVectors: true).Count(i => i.Vector.Length == 2));
    }

    [Fact]
    public void Enumeration_stops_when_cancelled()
    {
        using var tmp = new TempFolder();
        using var index = VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = 2 });
        for (int i = 0; i < 5; i++) index.Upsert($"i{i}", [i, 1]);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.Throws<OperationCanceledException>(() => index.EnumerateItems(cancellationToken: cts.Token).ToList());
    }
}

using Aknn.Embedded.Tests.Support;

namespace Aknn.Embedded.Tests.Search;

/// <summary>FindDuplicates finds exactly the pairs brute force finds, and groups them into connected components.</summary>
public class DuplicateTests
{
    /// <summary>Random codes plus planted groups: copies of a seed code with up to <paramref name="spread"/> flipped bits each.</summary>
    private static Dictionary<string, ulong[]> Planted(Random rng, int words, int random, int groups, int spread)
    {
        var codes = new Dictionary<string, ulong[]>();
        for (int i = 0; i < random; i++) codes[$"r{i:D5}"] = Data.Code(rng, words);
        for (int g = 0; g < groups; g++)
        {
            ulong[] seed = Data.Code(rng, words);
            int size = rng.Next(2, 12);
            for (int k = 0; k < size; k++)
            {
                var c = (ulong[])seed.Clone();
                int flips = rng.Next(spread + 1);
                for (int f = 0; f < flips; f++)
                {
                    int bit = rng.Next(words * 64);
                    c[bit / 64] ^= 1UL << (bit % 64);
                }
                codes[$"g{g:D3}-{k:D2}"] = c;
            }
        }
        return codes;
    }

    private static List<DuplicatePair> BrutePairs(Dictionary<string, ulong[]> live, int radius)
    {
        var ids = live.Keys.Order(StringComparer.Ordinal).ToArray();
        var pairs = new List<DuplicatePair>();
        for (int i = 0; i < ids.Length; i++)
            for (int j = i + 1; j < ids.Length; j++)
            {
                int d = Data.Hamming(live[ids[i]], live[ids[j]]);
                if (d <= radius) pairs.Add(new DuplicatePair(ids[i], ids[j], d));
            }
        return pairs;
    }

    /// <summary>Connected components of the pairs, ordered like the report: largest first, then by first id.</summary>
    private static List<List<string>> Components(IEnumerable<DuplicatePair> pairs)
    {
        var parent = new Dictionary<string, string>();
        string Find(string x)
        {
            while (parent.TryGetValue(x, out var p) && p != x) x = p;
            return x;
        }
        foreach (var p in pairs)
        {
            parent.TryAdd(p.First, p.First);
            parent.TryAdd(p.Second, p.Second);
            string a = Find(p.First), b = Find(p.Second);
            if (a != b) parent[string.CompareOrdinal(a, b) < 0 ? b : a] = string.CompareOrdinal(a, b) < 0 ? a : b;
        }
        return parent.Keys.GroupBy(Find).Select(g => g.Order(StringComparer.Ordinal).ToList())
            .OrderByDescending(g => g.Count).ThenBy(g => g[0], StringComparer.Ordinal).ToList();
    }

    [Theory]
    [InlineData(64, 8)]
    [InlineData(64, 0)]
    [InlineData(64, 20)]
    [InlineData(128, 10)]
    [InlineData(256, 31)]
    public void Pairs_and_groups_equal_brute_force_across_tail_segments_and_deletions(int bits, int radius)
    {
        using var dir = new TempFolder();
        var rng = new Random(bits + radius);
        var live = Planted(rng, bits / 64, 1500, 60, Math.Max(1, radius / 2));
        using var index = VectorIndex.Create(dir.Index(), new IndexOptions
        {
            Dimensions = bits, Metric = Metric.Hamming, Durability = Durability.Manual, SealThresholdBytes = 32 * 1024,
        });
        foreach (var (id, code) in live) index.UpsertCode(id, code);
        foreach (string id in live.Keys.Where((_, i) => i % 9 == 0).ToList())
        {
            index.Delete(id);
            live.Remove(id);
        }
        index.WaitForBackgroundWork();
        Assert.True(index.GetStatistics().SegmentCount > 0 && index.GetStatistics().TailRows > 0);

        var report = index.FindDuplicates(radius, new DuplicateOptions { IncludePairs = true });
        var expected = BrutePairs(live, radius);
        Assert.Equal(expected, report.Pairs);
        var groups = Components(expected);
        Assert.Equal(groups, report.Groups.Select(g => g.Ids.ToList()));
        Assert.Equal(live.Count, report.CodesExamined);
        Assert.Equal(radius, report.Radius);
        if (radius >= 8) Assert.Contains(report.Groups, g => g.Count >= 5); // the planted groups are found
    }

    [Fact]
    public void Duplicates_of_given_items_are_the_pairs_that_involve_them()
    {
        using var dir = new TempFolder();
        var rng = new Random(17);
        var live = Planted(rng, 1, 800, 40, 4);
        using var index = VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = 64, Metric = Metric.Hamming });
        foreach (var (id, code) in live) index.UpsertCode(id, code);
        var fresh = live.Keys.Where((_, i) => i % 5 == 0).ToList();

        var report = index.FindDuplicatesOf(fresh, 8, new DuplicateOptions { IncludePairs = true });
        var freshSet = fresh.ToHashSet();
        var expected = BrutePairs(live, 8).Where(p => freshSet.Contains(p.First) || freshSet.Contains(p.Second)).ToList();
        Assert.Equal(expected, report.Pairs);
        Assert.Equal(Components(expected), report.Groups.Select(g => g.Ids.ToList()));
        Assert.Equal(fresh.Count, report.CodesExamined);
        Assert.Throws<KeyNotFoundException>(() => index.FindDuplicatesOf(["no such id"], 8));
    }

    [Fact]
    public void Groups_come_largest_first_with_ids_in_order_and_pairs_only_on_request()
    {
        using var dir = new TempFolder();
        using var index = VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = 64, Metric = Metric.Hamming });
        index.UpsertCode("z", [0b0000UL]);
        index.UpsertCode("y", [0b0001UL]);
        index.UpsertCode("x", [0b0011UL]); // 2 from z, 1 from y
        index.UpsertCode("b", [ulong.MaxValue]);
        index.UpsertCode("a", [ulong.MaxValue - 1]);
        index.UpsertCode("lonely", [0x5555_5555_5555_5555UL]);
        var report = index.FindDuplicates(1);
        Assert.Equal([["x", "y", "z"], ["a", "b"]], report.Groups.Select(g => g.Ids.ToArray()));
        Assert.Empty(report.Pairs);
        var withPairs = index.FindDuplicates(1, new DuplicateOptions { IncludePairs = true });
        Assert.Equal([new DuplicatePair("a", "b", 1), new DuplicatePair("x", "y", 1), new DuplicatePair("y", "z", 1)], withPairs.Pairs);
    }

    [Fact]
    public void Progress_is_reported_and_cancellation_stops_the_search()
    {
        using var dir = new TempFolder();
        var rng = new Random(3);
        using var index = VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = 64, Metric = Metric.Hamming });
        for (int i = 0; i < 20_000; i++) index.UpsertCode("c" + i, Data.Code(rng, 1));
        var phases = new List<string>();
        var progress = new SynchronousProgress<DuplicateProgress>(p => { lock (phases) phases.Add(p.Phase); });
        index.FindDuplicates(8, progress: progress);
        Assert.Contains("reading", phases);
        Assert.Contains("joining", phases);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => index.FindDuplicates(8, cancellationToken: cancelled.Token));
    }

    [Fact]
    public void Float_indexes_refuse_duplicate_grouping_with_a_clear_message()
    {
        using var dir = new TempFolder();
        using var index = VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = 4 });
        var e = Assert.Throws<InvalidOperationException>(() => index.FindDuplicates(3));
        Assert.Contains("Metric.Hamming", e.Message);
        using var codes = VectorIndex.Create(dir.Index("codes"), new IndexOptions { Dimensions = 64, Metric = Metric.Hamming });
        Assert.Throws<ArgumentOutOfRangeException>(() => codes.FindDuplicates(-1));
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

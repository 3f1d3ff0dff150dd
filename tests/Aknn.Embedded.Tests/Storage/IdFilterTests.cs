using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Tests.Storage;

public class IdFilterTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(100_000)]
    public void Filter_never_misses_an_added_hash_and_rarely_admits_an_absent_one(int rows)
    {
        var rng = new Random(rows);
        var filter = new IdFilter(rows);
        var added = new HashSet<uint>();
        while (added.Count < rows) added.Add((uint)rng.NextInt64(0, 1L << 32));
        foreach (uint h in added) filter.Add(h);

        Assert.All(added, h => Assert.True(filter.MayContain(h)));
        int falsePositives = 0, probes = 200_000;
        for (int i = 0; i < probes; i++)
        {
            uint h = (uint)rng.NextInt64(0, 1L << 32);
            if (!added.Contains(h) && filter.MayContain(h)) falsePositives++;
        }
        Assert.True(falsePositives < probes * 0.03, $"{falsePositives} false positives in {probes} probes");
    }
}

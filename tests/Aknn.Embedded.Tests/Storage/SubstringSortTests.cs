using Aknn.Embedded.Bucketing;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Tests.Storage;

/// <summary>The radix sort that builds the substring tables of 64-bit codes gives exactly the tables of the reference counting sort.</summary>
public class SubstringSortTests
{
    [Theory]
    [InlineData(1, 2)]        // one row: the smallest directory
    [InlineData(1000, 4)]     // directory bits below one radix pass
    [InlineData(50_000, 3)]   // 21-bit substrings, 17 directory bits: two passes
    [InlineData(300_000, 2)]  // 32-bit substrings, 20 directory bits: two passes
    [InlineData(20_000, 5)]
    public void Radix_sorted_tables_equal_the_counting_sorts(int rows, int tables)
    {
        var rng = new Random(rows + tables);
        var codes = new ulong[rows];
        for (int r = 0; r < rows; r++)
        {
            // Some near-duplicates, so that buckets hold several rows whose order must be kept.
            codes[r] = r > 0 && rng.Next(3) == 0 ? codes[rng.Next(r)] ^ (1UL << rng.Next(64)) : (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 33);
        }
        var layout = new SubstringLayout(64, tables);
        for (int t = 0; t < tables; t++)
        {
            var expected = SubstringTablesWriter.Sort(layout, t, rows, r => layout.Key(new ReadOnlySpan<ulong>(in codes[r]), t), codes);
            var actual = SubstringTablesWriter.SortInline(layout, t, codes);
            Assert.Equal(expected.Directory, actual.Directory);
            Assert.Equal(expected.Codes, actual.Codes);
            Assert.Equal(expected.Ordinals, actual.Ordinals);
        }
    }
}

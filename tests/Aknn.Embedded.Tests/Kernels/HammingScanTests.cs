using Aknn.Embedded.Kernels;

namespace Aknn.Embedded.Tests.Kernels;

public class HammingScanTests
{
    /// <summary>Code lengths in words: every length up to 8 (each tail of the 128-, 256- and 512-bit loops), then 16 and 64.</summary>
    public static readonly int[] Lengths = [1, 2, 3, 4, 5, 6, 7, 8, 16, 64];

    public static TheoryData<KernelPath> AllPaths() => new(Enum.GetValues<KernelPath>());

    public static TheoryData<KernelPath> VectorPaths() => new(KernelTestData.VectorPaths);

    [Fact]
    public void Scalar_scan_matches_a_bit_by_bit_reference_for_every_radius()
    {
        var rng = new Random(21);
        foreach (int words in Lengths)
        {
            int bits = 64 * words;
            foreach (int count in new[] { 0, 1, 5, 37 })
            {
                (ulong[] query, ulong[] rows) = KernelTestData.ScanData(words, count, rng);
                int[] distances = Enumerable.Range(0, count).Select(r => KernelTestData.BitByBitHamming(query, rows.AsSpan(r * words, words))).ToArray();
                for (int radius = -1; radius <= bits + 1; radius++)
                {
                    int[] expected = Enumerable.Range(0, count).Where(r => distances[r] <= radius).ToArray();
                    var matches = new int[count];
                    var matchDistances = new int[count];
                    int found = HammingScan.Scalar(query, rows, radius, matches, matchDistances);
                    Assert.Equal(expected, matches.AsSpan(0, found).ToArray());
                    Assert.Equal(expected.Select(r => distances[r]).ToArray(), matchDistances.AsSpan(0, found).ToArray());
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Every_path_equals_scalar_for_row_counts_up_to_300(KernelPath path)
    {
        HammingScanPath scan = KernelTestData.HammingScanPath(path);
        var rng = new Random(22 + (int)path);
        foreach (int words in Lengths)
        {
            int bits = 64 * words;

            // Every count up to 300 for codes up to 8 words; longer codes go four rows a step, so
            // every count up to 70 and a few larger ones cover their tails.
            IEnumerable<int> counts = words <= 8 ? Enumerable.Range(0, 301) : [.. Enumerable.Range(0, 71), 127, 128, 129, 255, 256, 257, 299, 300];
            foreach (int count in counts)
            {
                (ulong[] query, ulong[] rows) = KernelTestData.ScanData(words, count, rng);

                // A radius that walks through −1 … bits + 1 as the count grows, and a fixed one.
                AssertScanMatchesScalar(scan, query, rows, (count * 7 % (bits + 3)) - 1, $"{path} words {words} rows {count}");
                AssertScanMatchesScalar(scan, query, rows, bits / 4, $"{path} words {words} rows {count}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Every_path_equals_scalar_for_every_radius(KernelPath path)
    {
        HammingScanPath scan = KernelTestData.HammingScanPath(path);
        var rng = new Random(23 + (int)path);
        foreach (int words in Lengths)
        {
            int bits = 64 * words;
            int count = words <= 8 ? 203 : 71;
            (ulong[] query, ulong[] rows) = KernelTestData.ScanData(words, count, rng);
            for (int radius = -1; radius <= bits + 1; radius++)
            {
                AssertScanMatchesScalar(scan, query, rows, radius, $"{path} words {words} radius {radius}");
            }

            AssertScanMatchesScalar(scan, query, rows, int.MaxValue, $"{path} words {words} radius max");
            AssertScanMatchesScalar(scan, query, rows, int.MinValue, $"{path} words {words} radius min");
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Extreme_codes_match_exactly_at_the_full_code_length(KernelPath path)
    {
        // All ones against all zeros: every row at distance `bits`, so radius bits − 1 finds nothing
        // and radius bits finds everything; the counts of such rows fill every byte and 16-bit field.
        HammingScanPath scan = KernelTestData.HammingScanPath(path);
        foreach (int words in Lengths)
        {
            int bits = 64 * words;
            foreach (int count in new[] { 1, 15, 16, 17, 33, 64, 131 })
            {
                var zeros = new ulong[words];
                ulong[] ones = Enumerable.Repeat(ulong.MaxValue, words).ToArray();
                ulong[] onesRows = Enumerable.Repeat(ulong.MaxValue, words * count).ToArray();
                var zeroRows = new ulong[words * count];
                var matches = new int[count];
                var distances = new int[count];

                Assert.Equal(0, scan(zeros, onesRows, bits - 1, matches, distances));
                Assert.Equal(count, scan(zeros, onesRows, bits, matches, distances));
                Assert.Equal(Enumerable.Range(0, count), matches);
                Assert.All(distances, d => Assert.Equal(bits, d));

                Assert.Equal(count, scan(ones, onesRows, 0, matches, distances));
                Assert.All(distances, d => Assert.Equal(0, d));
                Assert.Equal(count, scan(zeros, zeroRows, 0, matches, distances));
                Assert.Equal(0, scan(ones, zeroRows, bits - 1, matches, distances));
                Assert.Equal(0, scan(ones, zeroRows, -1, matches, distances));
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Matches_in_every_lane_come_out_ascending_with_their_distances(KernelPath path)
    {
        // One match at every position of a 64-row block, alone and with all the others: checks the
        // reordering of mask bits into row order for every lane of every vector.
        HammingScanPath scan = KernelTestData.HammingScanPath(path);
        var rng = new Random(24);
        foreach (int words in new[] { 1, 2, 4, 8 })
        {
            const int Count = 64;
            ulong[] query = KernelTestData.Words(words, rng);
            ulong[] far = query.Select(w => ~w).ToArray();
            for (int target = 0; target < Count; target++)
            {
                ulong[] rows = Enumerable.Range(0, Count).SelectMany(_ => far).ToArray();
                query.CopyTo(rows, target * words);
                rows[target * words] ^= 0b101; // distance 2
                var matches = new int[Count];
                var distances = new int[Count];
                Assert.Equal(1, scan(query, rows, 3, matches, distances));
                Assert.Equal(target, matches[0]);
                Assert.Equal(2, distances[0]);
            }

            ulong[] mixed = Enumerable.Range(0, Count).SelectMany(r => r % 3 == 0 ? far : query).ToArray();
            var all = new int[Count];
            var allDistances = new int[Count];
            int found = scan(query, mixed, 0, all, allDistances);
            Assert.Equal(Enumerable.Range(0, Count).Where(r => r % 3 != 0), all.Take(found));
            Assert.All(allDistances.Take(found), d => Assert.Equal(0, d));
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Scan_reads_only_its_rows_and_writes_only_its_matches(KernelPath path)
    {
        // Rows sit between padding equal to the query (distance 0, would match); outputs between sentinels.
        const int Pad = 40;
        HammingScanPath scan = KernelTestData.HammingScanPath(path);
        var rng = new Random(25);
        foreach (int words in new[] { 1, 2, 3, 4, 5, 8, 9, 16 })
        {
            foreach (int count in new[] { 1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 65 })
            {
                (ulong[] query, ulong[] rows) = KernelTestData.ScanData(words, count, rng);
                int radius = 16 * words;
                var expected = new int[count];
                int expectedCount = HammingScan.Scalar(query, rows, radius, expected);

                ulong[] padded = [.. Enumerable.Repeat(query, Pad).SelectMany(q => q), .. rows, .. Enumerable.Repeat(query, Pad).SelectMany(q => q)];
                int[] matches = Enumerable.Repeat(-7, count + 2 * Pad).ToArray();
                int[] distances = Enumerable.Repeat(-7, count + 2 * Pad).ToArray();
                int found = scan(query, padded.AsSpan(Pad * words, rows.Length), radius, matches.AsSpan(Pad, count), distances.AsSpan(Pad, count));
                Assert.Equal(expectedCount, found);
                Assert.Equal(expected.AsSpan(0, found).ToArray(), matches.AsSpan(Pad, found).ToArray());
                Assert.All(matches.AsSpan(0, Pad).ToArray(), x => Assert.Equal(-7, x));
                Assert.All(matches.AsSpan(Pad + found).ToArray(), x => Assert.Equal(-7, x));
                Assert.All(distances.AsSpan(Pad + found).ToArray(), x => Assert.Equal(-7, x));
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Scan_without_distances_leaves_them_alone(KernelPath path)
    {
        HammingScanPath scan = KernelTestData.HammingScanPath(path);
        var rng = new Random(26);
        (ulong[] query, ulong[] rows) = KernelTestData.ScanData(1, 100, rng);
        var withDistances = new int[100];
        var without = new int[100];
        int a = scan(query, rows, 20, withDistances, new int[100]);
        int b = scan(query, rows, 20, without, default);
        Assert.Equal(a, b);
        Assert.Equal(withDistances, without);
    }

    [Fact]
    public void Long_scan_of_one_word_codes_equals_scalar_on_every_path()
    {
        var rng = new Random(27);
        foreach (int words in new[] { 1, 4 })
        {
            (ulong[] query, ulong[] rows) = KernelTestData.ScanData(words, 20_011, rng);
            foreach (KernelPath path in KernelTestData.VectorPaths)
            {
                AssertScanMatchesScalar(KernelTestData.HammingScanPath(path), query, rows, 9 * words, $"{path} words {words}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Scan_arguments_are_checked(KernelPath path)
    {
        HammingScanPath scan = KernelTestData.HammingScanPath(path);
        var empty = Assert.Throws<ArgumentException>(() => scan([], new ulong[4], 1, new int[4], default));
        Assert.Equal("query", empty.ParamName);
        var partial = Assert.Throws<ArgumentException>(() => scan(new ulong[2], new ulong[5], 1, new int[3], default));
        Assert.Equal("rows", partial.ParamName);
        Assert.Contains("Length mismatch", partial.Message);
        var noRoom = Assert.Throws<ArgumentException>(() => scan(new ulong[2], new ulong[6], 1, new int[2], default));
        Assert.Equal("matches", noRoom.ParamName);
        var noDistanceRoom = Assert.Throws<ArgumentException>(() => scan(new ulong[2], new ulong[6], 1, new int[3], new int[2]));
        Assert.Equal("matchDistances", noDistanceRoom.ParamName);

        // No rows: nothing to do, even with empty outputs.
        Assert.Equal(0, scan(new ulong[3], [], 5, [], default));
    }

    [Fact]
    public void Scan_entry_points_match_scalar_and_check_arguments()
    {
        var rng = new Random(28);
        foreach (int words in Lengths)
        {
            foreach (int count in new[] { 0, 1, 5, 100, 1001 })
            {
                (ulong[] query, ulong[] rows) = KernelTestData.ScanData(words, count, rng);
                int radius = 20 * words;
                var expected = new int[count];
                var expectedDistances = new int[count];
                int expectedCount = HammingScan.Scalar(query, rows, radius, expected, expectedDistances);

                var matches = new int[count];
                Assert.Equal(expectedCount, HammingKernels.ScanWithin(query, rows, radius, matches));
                Assert.Equal(expected, matches);

                var withDistances = new int[count];
                var distances = new int[count];
                Assert.Equal(expectedCount, HammingKernels.ScanWithin(query, rows, radius, withDistances, distances));
                Assert.Equal(expected, withDistances);
                Assert.Equal(expectedDistances, distances);
            }
        }

        var missing = Assert.Throws<ArgumentException>(() => HammingKernels.ScanWithin(new ulong[1], new ulong[3], 1, new int[3], []));
        Assert.Equal("matchDistances", missing.ParamName);
        Assert.Throws<ArgumentException>(() => HammingKernels.ScanWithin(new ulong[2], new ulong[3], 1, new int[3]));
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Distance_batch_many_equals_one_query_at_a_time(KernelPath path)
    {
        var rng = new Random(29 + (int)path);
        foreach (int words in new[] { 1, 3, 4, 16 })
        {
            // Enough rows for several blocks, with a partial last block.
            int blockRows = HammingBatchMany<ScalarHammingPath>.BlockRows(words);
            foreach (int count in new[] { 0, 1, 17, 2 * blockRows + 5 })
            {
                foreach (int queryCount in new[] { 0, 1, 3 })
                {
                    (ulong[] queries, ulong[] rows) = KernelTestData.ManyData(words, queryCount, count, rng);
                    var expected = new int[queryCount * count];
                    for (int q = 0; q < queryCount; q++)
                    {
                        HammingDistanceBatch.Scalar(queries.AsSpan(q * words, words), rows, expected.AsSpan(q * count, count));
                    }

                    var actual = new int[queryCount * count];
                    KernelTestData.DistanceBatchManyPath(path)(queries, rows, words, actual);
                    Assert.Equal(expected, actual);

                    var entry = new int[queryCount * count];
                    HammingKernels.DistanceBatchMany(queries, rows, words, entry);
                    Assert.Equal(expected, entry);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Scan_within_many_equals_one_query_at_a_time(KernelPath path)
    {
        var rng = new Random(30 + (int)path);
        foreach (int words in new[] { 1, 3, 4, 16 })
        {
            int blockRows = HammingBatchMany<ScalarHammingPath>.BlockRows(words);
            foreach (int count in new[] { 0, 1, 17, 2 * blockRows + 5 })
            {
                foreach (int queryCount in new[] { 0, 1, 3 })
                {
                    (ulong[] queries, ulong[] rows) = KernelTestData.ManyData(words, queryCount, count, rng);
                    int radius = 20 * words;
                    var matches = Enumerable.Repeat(-1, queryCount * count).ToArray();
                    var counts = Enumerable.Repeat(-1, queryCount).ToArray();
                    KernelTestData.ScanWithinManyPath(path)(queries, rows, words, radius, matches, counts);
                    var entryMatches = new int[queryCount * count];
                    var entryCounts = new int[queryCount];
                    HammingKernels.ScanWithinMany(queries, rows, words, radius, entryMatches, entryCounts);
                    for (int q = 0; q < queryCount; q++)
                    {
                        var expected = new int[count];
                        int expectedCount = HammingScan.Scalar(queries.AsSpan(q * words, words), rows, radius, expected);
                        Assert.Equal(expectedCount, counts[q]);
                        Assert.Equal(expected.AsSpan(0, expectedCount).ToArray(), matches.AsSpan(q * count, expectedCount).ToArray());
                        Assert.Equal(expectedCount, entryCounts[q]);
                        Assert.Equal(expected.AsSpan(0, expectedCount).ToArray(), entryMatches.AsSpan(q * count, expectedCount).ToArray());
                    }
                }
            }
        }
    }

    [Fact]
    public void Many_query_forms_check_their_arguments()
    {
        Assert.Equal("words", Assert.Throws<ArgumentException>(() => HammingKernels.DistanceBatchMany(new ulong[2], new ulong[2], 0, new int[1])).ParamName);
        Assert.Equal("queries", Assert.Throws<ArgumentException>(() => HammingKernels.DistanceBatchMany(new ulong[3], new ulong[4], 2, new int[2])).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => HammingKernels.DistanceBatchMany(new ulong[2], new ulong[5], 2, new int[2])).ParamName);
        Assert.Equal("results", Assert.Throws<ArgumentException>(() => HammingKernels.DistanceBatchMany(new ulong[4], new ulong[6], 2, new int[5])).ParamName);
        Assert.Equal("counts", Assert.Throws<ArgumentException>(() => HammingKernels.ScanWithinMany(new ulong[4], new ulong[6], 2, 3, new int[6], new int[1])).ParamName);
        Assert.Equal("matches", Assert.Throws<ArgumentException>(() => HammingKernels.ScanWithinMany(new ulong[4], new ulong[6], 2, 3, new int[5], new int[2])).ParamName);
    }

    private static void AssertScanMatchesScalar(HammingScanPath scan, ulong[] query, ulong[] rows, int radius, string context)
    {
        int count = rows.Length / query.Length;
        var expected = new int[count];
        var expectedDistances = new int[count];
        int expectedCount = HammingScan.Scalar(query, rows, radius, expected, expectedDistances);
        var actual = Enumerable.Repeat(-3, count).ToArray();
        var distances = Enumerable.Repeat(-3, count).ToArray();
        int found = scan(query, rows, radius, actual, distances);
        Assert.True(expectedCount == found, $"{context}: expected {expectedCount} matches, got {found}");
        for (int k = 0; k < found; k++)
        {
            Assert.True(
                expected[k] == actual[k] && expectedDistances[k] == distances[k],
                $"{context} match {k}: expected row {expected[k]} at {expectedDistances[k]}, got row {actual[k]} at {distances[k]}");
        }
    }
}

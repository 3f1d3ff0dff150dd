using System.Numerics.Tensors;
using Aknn.Embedded.Kernels;

namespace Aknn.Embedded.Tests.Kernels;

public class HammingKernelTests
{
    private const int MaxWords = 256;

    public static TheoryData<KernelPath> VectorPaths() => new(KernelTestData.VectorPaths);

    public static TheoryData<KernelPath> AllPaths() => new(Enum.GetValues<KernelPath>());

    [Fact]
    public void Scalar_path_matches_bit_by_bit_count_and_tensor_primitives()
    {
        var rng = new Random(11);
        for (int words = 0; words <= MaxWords; words++)
        {
            ulong[] a = KernelTestData.Words(words, rng);
            ulong[] b = KernelTestData.Words(words, rng);
            int expected = KernelTestData.BitByBitHamming(a, b);
            Assert.Equal(expected, HammingDistance.Scalar(a, b));
            Assert.Equal(expected, (int)TensorPrimitives.HammingBitDistance<ulong>(a, b));
        }
    }

    [Theory]
    [MemberData(nameof(VectorPaths))]
    public void Vector_path_equals_scalar_for_single_pairs_of_every_length(KernelPath path)
    {
        HammingPair vector = KernelTestData.HammingPairPath(path);
        var rng = new Random(12 + (int)path);
        for (int words = 0; words <= MaxWords; words++)
        {
            ulong[] a = KernelTestData.Words(words, rng);
            ulong[] b = KernelTestData.Words(words, rng);
            Assert.Equal(HammingDistance.Scalar(a, b), vector(a, b));

            // Extremes: identical codes, complementary codes, all ones against all zeros.
            Assert.Equal(0, vector(a, a));
            Assert.Equal(64 * words, vector(a, a.Select(w => ~w).ToArray()));
            Assert.Equal(64 * words, vector(Enumerable.Repeat(ulong.MaxValue, words).ToArray(), new ulong[words]));
        }
    }

    [Theory]
    [MemberData(nameof(VectorPaths))]
    public void Vector_path_equals_scalar_for_batches_of_every_code_length(KernelPath path)
    {
        HammingBatch vector = KernelTestData.HammingBatchPath(path);
        var rng = new Random(13 + (int)path);
        for (int words = 1; words <= MaxWords; words++)
        {
            foreach (int count in KernelTestData.RowCounts)
            {
                AssertBatchMatchesScalar(vector, words, count, rng, $"{path} words {words} rows {count}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void One_word_batches_match_single_pairs_for_every_row_count(KernelPath path)
    {
        // The one-word loops step 4, 8 or 16 codes at a time: every count up to 70 covers each tail.
        HammingBatch batch = KernelTestData.HammingBatchPath(path);
        var rng = new Random(14 + (int)path);
        for (int count = 0; count <= 70; count++)
        {
            ulong[] query = KernelTestData.Words(1, rng);
            ulong[] rows = KernelTestData.Words(count, rng);
            if (count > 2)
            {
                rows[0] = query[0];
                rows[1] = ~query[0];
            }

            var results = new int[count];
            batch(query, rows, results);
            for (int r = 0; r < count; r++)
            {
                Assert.Equal(KernelTestData.BitByBitHamming(query, rows.AsSpan(r, 1)), results[r]);
            }
        }
    }

    [Fact]
    public void One_word_batch_over_many_codes_matches_scalar_on_every_path()
    {
        var rng = new Random(15);
        foreach (KernelPath path in KernelTestData.VectorPaths)
        {
            AssertBatchMatchesScalar(KernelTestData.HammingBatchPath(path), 1, 10_007, rng, $"{path} 10007 codes");
        }
    }

    [Fact]
    public void Long_codes_overflow_no_byte_counter()
    {
        // 1024 words of all ones against zeros: the per-byte counts must be widened before they wrap.
        ulong[] ones = Enumerable.Repeat(ulong.MaxValue, 1024).ToArray();
        var zeros = new ulong[1024];
        foreach (KernelPath path in Enum.GetValues<KernelPath>())
        {
            Assert.Equal(64 * 1024, KernelTestData.HammingPairPath(path)(ones, zeros));
            var results = new int[2];
            KernelTestData.HammingBatchPath(path)(zeros, [.. ones, .. zeros], results);
            Assert.Equal([64 * 1024, 0], results);
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Batch_reads_only_its_own_codes(KernelPath path)
    {
        // Codes sit between all-ones padding, results between sentinels.
        const int Pad = 40;
        HammingBatch batch = KernelTestData.HammingBatchPath(path);
        var rng = new Random(16);
        foreach (int words in new[] { 1, 2, 3, 4, 5, 8, 9, 16, 17 })
        {
            foreach (int count in new[] { 1, 3, 4, 7, 8, 15, 16, 17, 33 })
            {
                ulong[] query = KernelTestData.Words(words, rng);
                ulong[] rows = KernelTestData.Words(words * count, rng);
                var expected = new int[count];
                HammingDistanceBatch.Scalar(query, rows, expected);

                ulong[] padded = [.. Enumerable.Repeat(ulong.MaxValue, Pad), .. rows, .. Enumerable.Repeat(ulong.MaxValue, Pad)];
                var results = Enumerable.Repeat(-7, count + 2 * Pad).ToArray();
                batch(query, padded.AsSpan(Pad, rows.Length), results.AsSpan(Pad, count));
                Assert.Equal(expected, results.AsSpan(Pad, count).ToArray());
                Assert.All(results.AsSpan(0, Pad).ToArray(), x => Assert.Equal(-7, x));
                Assert.All(results.AsSpan(Pad + count).ToArray(), x => Assert.Equal(-7, x));
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Empty_codes_have_distance_zero(KernelPath path)
    {
        Assert.Equal(0, KernelTestData.HammingPairPath(path)([], []));
        int[] results = [5, 5, 5];
        KernelTestData.HammingBatchPath(path)([], [], results);
        Assert.Equal([0, 0, 0], results);
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Mismatched_lengths_throw_argument_exception(KernelPath path)
    {
        var pairError = Assert.Throws<ArgumentException>(() => KernelTestData.HammingPairPath(path)(new ulong[4], new ulong[3]));
        Assert.Contains("Length mismatch", pairError.Message);
        var batchError = Assert.Throws<ArgumentException>(() => KernelTestData.HammingBatchPath(path)(new ulong[2], new ulong[7], new int[3]));
        Assert.Contains("Length mismatch", batchError.Message);
        Assert.Equal("rows", batchError.ParamName);
    }

    [Fact]
    public void Entry_points_match_scalar_and_check_lengths()
    {
        var rng = new Random(17);
        foreach (int words in new[] { 1, 2, 3, 4, 8, 16, 33 })
        {
            foreach (int count in new[] { 0, 1, 5, 100, 1001 })
            {
                ulong[] query = KernelTestData.Words(words, rng);
                ulong[] rows = KernelTestData.Words(words * count, rng);
                var expected = new int[count];
                var actual = new int[count];
                HammingDistanceBatch.Scalar(query, rows, expected);
                HammingKernels.DistanceBatch(query, rows, actual);
                Assert.Equal(expected, actual);
                if (count > 0)
                {
                    Assert.Equal(expected[^1], HammingKernels.Distance(query, rows.AsSpan(rows.Length - words)));
                }
            }
        }

        Assert.Throws<ArgumentException>(() => HammingKernels.Distance(new ulong[1], new ulong[2]));
        Assert.Throws<ArgumentException>(() => HammingKernels.DistanceBatch(new ulong[1], new ulong[2], new int[3]));
    }

    private static void AssertBatchMatchesScalar(HammingBatch vector, int words, int count, Random rng, string context)
    {
        ulong[] query = KernelTestData.Words(words, rng);
        ulong[] rows = KernelTestData.Words(words * count, rng);
        var expected = new int[count];
        var actual = new int[count];
        HammingDistanceBatch.Scalar(query, rows, expected);
        vector(query, rows, actual);
        for (int r = 0; r < count; r++)
        {
            Assert.True(expected[r] == actual[r], $"{context} row {r}: expected {expected[r]}, got {actual[r]}");
        }
    }
}

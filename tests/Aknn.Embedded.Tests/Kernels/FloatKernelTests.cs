using Aknn.Embedded.Kernels;

namespace Aknn.Embedded.Tests.Kernels;

public class FloatKernelTests
{
    private const int MaxLength = 256;

    public static TheoryData<FloatFamily, KernelPath> FamiliesAndVectorPaths()
    {
        var data = new TheoryData<FloatFamily, KernelPath>();
        foreach (FloatFamily family in Enum.GetValues<FloatFamily>())
        {
            foreach (KernelPath path in KernelTestData.VectorPaths)
            {
                data.Add(family, path);
            }
        }

        return data;
    }

    public static TheoryData<FloatFamily, KernelPath> FamiliesAndAllPaths()
    {
        var data = new TheoryData<FloatFamily, KernelPath>();
        foreach (FloatFamily family in Enum.GetValues<FloatFamily>())
        {
            foreach (KernelPath path in Enum.GetValues<KernelPath>())
            {
                data.Add(family, path);
            }
        }

        return data;
    }

    public static TheoryData<FloatFamily, FloatData> FamiliesAndData()
    {
        var data = new TheoryData<FloatFamily, FloatData>();
        foreach (FloatFamily family in Enum.GetValues<FloatFamily>())
        {
            foreach (FloatData kind in Enum.GetValues<FloatData>())
            {
                data.Add(family, kind);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FamiliesAndData))]
    public void Scalar_path_matches_a_double_precision_sum(FloatFamily family, FloatData kind)
    {
        FloatPair scalar = KernelTestData.Pair(family, KernelPath.Scalar);
        for (int length = 0; length <= MaxLength; length++)
        {
            (float[] a, float[] b) = KernelTestData.FloatPairData(kind, length, Seed(kind, length));
            (double expected, double magnitude) = KernelTestData.Reference(family, a, b);
            KernelTestData.AssertClose(expected, scalar(a, b), magnitude, $"{family} {kind} length {length}");
        }
    }

    [Theory]
    [MemberData(nameof(FamiliesAndVectorPaths))]
    public void Vector_path_equals_scalar_for_single_pairs_of_every_length(FloatFamily family, KernelPath path)
    {
        FloatPair scalar = KernelTestData.Pair(family, KernelPath.Scalar);
        FloatPair vector = KernelTestData.Pair(family, path);
        foreach (FloatData kind in Enum.GetValues<FloatData>())
        {
            for (int length = 0; length <= MaxLength; length++)
            {
                (float[] a, float[] b) = KernelTestData.FloatPairData(kind, length, Seed(kind, length));
                float expected = scalar(a, b);
                float actual = vector(a, b);
                string context = $"{family} {path} {kind} length {length}";
                if (kind is FloatData.Integers or FloatData.Zeros)
                {
                    Assert.True(expected == actual, $"{context}: expected exactly {expected}, got {actual}");
                }
                else
                {
                    KernelTestData.AssertClose(expected, actual, KernelTestData.Reference(family, a, b).Magnitude, context);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(FamiliesAndVectorPaths))]
    public void Vector_path_equals_scalar_for_batches_of_every_dimension(FloatFamily family, KernelPath path)
    {
        FloatBatch scalar = KernelTestData.Batch(family, KernelPath.Scalar);
        FloatBatch vector = KernelTestData.Batch(family, path);
        foreach (FloatData kind in new[] { FloatData.Random, FloatData.Integers, FloatData.Negatives, FloatData.MixedMagnitudes })
        {
            for (int dim = 1; dim <= MaxLength; dim++)
            {
                foreach (int count in KernelTestData.RowCounts)
                {
                    int seed = Seed(kind, dim) * 31 + count;
                    float[] query = KernelTestData.FloatPairData(kind, dim, seed).A;
                    float[] rows = KernelTestData.FloatPairData(kind, dim * count, seed + 1).B;
                    var expected = new float[count];
                    var actual = new float[count];
                    scalar(query, rows, expected);
                    vector(query, rows, actual);
                    for (int r = 0; r < count; r++)
                    {
                        string context = $"{family} {path} {kind} dim {dim} rows {count} row {r}";
                        if (kind == FloatData.Integers)
                        {
                            Assert.True(expected[r] == actual[r], $"{context}: expected exactly {expected[r]}, got {actual[r]}");
                        }
                        else
                        {
                            double magnitude = KernelTestData.Reference(family, query, rows.AsSpan(r * dim, dim)).Magnitude;
                            KernelTestData.AssertClose(expected[r], actual[r], magnitude, context);
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(FamiliesAndAllPaths))]
    public void Batch_row_equals_the_same_paths_single_pair(FloatFamily family, KernelPath path)
    {
        FloatPair pair = KernelTestData.Pair(family, path);
        FloatBatch batch = KernelTestData.Batch(family, path);
        foreach (int dim in new[] { 1, 3, 4, 7, 8, 15, 16, 17, 25, 31, 32, 33, 64, 100, 128, 129, 255, 256, 768 })
        {
            const int Count = 9;
            float[] query = KernelTestData.FloatPairData(FloatData.Random, dim, dim).A;
            float[] rows = KernelTestData.FloatPairData(FloatData.Random, dim * Count, dim + 1).B;
            var results = new float[Count];
            batch(query, rows, results);
            for (int r = 0; r < Count; r++)
            {
                ReadOnlySpan<float> row = rows.AsSpan(r * dim, dim);
                KernelTestData.AssertClose(
                    pair(query, row), results[r], KernelTestData.Reference(family, query, row).Magnitude,
                    $"{family} {path} dim {dim} row {r}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(FamiliesAndAllPaths))]
    public void Kernels_read_only_their_own_elements(FloatFamily family, KernelPath path)
    {
        // The operands sit between NaN padding and the results between sentinels: a lane read from
        // outside a span and counted, or a result stored outside its slot, shows up at once.
        const int Pad = 40;
        const int Count = 6;
        FloatPair pair = KernelTestData.Pair(family, path);
        FloatBatch batch = KernelTestData.Batch(family, path);
        foreach (int dim in Enumerable.Range(1, 40).Concat([63, 64, 65, 127, 128, 129]))
        {
            (float[] a, float[] b) = KernelTestData.FloatPairData(FloatData.Integers, dim * Count, dim);
            float[] paddedA = Padded(a, Pad);
            float[] paddedB = Padded(b, Pad);

            Assert.Equal(pair(a.AsSpan(0, dim), b.AsSpan(0, dim)), pair(paddedA.AsSpan(Pad, dim), paddedB.AsSpan(Pad, dim)));
            Assert.Equal(
                pair(a.AsSpan(a.Length - dim), b.AsSpan(b.Length - dim)),
                pair(paddedA.AsSpan(Pad + a.Length - dim, dim), paddedB.AsSpan(Pad + b.Length - dim, dim)));

            var expected = new float[Count];
            batch(a.AsSpan(0, dim), b, expected);
            var results = new float[Count + 2 * Pad];
            results.AsSpan().Fill(-12345f);
            batch(paddedA.AsSpan(Pad, dim), paddedB.AsSpan(Pad, b.Length), results.AsSpan(Pad, Count));
            Assert.Equal(expected, results.AsSpan(Pad, Count).ToArray());
            Assert.All(results.AsSpan(0, Pad).ToArray(), x => Assert.Equal(-12345f, x));
            Assert.All(results.AsSpan(Pad + Count).ToArray(), x => Assert.Equal(-12345f, x));
        }
    }

    [Theory]
    [MemberData(nameof(FamiliesAndAllPaths))]
    public void Non_finite_elements_propagate_on_every_path(FloatFamily family, KernelPath path)
    {
        FloatPair pair = KernelTestData.Pair(family, path);
        FloatBatch batch = KernelTestData.Batch(family, path);
        for (int length = 1; length <= 40; length++)
        {
            for (int position = 0; position < length; position++)
            {
                (float[] a, float[] b) = KernelTestData.FloatPairData(FloatData.Integers, length, length);
                a[position] = float.NaN;
                Assert.True(float.IsNaN(pair(a, b)), $"{family} {path} NaN at {position} of {length}");

                if (family != FloatFamily.Dot)
                {
                    a[position] = float.PositiveInfinity;
                    Assert.Equal(float.PositiveInfinity, pair(a, b));

                    // The same row three times, then the poisoned one last, so that the last row of
                    // a four-row step and the single-row tail are both covered.
                    float[] rows = [.. b, .. b, .. b, .. b, .. a];
                    var results = new float[5];
                    batch(b, rows, results);
                    Assert.Equal([0f, 0f, 0f, 0f, float.PositiveInfinity], results);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(FamiliesAndAllPaths))]
    public void Empty_vectors_have_distance_zero(FloatFamily family, KernelPath path)
    {
        Assert.Equal(0f, KernelTestData.Pair(family, path)([], []));
        float[] results = [7f, 7f, 7f];
        KernelTestData.Batch(family, path)([], [], results);
        Assert.Equal([0f, 0f, 0f], results);
    }

    [Theory]
    [MemberData(nameof(FamiliesAndAllPaths))]
    public void Mismatched_lengths_throw_argument_exception(FloatFamily family, KernelPath path)
    {
        FloatPair pair = KernelTestData.Pair(family, path);
        FloatBatch batch = KernelTestData.Batch(family, path);

        var pairError = Assert.Throws<ArgumentException>(() => pair(new float[8], new float[9]));
        Assert.Contains("Length mismatch", pairError.Message);

        var batchError = Assert.Throws<ArgumentException>(() => batch(new float[8], new float[8 * 3 + 1], new float[3]));
        Assert.Contains("Length mismatch", batchError.Message);
        Assert.Equal("rows", batchError.ParamName);
        Assert.Throws<ArgumentException>(() => batch(new float[8], new float[8 * 3], new float[2]));
    }

    [Theory]
    [InlineData(FloatFamily.SquaredL2)]
    [InlineData(FloatFamily.Dot)]
    [InlineData(FloatFamily.L1)]
    public void Entry_points_match_scalar_and_check_lengths(FloatFamily family)
    {
        FloatPair entry = KernelTestData.Entry(family);
        FloatBatch entryBatch = KernelTestData.EntryBatch(family);
        FloatPair scalar = KernelTestData.Pair(family, KernelPath.Scalar);
        FloatBatch scalarBatch = KernelTestData.Batch(family, KernelPath.Scalar);
        foreach (int dim in new[] { 1, 5, 8, 16, 25, 100, 128, 256, 768, 1000 })
        {
            (float[] a, float[] b) = KernelTestData.FloatPairData(FloatData.Random, dim * 17, dim);
            KernelTestData.AssertClose(
                scalar(a.AsSpan(0, dim), b.AsSpan(0, dim)), entry(a.AsSpan(0, dim), b.AsSpan(0, dim)),
                KernelTestData.Reference(family, a.AsSpan(0, dim), b.AsSpan(0, dim)).Magnitude, $"{family} dim {dim}");

            var expected = new float[17];
            var actual = new float[17];
            scalarBatch(a.AsSpan(0, dim), b, expected);
            entryBatch(a.AsSpan(0, dim), b, actual);
            for (int r = 0; r < 17; r++)
            {
                KernelTestData.AssertClose(
                    expected[r], actual[r], KernelTestData.Reference(family, a.AsSpan(0, dim), b.AsSpan(r * dim, dim)).Magnitude,
                    $"{family} batch dim {dim} row {r}");
            }
        }

        Assert.Throws<ArgumentException>(() => entry(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => entryBatch(new float[3], new float[10], new float[3]));
    }

    private static int Seed(FloatData kind, int length) => (int)kind * 1000 + length;

    private static float[] Padded(float[] values, int pad)
    {
        var padded = new float[values.Length + 2 * pad];
        padded.AsSpan().Fill(float.NaN);
        values.CopyTo(padded, pad);
        return padded;
    }
}

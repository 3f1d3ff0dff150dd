using CommunityToolkit.HighPerformance;

namespace Aknn.Embedded.Orleans.Tests.Support;

/// <summary>Seeded rows and the single index that holds the same rows, the reference every sharded result is compared with.</summary>
public static class TestData
{
    public static (string[] Ids, float[,] Vectors) Vectors(int rows, int dims, int seed)
    {
        var random = new Random(seed);
        var ids = new string[rows];
        var data = new float[rows, dims];
        for (int i = 0; i < rows; i++)
        {
            ids[i] = $"item-{i:D5}";
            // Every tenth row repeats the row before it, so that equal distances (ties) occur and
            // the merge must break them the way one index does.
            for (int d = 0; d < dims; d++)
                data[i, d] = i % 10 == 9 ? data[i - 1, d] : (float)(random.NextDouble() * 2 - 1);
        }
        return (ids, data);
    }

    public static (string[] Ids, ulong[,] Codes) Codes(int rows, int words, int seed)
    {
        var random = new Random(seed);
        var ids = new string[rows];
        var codes = new ulong[rows, words];
        for (int i = 0; i < rows; i++)
        {
            ids[i] = $"code-{i:D5}";
            for (int w = 0; w < words; w++)
            {
                // Near-duplicates of a few base codes, so radius searches find many rows.
                ulong baseCode = (ulong)(i % 7) * 0x9E3779B97F4A7C15UL;
                ulong noise = 0;
                for (int b = 0; b < 6; b++) noise |= 1UL << random.Next(64);
                codes[i, w] = baseCode ^ noise;
            }
        }
        return (ids, codes);
    }

    public static float[] Row(float[,] data, int row) => new ReadOnlySpan2D<float>(data).GetRowSpan(row).ToArray();

    public static ulong[] Row(ulong[,] data, int row) => new ReadOnlySpan2D<ulong>(data).GetRowSpan(row).ToArray();

    /// <summary>
    /// Asserts the same ids in the same order, and the same distances up to float32 rounding. Not
    /// bit-identical: the core's exact-search kernel takes rows four at a time and the last n % 4
    /// one by one, which rounds the same row's distance differently (by an ulp or two) depending on
    /// where it sits in its segment, and a row's position differs between a shard and one index.
    /// </summary>
    public static void Same(IReadOnlyList<Hit> expected, IReadOnlyList<Hit> actual)
    {
        Assert.Equal(expected.Select(h => h.Id), actual.Select(h => h.Id));
        for (int i = 0; i < expected.Count; i++)
        {
            float e = expected[i].Distance, a = actual[i].Distance;
            Assert.True(MathF.Abs(e - a) <= 1e-6f * MathF.Max(1f, MathF.Abs(e)),
                $"Hit {i} ({expected[i].Id}): distance {a:R} differs from the single index's {e:R} by more than float32 rounding.");
        }
    }
}

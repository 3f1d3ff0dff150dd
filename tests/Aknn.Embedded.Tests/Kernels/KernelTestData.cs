using System.Runtime.Intrinsics;
using Aknn.Embedded.Kernels;

namespace Aknn.Embedded.Tests.Kernels;

/// <summary>Which implementation of a kernel a test runs.</summary>
public enum KernelPath
{
    Scalar,
    V128,
    V256,
    V512,
}

/// <summary>The float kernel families.</summary>
public enum FloatFamily
{
    SquaredL2,
    Dot,
    L1,
}

/// <summary>Shapes of test data, each meant to catch a different mistake.</summary>
public enum FloatData
{
    /// <summary>Uniform in [−1, 1).</summary>
    Random,

    /// <summary>All zeros in both operands.</summary>
    Zeros,

    /// <summary>Every element negative, in (−100, −0.001].</summary>
    Negatives,

    /// <summary>Magnitudes near 1e15 to 1e17 with random signs.</summary>
    Large,

    /// <summary>Magnitudes spread over 1e−20 to 1e15 (some squares are subnormal).</summary>
    MixedMagnitudes,

    /// <summary>
    /// Small integers with <c>b[i] ≠ a[i]</c> everywhere: every sum is exact in float, so paths
    /// must agree bit for bit and a lane counted twice or missed changes the result.
    /// </summary>
    Integers,
}

internal delegate float FloatPair(ReadOnlySpan<float> a, ReadOnlySpan<float> b);

internal delegate void FloatBatch(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, Span<float> results);

internal delegate int HammingPair(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b);

internal delegate void HammingBatch(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, Span<int> results);

internal delegate int HammingScanPath(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, int radius, Span<int> matches, Span<int> matchDistances);

internal delegate void HammingBatchMany(ReadOnlySpan<ulong> queries, ReadOnlySpan<ulong> rows, int words, Span<int> results);

internal delegate void HammingScanMany(ReadOnlySpan<ulong> queries, ReadOnlySpan<ulong> rows, int words, int radius, Span<int> matches, Span<int> counts);

internal static class KernelTestData
{
    public static readonly KernelPath[] VectorPaths = [KernelPath.V128, KernelPath.V256, KernelPath.V512];

    /// <summary>Row counts for batch tests: empty, one, fewer than a four-row step, several steps plus a tail.</summary>
    public static readonly int[] RowCounts = [0, 1, 3, 17];

    /// <summary>
    /// Whether the CPU accelerates the vector width of <paramref name="path"/>. Paths that are not
    /// accelerated are still run: the kernels only use ISA-specific intrinsics behind
    /// <c>IsSupported</c> checks, and the runtime emulates the portable vector types, so the
    /// path's own logic (loop bounds, tail masks, reductions) is checked on every CPU.
    /// </summary>
    public static bool IsAccelerated(KernelPath path) => path switch
    {
        KernelPath.Scalar => true,
        KernelPath.V128 => Vector128.IsHardwareAccelerated,
        KernelPath.V256 => Vector256.IsHardwareAccelerated,
        KernelPath.V512 => Vector512.IsHardwareAccelerated,
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    public static FloatPair Pair(FloatFamily family, KernelPath path) => family switch
    {
        FloatFamily.SquaredL2 => Pair<SquaredL2Kernel>(path),
        FloatFamily.Dot => Pair<DotKernel>(path),
        FloatFamily.L1 => Pair<L1Kernel>(path),
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    public static FloatBatch Batch(FloatFamily family, KernelPath path) => family switch
    {
        FloatFamily.SquaredL2 => Batch<SquaredL2Kernel>(path),
        FloatFamily.Dot => Batch<DotKernel>(path),
        FloatFamily.L1 => Batch<L1Kernel>(path),
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    public static FloatPair Entry(FloatFamily family) => family switch
    {
        FloatFamily.SquaredL2 => FloatKernels.SquaredL2,
        FloatFamily.Dot => FloatKernels.Dot,
        FloatFamily.L1 => FloatKernels.L1,
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    public static FloatBatch EntryBatch(FloatFamily family) => family switch
    {
        FloatFamily.SquaredL2 => FloatKernels.SquaredL2Batch,
        FloatFamily.Dot => FloatKernels.DotBatch,
        FloatFamily.L1 => FloatKernels.L1Batch,
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    public static HammingPair HammingPairPath(KernelPath path) => path switch
    {
        KernelPath.Scalar => HammingDistance.Scalar,
        KernelPath.V128 => HammingDistance.V128,
        KernelPath.V256 => HammingDistance.V256,
        KernelPath.V512 => HammingDistance.V512,
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    public static HammingBatch HammingBatchPath(KernelPath path) => path switch
    {
        KernelPath.Scalar => HammingDistanceBatch.Scalar,
        KernelPath.V128 => HammingDistanceBatch.V128,
        KernelPath.V256 => HammingDistanceBatch.V256,
        KernelPath.V512 => HammingDistanceBatch.V512,
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    public static HammingScanPath HammingScanPath(KernelPath path) => path switch
    {
        KernelPath.Scalar => HammingScan.Scalar,
        KernelPath.V128 => HammingScan.V128,
        KernelPath.V256 => HammingScan.V256,
        KernelPath.V512 => HammingScan.V512,
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    public static HammingBatchMany DistanceBatchManyPath(KernelPath path) => path switch
    {
        KernelPath.Scalar => HammingBatchMany<ScalarHammingPath>.DistanceBatchMany,
        KernelPath.V128 => HammingBatchMany<V128HammingPath>.DistanceBatchMany,
        KernelPath.V256 => HammingBatchMany<V256HammingPath>.DistanceBatchMany,
        KernelPath.V512 => HammingBatchMany<V512HammingPath>.DistanceBatchMany,
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    public static HammingScanMany ScanWithinManyPath(KernelPath path) => path switch
    {
        KernelPath.Scalar => HammingBatchMany<ScalarHammingPath>.ScanWithinMany,
        KernelPath.V128 => HammingBatchMany<V128HammingPath>.ScanWithinMany,
        KernelPath.V256 => HammingBatchMany<V256HammingPath>.ScanWithinMany,
        KernelPath.V512 => HammingBatchMany<V512HammingPath>.ScanWithinMany,
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    /// <summary>
    /// A query and <paramref name="count"/> rows for radius scans. Random codes sit near half the
    /// code length from any query, so half the rows are the query with a uniform 0 … bits number
    /// of bits flipped (every distance is about as likely); the rest are random, all ones, all
    /// zeros, the query itself or its complement. The query is all zeros or all ones one time in eight each.
    /// </summary>
    public static (ulong[] Query, ulong[] Rows) ScanData(int words, int count, Random rng)
    {
        ulong[] query = rng.Next(8) switch
        {
            0 => new ulong[words],
            1 => Enumerable.Repeat(ulong.MaxValue, words).ToArray(),
            _ => Words(words, rng),
        };
        var rows = new ulong[words * count];
        for (int r = 0; r < count; r++)
        {
            Span<ulong> row = rows.AsSpan(r * words, words);
            int kind = rng.Next(12);
            switch (kind)
            {
                case < 6:
                    query.CopyTo(row);
                    FlipBits(row, rng.Next(64 * words + 1), rng);
                    break;
                case < 8:
                    Words(words, rng).CopyTo(row);
                    break;
                case 8:
                    row.Fill(ulong.MaxValue);
                    break;
                case 9:
                    row.Clear();
                    break;
                case 10:
                    query.CopyTo(row);
                    break;
                default:
                    for (int w = 0; w < words; w++)
                    {
                        row[w] = ~query[w];
                    }

                    break;
            }
        }

        return (query, rows);
    }

    /// <summary>
    /// <paramref name="queryCount"/> random queries and <paramref name="count"/> rows, each row one
    /// of the queries with a uniform 0 … bits number of bits flipped.
    /// </summary>
    public static (ulong[] Queries, ulong[] Rows) ManyData(int words, int queryCount, int count, Random rng)
    {
        ulong[] queries = Words(words * queryCount, rng);
        var rows = new ulong[words * count];
        for (int r = 0; r < count; r++)
        {
            Span<ulong> row = rows.AsSpan(r * words, words);
            if (queryCount == 0)
            {
                Words(words, rng).CopyTo(row);
                continue;
            }

            queries.AsSpan(rng.Next(queryCount) * words, words).CopyTo(row);
            FlipBits(row, rng.Next(64 * words + 1), rng);
        }

        return (queries, rows);
    }

    /// <summary>Flips <paramref name="flips"/> distinct random bits of <paramref name="code"/>.</summary>
    public static void FlipBits(Span<ulong> code, int flips, Random rng)
    {
        int bits = 64 * code.Length;

        // Past half the bits, flip them all and then flip back the ones to keep, so that the
        // loop below always looks for positions among at least half the bits.
        bool invert = flips > bits / 2;
        if (invert)
        {
            for (int w = 0; w < code.Length; w++)
            {
                code[w] = ~code[w];
            }

            flips = bits - flips;
        }

        Span<ulong> touched = stackalloc ulong[code.Length];
        touched.Clear();
        for (int done = 0; done < flips;)
        {
            int bit = rng.Next(bits);
            ulong mask = 1UL << (bit % 64);
            if ((touched[bit / 64] & mask) == 0)
            {
                touched[bit / 64] |= mask;
                code[bit / 64] ^= mask;
                done++;
            }
        }
    }

    private static FloatPair Pair<TKernel>(KernelPath path)
        where TKernel : struct, IFloatDistanceKernel => path switch
        {
            KernelPath.Scalar => FloatDistance<TKernel>.Scalar,
            KernelPath.V128 => FloatDistance<TKernel>.V128,
            KernelPath.V256 => FloatDistance<TKernel>.V256,
            KernelPath.V512 => FloatDistance<TKernel>.V512,
            _ => throw new ArgumentOutOfRangeException(nameof(path)),
        };

    private static FloatBatch Batch<TKernel>(KernelPath path)
        where TKernel : struct, IFloatDistanceKernel => path switch
        {
            KernelPath.Scalar => FloatDistanceBatch<TKernel>.Scalar,
            KernelPath.V128 => FloatDistanceBatch<TKernel>.V128,
            KernelPath.V256 => FloatDistanceBatch<TKernel>.V256,
            KernelPath.V512 => FloatDistanceBatch<TKernel>.V512,
            _ => throw new ArgumentOutOfRangeException(nameof(path)),
        };

    /// <summary>Two operands of <paramref name="length"/> elements each, of the given shape.</summary>
    public static (float[] A, float[] B) FloatPairData(FloatData kind, int length, int seed)
    {
        var rng = new Random(seed);
        var a = new float[length];
        var b = new float[length];
        for (int i = 0; i < length; i++)
        {
            (a[i], b[i]) = kind switch
            {
                FloatData.Random => (Uniform(rng, -1, 1), Uniform(rng, -1, 1)),
                FloatData.Zeros => (0f, 0f),
                FloatData.Negatives => (-Uniform(rng, 0.001f, 100), -Uniform(rng, 0.001f, 100)),
                FloatData.Large => (Signed(rng, 1e15f, 1e17f), Signed(rng, 1e15f, 1e17f)),
                FloatData.MixedMagnitudes => (Spread(rng), Spread(rng)),
                FloatData.Integers => IntegerPair(rng),
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };
        }

        return (a, b);
    }

    /// <summary>
    /// Double-precision reference value and the scale against which rounding differences are
    /// judged: Σ|term| (for squared L2 and L1 this is the value itself).
    /// </summary>
    public static (double Value, double Magnitude) Reference(FloatFamily family, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double value = 0, magnitude = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double term = family switch
            {
                FloatFamily.SquaredL2 => ((double)a[i] - b[i]) * ((double)a[i] - b[i]),
                FloatFamily.Dot => (double)a[i] * b[i],
                FloatFamily.L1 => Math.Abs((double)a[i] - b[i]),
                _ => throw new ArgumentOutOfRangeException(nameof(family)),
            };
            value += term;
            magnitude += Math.Abs(term);
        }

        return (value, magnitude);
    }

    /// <summary>
    /// Asserts that two float results agree to a relative 1e−5 of <paramref name="magnitude"/>
    /// (Σ|term|), with an absolute floor for sums of subnormal terms. NaN equals NaN.
    /// </summary>
    public static void AssertClose(double expected, double actual, double magnitude, string context)
    {
        if (double.IsNaN(expected) || double.IsInfinity(expected))
        {
            Assert.True(expected.Equals(actual), $"{context}: expected {expected}, got {actual}");
            return;
        }

        double tolerance = 1e-5 * magnitude + 1e-30;
        Assert.True(
            Math.Abs(expected - actual) <= tolerance,
            $"{context}: expected {expected:R}, got {actual:R} (difference {Math.Abs(expected - actual):G3}, tolerance {tolerance:G3})");
    }

    /// <summary>Random 64-bit words; every fourth call of the generator yields a sparse or dense word.</summary>
    public static ulong[] Words(int length, Random rng)
    {
        var words = new ulong[length];
        for (int i = 0; i < length; i++)
        {
            ulong w = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 63);
            words[i] = rng.Next(4) switch
            {
                0 => w & (ulong)rng.NextInt64() & (ulong)rng.NextInt64(),
                1 => w | (ulong)rng.NextInt64() | (ulong)rng.NextInt64(),
                _ => w,
            };
        }

        return words;
    }

    /// <summary>Bit-by-bit Hamming distance, independent of any popcount instruction.</summary>
    public static int BitByBitHamming(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        int count = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ulong x = a[i] ^ b[i];
            for (int bit = 0; bit < 64; bit++)
            {
                count += (int)((x >> bit) & 1);
            }
        }

        return count;
    }

    private static float Uniform(Random rng, float min, float max) => min + (float)rng.NextDouble() * (max - min);

    private static float Signed(Random rng, float min, float max) =>
        (rng.Next(2) == 0 ? -1 : 1) * Uniform(rng, min, max);

    private static float Spread(Random rng) =>
        (rng.Next(2) == 0 ? -1 : 1) * (float)Math.Pow(10, -20 + rng.NextDouble() * 35);

    private static (float, float) IntegerPair(Random rng)
    {
        int a = rng.Next(-8, 9);
        int step = rng.Next(1, 5) * (rng.Next(2) == 0 ? -1 : 1);
        return (a, a + step);
    }
}

using Aknn.Embedded.Kernels;
using Aknn.Embedded.Search;

namespace Aknn.Embedded.Tests.Kernels;

/// <summary>
/// The int8 re-rank kernel against its scalar reference (every length through the vector blocks
/// and the tail, extreme values at the overflow limit), and the quantization of rows and queries.
/// </summary>
public class Int8DotKernelTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(47)]
    [InlineData(48)]
    [InlineData(100)]
    [InlineData(768)]
    [InlineData(1537)]
    public void The_vector_path_equals_the_scalar_reference_and_a_64_bit_sum(int length)
    {
        var rng = new Random(length + 3);
        int limit = Int8DotKernels.QueryLimit(length);
        for (int trial = 0; trial < 20; trial++)
        {
            var q = new short[length];
            var r = new sbyte[length];
            for (int i = 0; i < length; i++)
            {
                q[i] = (short)rng.Next(-limit, limit + 1);
                r[i] = (sbyte)rng.Next(-127, 128);
            }
            long expected = 0;
            for (int i = 0; i < length; i++) expected += (long)q[i] * r[i];
            Assert.Equal(expected, Int8DotKernels.DotScalar(q, r));
            Assert.Equal(expected, Int8DotKernels.Dot(q, r));
        }
    }

    [Theory]
    [InlineData(768)]
    [InlineData(4096)]
    [InlineData(20000)]
    public void The_query_limit_keeps_the_largest_sum_in_range(int length)
    {
        int limit = Int8DotKernels.QueryLimit(length);
        Assert.InRange(limit, 1, short.MaxValue);
        var q = Enumerable.Repeat((short)limit, length).ToArray();
        var r = Enumerable.Repeat((sbyte)127, length).ToArray();
        var negative = Enumerable.Repeat((sbyte)-127, length).ToArray();
        Assert.Equal(127L * limit * length, Int8DotKernels.Dot(q, r));
        Assert.Equal(-127L * limit * length, Int8DotKernels.Dot(q, negative));
    }

    [Fact]
    public void Operands_of_different_lengths_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Int8DotKernels.Dot(new short[16], new sbyte[15]));
        Assert.Contains("16", error.Message);
    }

    [Fact]
    public void A_quantized_row_is_within_half_a_step_of_each_component()
    {
        var rng = new Random(5);
        var x = new float[768];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1) * (i % 7 + 1);
        var codes = new sbyte[x.Length];
        float scale = CompactVectors.Quantize(x, codes);
        Assert.Equal(x.Max(Math.Abs) / 127f, scale, 6);
        Assert.Contains(codes, c => Math.Abs((int)c) == 127);
        for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(x[i] - scale * codes[i]) <= scale * 0.5001f, $"component {i}: {x[i]} against {scale * codes[i]}");
    }

    [Fact]
    public void A_zero_vector_quantizes_to_zeros_with_scale_zero()
    {
        var codes = new sbyte[40];
        codes.AsSpan().Fill(9);
        Assert.Equal(0f, CompactVectors.Quantize(new float[40], codes));
        Assert.All(codes, c => Assert.Equal(0, c));
        var query = new short[40];
        query.AsSpan().Fill(9);
        CompactVectors.QuantizeQuery(new float[40], query);
        Assert.All(query, c => Assert.Equal(0, c));
    }

    [Fact]
    public void A_quantized_query_uses_the_limit_and_keeps_the_order_of_dot_products()
    {
        var rng = new Random(8);
        const int dims = 256;
        var query = new float[dims];
        for (int i = 0; i < dims; i++) query[i] = (float)(rng.NextDouble() * 2 - 1);
        var q16 = new short[dims];
        CompactVectors.QuantizeQuery(query, q16);
        Assert.Equal(Int8DotKernels.QueryLimit(dims), q16.Max(v => Math.Abs((int)v)));
        // Integer dot products order rows as the float ones do, up to the quantization error.
        var rows = new float[50][];
        var exact = new double[50];
        var approx = new double[50];
        for (int r = 0; r < rows.Length; r++)
        {
            rows[r] = Enumerable.Range(0, dims).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            var codes = new sbyte[dims];
            float s = CompactVectors.Quantize(rows[r], codes);
            exact[r] = rows[r].Zip(query, (a, b) => (double)a * b).Sum();
            approx[r] = s * Int8DotKernels.Dot(q16, codes) * (query.Max(Math.Abs) / Int8DotKernels.QueryLimit(dims));
            Assert.True(Math.Abs(exact[r] - approx[r]) < 0.02 * Math.Sqrt(dims) * 0.6, $"row {r}: {exact[r]} against {approx[r]}");
        }
    }
}

using Aknn.Embedded.Search;

namespace Aknn.Embedded.Compute;

/// <summary>
/// How far a device's float distance may lie from the CPU kernels' value for the same row, and
/// the CPU's value itself. The device and the CPU sum the same terms in a different order (and
/// the device may fuse multiply-adds), so each is within d·u·Σ|terms| of the exact sum (u = 2⁻²⁴);
/// the bound used here is eight times that difference. With it the host can prove that a row the
/// device left out cannot be among the results, and can ask the device for every row that might
/// be within a radius. Hamming distances are integers and agree exactly.
/// </summary>
internal readonly struct DeviceTolerance
{
    private readonly float _relative;
    private readonly float _absolute;

    private DeviceTolerance(float relative, float absolute)
    {
        _relative = relative;
        _absolute = absolute;
    }

    /// <summary>The tolerance for one query over rows whose largest Euclidean norm is <paramref name="maxRowNorm"/>.</summary>
    public static DeviceTolerance For(SearchQuery query, double maxRowNorm)
    {
        if (query.Metric == Metric.Hamming) return default;
        int dim = query.Floats!.Length;
        // 2·(d + 8)·2⁻²¹ ≥ 8 · (2·d·2⁻²⁴): both sides' worst-case summation error, times four.
        double eps = 2.0 * (dim + 8) / (1 << 21);
        const double tiny = 1e-30;   // flushed denormals
        return query.Metric switch
        {
            // Sums of non-negative terms: the error is relative to the result.
            Metric.Euclidean or Metric.Manhattan => new DeviceTolerance((float)eps, (float)tiny),
            // Σ|q̂ᵢxᵢ| ≤ |x|, divided by the stored |x|; plus the division's and subtraction's rounding.
            Metric.Cosine => new DeviceTolerance(0, (float)(eps + 1.0 / (1 << 20))),
            // Σ|qᵢxᵢ| ≤ |q|·|x| ≤ |q|·max|x|.
            Metric.DotProduct => new DeviceTolerance(0, (float)(eps * 1.01 * Norm(query.Floats!) * maxRowNorm + tiny)),
            _ => throw new InvalidOperationException($"Metric {query.Metric} has no device kernel."),
        };
    }

    /// <summary>A value the CPU distance of a row is certainly at or above, given the device's distance.</summary>
    public float Lower(float device) => float.IsPositiveInfinity(device) ? device : device - (_relative * MathF.Abs(device) + _absolute);

    /// <summary>A value the device distance of a row is certainly at or below when its CPU distance is ≤ <paramref name="bound"/>.</summary>
    public float Upper(float bound) => float.IsPositiveInfinity(bound) ? bound : bound + (_relative * MathF.Abs(bound) + _absolute);

    private static double Norm(float[] v)
    {
        double s = 0;
        foreach (float x in v) s += (double)x * x;
        return Math.Sqrt(s);
    }

    /// <summary>The largest Euclidean norm among <paramref name="rows"/> rows of <paramref name="dim"/> floats (computed in double).</summary>
    public static unsafe double MaxNorm(float* rows, int count, int dim)
    {
        double max = 0;
        for (int r = 0; r < count; r++)
        {
            var row = new ReadOnlySpan<float>(rows + (long)r * dim, dim);
            double s = 0;
            foreach (float x in row) s += (double)x * x;
            if (s > max) max = s;
        }
        return Math.Sqrt(max);
    }
}

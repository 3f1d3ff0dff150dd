namespace Aknn.Embedded.Imaging;

/// <summary>
/// The first coefficients of scipy's default (unnormalised) DCT-II,
/// y[k] = 2·Σₙ x[n]·cos(π·k·(2n + 1) / 2N), for a power-of-two length N.
/// </summary>
/// <remarks>
/// Computed by folding rather than by a plain dot product: the odd coefficients of a length-N
/// transform come from the differences x[n] − x[N−1−n], the even ones are the length-N/2 transform
/// of the sums x[n] + x[N−1−n]. With integer pixels the folded sums and differences are exact, so a
/// coefficient that is zero because of a symmetry in the picture comes out exactly zero, as it does
/// in scipy's FFT; a plain dot product would leave rounding noise there, and the noise would decide
/// the comparison with the median.
/// </remarks>
internal static class Dct
{
    private const int MaxLength = 32;
    private const int MaxCount = 8;

    /// <summary>Basis[N][k·(N/2) + i] = 2·cos(π·k·(2i + 1) / 2N) for odd k &lt; 8, i &lt; N/2, N = 2..32.</summary>
    private static readonly double[][] Basis = BuildBasis();

    /// <summary>Writes y[0..result.Length) of the DCT-II of <paramref name="x"/> (length a power of two up to 32, at most 8 outputs).</summary>
    public static void LowCoefficients(ReadOnlySpan<double> x, Span<double> result)
    {
        int n = x.Length;
        int count = result.Length;
        if (n == 1)
        {
            result[0] = 2 * x[0];
            return;
        }
        int half = n / 2;
        Span<double> sums = stackalloc double[half];
        Span<double> differences = stackalloc double[half];
        for (int i = 0; i < half; i++)
        {
            sums[i] = x[i] + x[n - 1 - i];
            differences[i] = x[i] - x[n - 1 - i];
        }
        double[] basis = Basis[n];
        for (int k = 1; k < count; k += 2)
        {
            double s = 0;
            for (int i = 0; i < half; i++) s += differences[i] * basis[k * half + i];
            result[k] = s;
        }
        Span<double> evens = stackalloc double[(count + 1) / 2];
        LowCoefficients(sums, evens);
        for (int j = 0; j < evens.Length; j++) result[2 * j] = evens[j];
    }

    private static double[][] BuildBasis()
    {
        var basis = new double[MaxLength + 1][];
        for (int n = 2; n <= MaxLength; n *= 2)
        {
            int half = n / 2;
            var b = new double[MaxCount * half];
            for (int k = 1; k < MaxCount; k += 2)
                for (int i = 0; i < half; i++)
                    b[k * half + i] = 2 * Math.Cos(Math.PI * k * (2 * i + 1) / (2 * n));
            basis[n] = b;
        }
        return basis;
    }
}

using System.Numerics.Tensors;

namespace Aknn.Perf.Data;

/// <summary>Exact Euclidean nearest neighbours by brute force, independent of the library's kernels.</summary>
internal static class GroundTruth
{
    /// <summary>Relative slack under which a returned row counts as a tie with the K-th true neighbour.</summary>
    public const double TieTolerance = 1e-5;

    /// <summary>
    /// For each query, the row numbers of its <paramref name="k"/> nearest base rows, nearest first.
    /// A float scan keeps a generous shortlist; the shortlist is re-ranked in double precision so
    /// that float rounding cannot decide the order.
    /// </summary>
    public static int[] Compute(float[] baseRows, float[] queries, int dim, int k)
    {
        int n = baseRows.Length / dim, q = queries.Length / dim;
        int shortlist = Math.Min(n, Math.Max(4 * k, 32));
        var result = new int[q * k];
        Parallel.For(0, q, qi =>
        {
            ReadOnlySpan<float> query = queries.AsSpan(qi * dim, dim);
            var bestDist = new float[shortlist];
            var bestRow = new int[shortlist];
            Array.Fill(bestDist, float.PositiveInfinity);
            float worst = float.PositiveInfinity;
            for (int r = 0; r < n; r++)
            {
                float d = TensorPrimitives.Distance(query, baseRows.AsSpan(r * dim, dim));
                if (d >= worst) continue;
                int at = shortlist - 1;
                while (at > 0 && bestDist[at - 1] > d)
                {
                    bestDist[at] = bestDist[at - 1];
                    bestRow[at] = bestRow[at - 1];
                    at--;
                }
                bestDist[at] = d;
                bestRow[at] = r;
                worst = bestDist[shortlist - 1];
            }
            var exact = new (double Dist, int Row)[shortlist];
            for (int j = 0; j < shortlist; j++) exact[j] = (SquaredDistance(query, baseRows.AsSpan(bestRow[j] * dim, dim)), bestRow[j]);
            Array.Sort(exact); // by distance, then by row
            for (int j = 0; j < k; j++) result[qi * k + j] = exact[j].Row;
        });
        return result;
    }

    /// <summary>Squared Euclidean distance in double precision.</summary>
    public static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    /// <summary>
    /// Mean recall@k. Strict: the share of returned rows that are among the true k. Tie-aware
    /// (<paramref name="tieAware"/>): a returned row also counts when its exact distance equals the
    /// k-th true distance within <see cref="TieTolerance"/>, since any of several equidistant rows is correct.
    /// </summary>
    public static double Recall(int[] truth, int k, IReadOnlyList<int[]> returned, float[] baseRows, float[] queries, int dim, bool tieAware)
    {
        double total = 0;
        for (int qi = 0; qi < returned.Count; qi++)
        {
            var want = new HashSet<int>(truth.AsSpan(qi * k, k).ToArray());
            ReadOnlySpan<float> query = queries.AsSpan(qi * dim, dim);
            double kth = SquaredDistance(query, baseRows.AsSpan(truth[qi * k + k - 1] * dim, dim));
            int good = 0;
            foreach (int row in returned[qi].Distinct().Take(k))
            {
                if (want.Contains(row)) good++;
                else if (tieAware && row >= 0 && SquaredDistance(query, baseRows.AsSpan(row * dim, dim)) <= kth * (1 + TieTolerance)) good++;
            }
            total += (double)good / k;
        }
        return returned.Count == 0 ? double.NaN : total / returned.Count;
    }
}

namespace Aknn.Embedded.Tests.Support;

/// <summary>Seeded test data.</summary>
public static class Data
{
    public static float[] Vector(Random rng, int dims)
    {
        var v = new float[dims];
        for (int i = 0; i < dims; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
        return v;
    }

    public static ulong[] Code(Random rng, int words)
    {
        var c = new ulong[words];
        for (int i = 0; i < words; i++) c[i] = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 63);
        return c;
    }

    /// <summary>Distance under <paramref name="metric"/> as the index reports it, computed naively in double.</summary>
    public static double Distance(Metric metric, float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0, l2 = 0, l1 = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
            l2 += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
            l1 += Math.Abs((double)a[i] - b[i]);
        }
        return metric switch
        {
            Metric.Euclidean => Math.Sqrt(l2),
            Metric.Cosine => 1 - dot / (Math.Sqrt(na) * Math.Sqrt(nb)),
            Metric.DotProduct => -dot,
            Metric.Manhattan => l1,
            _ => throw new ArgumentOutOfRangeException(nameof(metric)),
        };
    }

    public static int Hamming(ulong[] a, ulong[] b)
    {
        int d = 0;
        for (int i = 0; i < a.Length; i++) d += System.Numerics.BitOperations.PopCount(a[i] ^ b[i]);
        return d;
    }
}

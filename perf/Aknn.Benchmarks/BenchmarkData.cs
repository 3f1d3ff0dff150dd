namespace Aknn.Benchmarks;

/// <summary>Deterministic inputs for the benchmarks.</summary>
internal static class BenchmarkData
{
    public static float[] Floats(int length, int seed)
    {
        var rng = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        return values;
    }

    public static ulong[] Words(int length, int seed)
    {
        var rng = new Random(seed);
        var values = new ulong[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 63);
        }

        return values;
    }
}

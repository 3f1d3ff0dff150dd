namespace Aknn.Embedded.Tests.Support;

/// <summary>Seeded clustered data with brute-force ground truth, for recall tests of approximate search.</summary>
public static class Clustered
{
    /// <summary>
    /// <paramref name="count"/> vectors around <paramref name="clusters"/> Gaussian centres (spread 1 per
    /// component) with per-component noise <paramref name="noise"/>, row after row.
    /// </summary>
    public static float[] Vectors(int seed, int count, int dims, int clusters, double noise = 0.25)
    {
        var rng = new Random(seed);
        var centres = new double[clusters * dims];
        for (int i = 0; i < centres.Length; i++) centres[i] = Gaussian(rng);
        var data = new float[count * dims];
        for (int r = 0; r < count; r++)
        {
            int c = rng.Next(clusters);
            for (int d = 0; d < dims; d++) data[r * dims + d] = (float)(centres[c * dims + d] + noise * Gaussian(rng));
        }
        return data;
    }

    /// <summary>Codes around random centre codes, each bit flipped with probability <paramref name="flip"/>.</summary>
    public static ulong[] Codes(int seed, int count, int words, int clusters, double flip = 0.08)
    {
        var rng = new Random(seed);
        var centres = new ulong[clusters * words];
        for (int i = 0; i < centres.Length; i++) centres[i] = (ulong)rng.NextInt64() ^ ((ulong)rng.Next(2) << 63);
        var codes = new ulong[count * words];
        for (int r = 0; r < count; r++)
        {
            int c = rng.Next(clusters);
            for (int w = 0; w < words; w++)
            {
                ulong word = centres[c * words + w];
                for (int b = 0; b < 64; b++)
                    if (rng.NextDouble() < flip) word ^= 1UL << b;
                codes[r * words + w] = word;
            }
        }
        return codes;
    }

    public static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>The ids ("v" + row) of the K rows nearest to <paramref name="query"/> by brute force in double precision.</summary>
    public static HashSet<string> Nearest(Metric metric, float[] data, int dims, float[] query, int k, string? skip = null)
    {
        int n = data.Length / dims;
        var dist = new (double D, int Row)[n];
        for (int r = 0; r < n; r++) dist[r] = (Data.Distance(metric, data.AsSpan(r * dims, dims).ToArray(), query), r);
        return dist.Where(x => "v" + x.Row != skip).OrderBy(x => x.D).ThenBy(x => x.Row).Take(k).Select(x => "v" + x.Row).ToHashSet();
    }

    public static HashSet<string> NearestCodes(ulong[] codes, int words, ulong[] query, int k)
    {
        int n = codes.Length / words;
        return Enumerable.Range(0, n)
            .Select(r => (D: Data.Hamming(codes.AsSpan(r * words, words).ToArray(), query), Row: r))
            .OrderBy(x => x.D).ThenBy(x => x.Row).Take(k).Select(x => "v" + x.Row).ToHashSet();
    }

    public static string[] Ids(int n) => Enumerable.Range(0, n).Select(i => "v" + i).ToArray();
}

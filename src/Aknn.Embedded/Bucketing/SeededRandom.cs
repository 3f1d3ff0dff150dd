namespace Aknn.Embedded.Bucketing;

/// <summary>
/// A small seeded generator (xoshiro256**, seeded through SplitMix64) for drawing LSH planes and
/// sample pairs. Its sequence is fixed by this code, not by the runtime's <see cref="Random"/>,
/// whose algorithm may change between .NET versions; the drawn planes are stored with the index
/// anyway, so only reproducibility across runs of one version matters.
/// </summary>
internal sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SeededRandom(long seed)
    {
        ulong x = (ulong)seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n).</summary>
    public int Next(int n) => (int)((NextUInt64() >> 32) * (ulong)n >> 32);

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public double NextGaussian()
    {
        double u = 1.0 - NextDouble(); // (0, 1]
        double v = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }

    /// <summary>A standard Cauchy draw (the 1-stable distribution).</summary>
    public double NextCauchy()
    {
        double u;
        do u = NextDouble(); while (u == 0.5 || u == 0.0);
        return Math.Tan(Math.PI * (u - 0.5));
    }
}

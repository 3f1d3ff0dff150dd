namespace Aknn.Perf.Data;

/// <summary>
/// Seeded clustered Gaussian data: <see cref="Clusters"/> centres drawn from N(0, 1) per component,
/// each with its own spread σ drawn uniformly from [0.1, 0.3]; a point is a random centre plus
/// N(0, σ²) noise per component. Base vectors and queries come from the same clusters but from
/// separate random streams, and row i of a base set never depends on how many rows follow it.
/// <para>The unit variant (the text-embedding-like set of issue 12, for cosine) scales the noise by
/// σ·√D/5 instead of σ and then normalises every point to length 1, so that a query's true
/// neighbours are similar, not near-duplicates, at any dimension.</para>
/// </summary>
internal sealed class ClusteredGaussian
{
    public const int Clusters = 100;

    private readonly int _dim;
    private readonly int _seed;
    private readonly float[] _centres;
    private readonly float[] _sigma;
    private readonly bool _unit;

    public ClusteredGaussian(int dim, int seed, bool unit = false)
    {
        _dim = dim;
        _seed = seed;
        _unit = unit;
        var normal = new NormalStream(seed);
        _centres = new float[Clusters * dim];
        for (int i = 0; i < _centres.Length; i++) _centres[i] = (float)normal.Next();
        _sigma = new float[Clusters];
        for (int c = 0; c < Clusters; c++) _sigma[c] = (float)(0.1 + 0.2 * normal.Uniform());
    }

    /// <summary>The first <paramref name="count"/> base vectors, row-major.</summary>
    public float[] Base(int count) => Sample(count, unchecked(_seed * 7919 + 1));

    /// <summary>The first <paramref name="count"/> query vectors, row-major.</summary>
    public float[] Queries(int count) => Sample(count, unchecked(_seed * 7919 + 2));

    private float[] Sample(int count, int streamSeed)
    {
        var normal = new NormalStream(streamSeed);
        var rows = new float[checked(count * _dim)];
        for (int r = 0; r < count; r++)
        {
            int c = normal.Cluster(Clusters);
            float sigma = _unit ? (float)(_sigma[c] * Math.Sqrt(_dim) / 5) : _sigma[c];
            ReadOnlySpan<float> centre = _centres.AsSpan(c * _dim, _dim);
            Span<float> row = rows.AsSpan(r * _dim, _dim);
            for (int j = 0; j < _dim; j++) row[j] = centre[j] + sigma * (float)normal.Next();
            if (_unit)
            {
                double norm = 0;
                foreach (float v in row) norm += (double)v * v;
                float scale = (float)(1 / Math.Sqrt(norm));
                for (int j = 0; j < _dim; j++) row[j] *= scale;
            }
        }
        return rows;
    }

    /// <summary>Standard normal deviates by the Box–Muller transform over a seeded <see cref="Random"/>.</summary>
    private sealed class NormalStream(int seed)
    {
        private readonly Random _random = new(seed);
        private double _spare;
        private bool _hasSpare;

        public double Uniform() => _random.NextDouble();

        public int Cluster(int clusters) => _random.Next(clusters);

        public double Next()
        {
            if (_hasSpare)
            {
                _hasSpare = false;
                return _spare;
            }
            double u1 = 1.0 - _random.NextDouble(); // in (0, 1], so the logarithm is finite
            double u2 = _random.NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            var (sin, cos) = Math.SinCos(2.0 * Math.PI * u2);
            _spare = radius * sin;
            _hasSpare = true;
            return radius * cos;
        }
    }
}

using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Aknn.Embedded.Search;

/// <summary>
/// One search, built and validated once from the caller's vector and <see cref="SearchOptions"/>:
/// what every search path (exact scan, multi-index probing, LSH, batches, the OpenCL back end)
/// reads, instead of options unpacked into positional arguments at each step.
/// </summary>
internal sealed class SearchQuery
{
    private SearchQuery(Metric metric, ReadOnlySpan<byte> vector, SearchOptions options)
    {
        Metric = metric;
        RowBytes = vector.Length;
        if (metric == Metric.Hamming)
        {
            Code = MemoryMarshal.Cast<byte, ulong>(vector).ToArray();
        }
        else
        {
            Floats = MemoryMarshal.Cast<byte, float>(vector).ToArray();
            // Cosine ranks by 1 − q̂·x/|x|: normalising the query once saves a division per row. The
            // caller's row is then kept apart for LSH, which hashes the query as it hashed the rows.
            if (metric == Metric.Cosine)
            {
                _raw = vector.ToArray();
                TensorPrimitives.Divide(Floats, TensorPrimitives.Norm(Floats), Floats);
            }
        }
        K = options.K;
        Candidates = options.Candidates ?? 0;
        Probes = options.Probes;
        Exact = options.Exact;
        Filter = options.Filter;
        IncludePayload = options.IncludePayload;
        Strategy = options.Strategy;
    }

    /// <summary>A k-nearest-neighbour search.</summary>
    /// <param name="metric">The index's metric.</param>
    /// <param name="vector">The query row (already checked against the index's dimensions).</param>
    /// <param name="options">The caller's options, or null for the defaults; validated here.</param>
    /// <param name="excludeIdUtf8">An id to leave out of the results (a search by id), or null.</param>
    public static SearchQuery Nearest(Metric metric, ReadOnlySpan<byte> vector, SearchOptions? options, byte[]? excludeIdUtf8 = null)
    {
        options ??= SearchOptions.Default;
        options.Validate();
        return new SearchQuery(metric, vector, options) { ExcludeIdUtf8 = excludeIdUtf8 };
    }

    /// <summary>A radius search: every row within <paramref name="radius"/> (in the metric's reported units).</summary>
    /// <param name="metric">The index's metric.</param>
    /// <param name="vector">The query row (already checked against the index's dimensions).</param>
    /// <param name="radius">The largest distance to include.</param>
    /// <param name="options">The caller's options, or null for the defaults; validated here.</param>
    /// <param name="excludeIdUtf8">An id to leave out of the results (duplicates of a stored item), or null.</param>
    /// <exception cref="ArgumentOutOfRangeException">The radius is NaN, or negative under a metric whose distances never are.</exception>
    public static SearchQuery Within(Metric metric, ReadOnlySpan<byte> vector, float radius, SearchOptions? options, byte[]? excludeIdUtf8 = null)
    {
        CheckRadius(metric, radius);
        options ??= SearchOptions.Default;
        options.Validate();
        return new SearchQuery(metric, vector, options) { IsRadius = true, Bound = RankingBound(metric, radius), ExcludeIdUtf8 = excludeIdUtf8 };
    }

    /// <summary>
    /// The one rule for a radius, shared by every radius search (floats and codes, single and batch):
    /// it must be a number, and it may be negative only under dot product, whose distance −q·x is
    /// negative for aligned vectors, and cosine, whose computed distance 1 − cos can round a hair
    /// below 0 for nearly equal vectors (a reported distance passed back as a radius must stay
    /// valid). Elsewhere a negative radius can match nothing and is a mistake.
    /// </summary>
    public static void CheckRadius(Metric metric, float radius)
    {
        if (float.IsNaN(radius))
            throw new ArgumentOutOfRangeException(nameof(radius), radius, "The radius must be a number, not NaN.");
        if (radius < 0 && metric is not (Metric.DotProduct or Metric.Cosine))
            throw new ArgumentOutOfRangeException(nameof(radius), radius,
                $"The radius is negative, but {metric} distances are 0 or more, so nothing could match; pass 0 or more (0 finds exact matches).");
    }

    public Metric Metric { get; }

    /// <summary>Bytes of a row (the query's own length).</summary>
    public int RowBytes { get; }

    private readonly byte[]? _raw;

    /// <summary>The query row as the caller gave it (LSH hashes it as stored rows are hashed).</summary>
    public ReadOnlySpan<byte> Row => _raw ?? (Code is not null ? MemoryMarshal.AsBytes(Code.AsSpan()) : MemoryMarshal.AsBytes(Floats.AsSpan()));

    /// <summary>The query as float32 (cosine: normalised to unit length); null for codes.</summary>
    public float[]? Floats { get; }

    /// <summary>The query code; null for float vectors.</summary>
    public ulong[]? Code { get; }

    /// <summary>Results wanted by a nearest-neighbour search.</summary>
    public int K { get; }

    /// <summary>
    /// LSH: candidates re-ranked exactly; 0 until <see cref="ResolveCandidates"/> fills in the
    /// model's default where the options left it unset.
    /// </summary>
    public int Candidates { get; private set; }

    /// <summary>Sets the default candidate budget of <paramref name="family"/> when the options gave none.</summary>
    public void ResolveCandidates(LshFamily family)
    {
        if (Candidates == 0) Candidates = SearchOptions.DefaultCandidates(family, K);
    }

    /// <summary>LSH: extra buckets to probe, or null for the model's setting.</summary>
    public int? Probes { get; }

    /// <summary>LSH: scan exactly instead of reading the tables.</summary>
    public bool Exact { get; }

    public SearchFilter? Filter { get; }

    /// <summary>An id left out of the results (search by id), or null.</summary>
    public byte[]? ExcludeIdUtf8 { get; private init; }

    public bool IncludePayload { get; }

    public SearchStrategy Strategy { get; }

    /// <summary>Whether this is a radius search (<see cref="Bound"/>) rather than a top-K one (<see cref="K"/>).</summary>
    public bool IsRadius { get; private init; }

    /// <summary>A radius search's bound in ranking units (squared for Euclidean).</summary>
    public float Bound { get; private init; }

    /// <summary>A fresh collector for this query: top K, or every row within the bound.</summary>
    public Collector NewCollector() => IsRadius ? new RadiusCollector(Bound) : new TopKCollector(K);

    /// <summary>The distance bound used while scanning for a user-facing radius (Euclidean ranks by squared distance).</summary>
    private static float RankingBound(Metric metric, float radius) => metric == Metric.Euclidean ? SquaredBound(radius) : radius;

    /// <summary>
    /// The largest squared distance s with <c>MathF.Sqrt(s) ≤ radius</c>, so a row is kept exactly when the
    /// distance it would be reported with is within the radius. <c>radius * radius</c> alone can round below
    /// the square of a reported distance (√2 as a float squares to less than 2) and drop a row on the boundary.
    /// </summary>
    private static float SquaredBound(float radius)
    {
        float s = radius * radius;
        if (!float.IsFinite(s)) return s;
        while (s > 0 && MathF.Sqrt(s) > radius) s = MathF.BitDecrement(s);
        while (MathF.Sqrt(MathF.BitIncrement(s)) <= radius) s = MathF.BitIncrement(s);
        return s;
    }

    /// <summary>Converts a ranking distance into the distance reported to the caller.</summary>
    public float Reported(float ranking) => Metric == Metric.Euclidean ? MathF.Sqrt(ranking) : ranking;
}

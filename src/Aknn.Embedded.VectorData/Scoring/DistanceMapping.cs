using Microsoft.Extensions.VectorData;

namespace Aknn.Embedded.VectorData.Scoring;

/// <summary>
/// How one of the abstractions' distance functions maps onto the core's metric, and how the core's
/// distance (smaller is closer, always) becomes the score in that function's own convention.
/// </summary>
internal sealed class DistanceMapping
{
    private readonly Func<float, double> _toScore;

    private DistanceMapping(string function, Metric metric, bool higherIsBetter, Func<float, double> toScore)
    {
        Function = function;
        Metric = metric;
        HigherIsBetter = higherIsBetter;
        _toScore = toScore;
    }

    /// <summary>The distance function's name, as in <see cref="DistanceFunction"/>.</summary>
    public string Function { get; }

    /// <summary>The core metric that ranks rows in the same order.</summary>
    public Metric Metric { get; }

    /// <summary>Whether a larger score means closer (similarities) rather than a smaller one (distances).</summary>
    public bool HigherIsBetter { get; }

    /// <summary>The score of a hit at core distance <paramref name="distance"/>.</summary>
    public double Score(float distance) => _toScore(distance);

    /// <summary>Whether a score passes <c>ScoreThreshold</c>: at least it for similarities, at most it for distances.</summary>
    public bool Passes(double score, double threshold) => HigherIsBetter ? score >= threshold : score <= threshold;

    /// <summary>The function names supported, for error messages.</summary>
    public const string Supported =
        "CosineSimilarity (the default), CosineDistance, DotProductSimilarity, NegativeDotProductSimilarity, EuclideanDistance, EuclideanSquaredDistance, ManhattanDistance, and HammingDistance (bit vectors only)";

    /// <summary>The mapping for <paramref name="function"/>, or null when the function is not supported.</summary>
    /// <param name="function">A <see cref="DistanceFunction"/> name; null means the default for the vector type.</param>
    /// <param name="bits">Whether the vector property holds bits (BitArray, BinaryEmbedding).</param>
    public static DistanceMapping? For(string? function, bool bits) => (function ?? (bits ? DistanceFunction.HammingDistance : DistanceFunction.CosineSimilarity)) switch
    {
        // Core cosine distance is 1 − cos; the similarity is cos.
        DistanceFunction.CosineSimilarity => new(DistanceFunction.CosineSimilarity, Metric.Cosine, true, d => 1.0 - d),
        DistanceFunction.CosineDistance => new(DistanceFunction.CosineDistance, Metric.Cosine, false, d => d),
        // Core dot-product distance is −(a·b).
        DistanceFunction.DotProductSimilarity => new(DistanceFunction.DotProductSimilarity, Metric.DotProduct, true, d => -(double)d),
        DistanceFunction.NegativeDotProductSimilarity => new(DistanceFunction.NegativeDotProductSimilarity, Metric.DotProduct, false, d => d),
        // Core Euclidean distance is reported as the root; squaring it keeps the order.
        DistanceFunction.EuclideanDistance => new(DistanceFunction.EuclideanDistance, Metric.Euclidean, false, d => d),
        DistanceFunction.EuclideanSquaredDistance => new(DistanceFunction.EuclideanSquaredDistance, Metric.Euclidean, false, d => (double)d * d),
        DistanceFunction.ManhattanDistance => new(DistanceFunction.ManhattanDistance, Metric.Manhattan, false, d => d),
        DistanceFunction.HammingDistance => new(DistanceFunction.HammingDistance, Metric.Hamming, false, d => d),
        _ => null,
    };
}

using Microsoft.Extensions.VectorData;

namespace SemanticSearch;

/// <summary>A document: the text is stored as data and embedded into the vector property.</summary>
public sealed class Document
{
    /// <summary>Vector length of the embedding generator.</summary>
    public const int Dimensions = 256;

    /// <summary>The key.</summary>
    [VectorStoreKey] public int Id { get; set; }

    /// <summary>The text, returned with results.</summary>
    [VectorStoreData] public string Text { get; set; } = "";

    /// <summary>A category to filter on.</summary>
    [VectorStoreData(IsIndexed = true)] public string Category { get; set; } = "";

    /// <summary>A year to filter on.</summary>
    [VectorStoreData(IsIndexed = true)] public int Year { get; set; }

    /// <summary>The text to embed; the store turns it into a vector with the generator.</summary>
    [VectorStoreVector(Dimensions, DistanceFunction = DistanceFunction.CosineSimilarity)] public string? Embedding { get; set; }
}

using System.Collections;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace Aknn.Embedded.VectorData.Tests.Support;

public sealed class Hotel
{
    [VectorStoreKey] public string Id { get; set; } = "";
    [VectorStoreData(StorageName = "hotel_name")] public string? Name { get; set; }
    [VectorStoreData] public int Rating { get; set; }
    [VectorStoreData] public double? Price { get; set; }
    [VectorStoreData] public string[] Tags { get; set; } = [];
    [VectorStoreData] public List<int> Floors { get; set; } = [];
    [VectorStoreData] public bool Open { get; set; }
    [VectorStoreVector(3, DistanceFunction = DistanceFunction.EuclideanDistance)] public ReadOnlyMemory<float> Embedding { get; set; }
}

public sealed class GuidRecord
{
    [VectorStoreKey] public Guid Id { get; set; }
    [VectorStoreData] public string Text { get; set; } = "";
    [VectorStoreVector(2, DistanceFunction = DistanceFunction.CosineSimilarity)] public float[]? Vector { get; set; }
}

public sealed class IntRecord
{
    [VectorStoreKey] public int Id { get; set; }
    [VectorStoreData] public string Text { get; set; } = "";
    [VectorStoreVector(2, DistanceFunction = DistanceFunction.DotProductSimilarity)] public Embedding<float>? Vector { get; set; }
}

public sealed class LongRecord
{
    [VectorStoreKey] public long Id { get; set; }
    [VectorStoreData] public string Text { get; set; } = "";
    [VectorStoreVector(2, DistanceFunction = DistanceFunction.ManhattanDistance)] public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>Described by a definition only: no attributes.</summary>
public sealed class PlainRecord
{
    public string Key { get; set; } = "";
    public string Title { get; set; } = "";
    public int Year { get; set; }
    public ReadOnlyMemory<float> Vector { get; set; }
}

public sealed class CodeRecord
{
    [VectorStoreKey] public string Id { get; set; } = "";
    [VectorStoreVector(64, DistanceFunction = DistanceFunction.HammingDistance)] public BitArray? Hash { get; set; }
}

public sealed class TwoVectors
{
    [VectorStoreKey] public string Id { get; set; } = "";
    [VectorStoreVector(2)] public ReadOnlyMemory<float> A { get; set; }
    [VectorStoreVector(2)] public ReadOnlyMemory<float> B { get; set; }
}

public sealed class TextRecord
{
    [VectorStoreKey] public string Id { get; set; } = "";
    [VectorStoreData] public string Text { get; set; } = "";
    [VectorStoreVector(8)] public string? Embedding { get; set; }
}

/// <summary>A deterministic embedding for tests: letter counts folded into 8 dimensions.</summary>
public sealed class LetterCountGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public int Calls { get; private set; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls++;
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (string v in values)
        {
            var vector = new float[8];
            foreach (char c in v.ToLowerInvariant()) vector[c % 8] += 1;
            vector[7] += 0.5f; // never all zeros
            result.Add(new Embedding<float>(vector));
        }
        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose() { }
}

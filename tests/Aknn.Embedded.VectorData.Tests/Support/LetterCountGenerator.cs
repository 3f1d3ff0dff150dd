using Microsoft.Extensions.AI;

namespace Aknn.Embedded.VectorData.Tests.Support;

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

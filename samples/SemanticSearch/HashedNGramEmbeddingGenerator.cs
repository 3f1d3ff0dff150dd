using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace SemanticSearch;

/// <summary>
/// A DETERMINISTIC LOCAL STAND-IN for an embedding model, for this sample only: it hashes the
/// character 3-grams of each word (and the words themselves) into a fixed number of buckets and
/// normalises the counts. Texts sharing words or word pieces land close together; it knows nothing
/// of meaning, synonyms or languages. Real embedding models cannot be downloaded where this sample
/// is built, so it stands behind the same <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>
/// interface a real model client implements.
/// </summary>
public sealed class HashedNGramEmbeddingGenerator(int dimensions) : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>Embeds each text.</summary>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (string text in values) result.Add(new Embedding<float>(Embed(text)) { ModelId = "hashed-char-3-grams (local stand-in)" });
        return Task.FromResult(result);
    }

    private float[] Embed(string text)
    {
        var vector = new float[dimensions];
        foreach (string word in text.ToLowerInvariant().Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            Add(vector, word, 2f); // the whole word counts most
            string padded = $" {word} ";
            for (int i = 0; i + 3 <= padded.Length; i++) Add(vector, padded.Substring(i, 3), 1f);
        }
        vector[0] += 1e-3f; // an empty text still has a direction
        TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
        return vector;
    }

    private void Add(float[] vector, string gram, float weight)
    {
        // FNV-1a over the UTF-16 code units: stable across runs and machines (string.GetHashCode is not).
        ulong h = 14695981039346656037UL;
        foreach (char c in gram) h = (h ^ c) * 1099511628211UL;
        // The top bit picks a sign so that unrelated grams cancel out on average instead of piling up.
        vector[(int)(h % (ulong)dimensions)] += (h >> 63) == 0 ? weight : -weight;
    }

    private static readonly char[] Separators = [.. " \t\r\n.,;:!?()\"'-".ToCharArray()];

    /// <summary>No services.</summary>
    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    /// <summary>Nothing to release.</summary>
    public void Dispose() { }
}

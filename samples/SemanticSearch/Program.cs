// Semantic search through Microsoft.Extensions.VectorData, stored by Aknn.Embedded in a local folder.
// Run with: dotnet run --project samples/SemanticSearch
using Aknn.Embedded.VectorData;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using SemanticSearch;

// The embedding generator. This sample uses a deterministic local stand-in (hashed character
// n-grams; see HashedNGramEmbeddingGenerator) because no model can be downloaded here. Swapping in a
// real model is this one line, for example with the Microsoft.Extensions.AI.OpenAI package:
//   IEmbeddingGenerator<string, Embedding<float>> generator = new OpenAI.OpenAIClient(key).GetEmbeddingClient("text-embedding-3-small").AsIEmbeddingGenerator();
// (then set Dimensions in the Document record to the model's vector length).
IEmbeddingGenerator<string, Embedding<float>> generator = new HashedNGramEmbeddingGenerator(Document.Dimensions);

string folder = Path.Combine(Path.GetTempPath(), "aknn-semantic-search-sample");
if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);

using (var store = new AknnVectorStore(folder, new AknnVectorStoreOptions { EmbeddingGenerator = generator }))
{
    var docs = store.GetCollection<int, Document>("docs");
    await docs.EnsureCollectionExistsAsync();

    // The Embedding property holds the text to embed; the store calls the generator on upsert.
    string[] texts =
    [
        "How to bake sourdough bread with a long cold fermentation",
        "Quick weeknight pasta with garlic, olive oil and chilli",
        "Training for a first marathon: a sixteen week running plan",
        "Stretching routines that help runners avoid knee injuries",
        "Choosing a mechanical keyboard for programming",
        "Setting up a Linux laptop for software development",
        "Growing tomatoes and basil on a small balcony garden",
        "Bread baking tools: Dutch oven, banneton and lame",
    ];
    string[] categories = ["food", "food", "sport", "sport", "tech", "tech", "garden", "food"];
    await docs.UpsertAsync(texts.Select((t, i) => new Document { Id = i + 1, Text = t, Category = categories[i], Year = 2018 + i, Embedding = t }));

    foreach (string query in new[] { "baking bread at home", "running plan for beginners", "developer laptop setup" })
    {
        Console.WriteLine($"\nQuery: {query}");
        await foreach (var hit in docs.SearchAsync(query, top: 3))
            Console.WriteLine($"  {hit.Score,6:F3}  [{hit.Record.Category}] {hit.Record.Text}");
    }

    Console.WriteLine("\nQuery: bread (only food written after 2020)");
    await foreach (var hit in docs.SearchAsync("bread", top: 3, new VectorSearchOptions<Document> { Filter = d => d.Category == "food" && d.Year > 2020 }))
        Console.WriteLine($"  {hit.Score,6:F3}  [{hit.Record.Category}, {hit.Record.Year}] {hit.Record.Text}");
}

// Reopening the folder finds the same documents: the store is durable, with no server.
using (var store = new AknnVectorStore(folder, new AknnVectorStoreOptions { EmbeddingGenerator = generator }))
{
    var docs = store.GetCollection<int, Document>("docs");
    var tech = await docs.GetAsync(d => d.Category == "tech", top: 10).ToListAsync();
    Console.WriteLine($"\nAfter reopening: {tech.Count} tech documents: {string.Join("; ", tech.Select(d => d.Text))}");
}

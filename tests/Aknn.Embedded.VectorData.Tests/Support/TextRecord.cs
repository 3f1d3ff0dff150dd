using Microsoft.Extensions.VectorData;

namespace Aknn.Embedded.VectorData.Tests.Support;

public sealed class TextRecord
{
    [VectorStoreKey] public string Id { get; set; } = "";
    [VectorStoreData] public string Text { get; set; } = "";
    [VectorStoreVector(8)] public string? Embedding { get; set; }
}

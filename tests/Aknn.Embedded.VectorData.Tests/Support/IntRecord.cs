using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace Aknn.Embedded.VectorData.Tests.Support;

public sealed class IntRecord
{
    [VectorStoreKey] public int Id { get; set; }
    [VectorStoreData] public string Text { get; set; } = "";
    [VectorStoreVector(2, DistanceFunction = DistanceFunction.DotProductSimilarity)] public Embedding<float>? Vector { get; set; }
}

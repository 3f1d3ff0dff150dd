using Microsoft.Extensions.VectorData;

namespace Aknn.Embedded.VectorData.Tests.Support;

public sealed class GuidRecord
{
    [VectorStoreKey] public Guid Id { get; set; }
    [VectorStoreData] public string Text { get; set; } = "";
    [VectorStoreVector(2, DistanceFunction = DistanceFunction.CosineSimilarity)] public float[]? Vector { get; set; }
}

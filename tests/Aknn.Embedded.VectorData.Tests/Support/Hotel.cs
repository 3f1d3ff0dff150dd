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

using Microsoft.Extensions.VectorData;

namespace Aknn.Embedded.VectorData.Tests.Support;

public sealed class LongRecord
{
    [VectorStoreKey] public long Id { get; set; }
    [VectorStoreData] public string Text { get; set; } = "";
    [VectorStoreVector(2, DistanceFunction = DistanceFunction.ManhattanDistance)] public ReadOnlyMemory<float> Vector { get; set; }
}

using Microsoft.Extensions.VectorData;

namespace Aknn.Embedded.VectorData.Tests.Support;

public sealed class TwoVectors
{
    [VectorStoreKey] public string Id { get; set; } = "";
    [VectorStoreVector(2)] public ReadOnlyMemory<float> A { get; set; }
    [VectorStoreVector(2)] public ReadOnlyMemory<float> B { get; set; }
}

using System.Collections;
using Microsoft.Extensions.VectorData;

namespace Aknn.Embedded.VectorData.Tests.Support;

public sealed class CodeRecord
{
    [VectorStoreKey] public string Id { get; set; } = "";
    [VectorStoreVector(64, DistanceFunction = DistanceFunction.HammingDistance)] public BitArray? Hash { get; set; }
}

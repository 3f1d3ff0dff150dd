using Aknn.Embedded.Tests.Support;

namespace Aknn.Embedded.Tests.Storage;

public class EdgeCaseTests
{
    [Fact]
    public void Component_beyond_the_magnitude_limit_is_rejected_and_named()
    {
        using var tmp = new TempFolder();
        using var index = VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = 3, Metric = Metric.Euclidean });
        var e = Assert.Throws<InvalidVectorException>(() => index.Upsert("big", [1, -2e15f, 0]));
        Assert.Contains("Component 1", e.Message);
        Assert.Contains("scale your vectors down", e.Message);
        index.Upsert("ok", [1, -1e15f, 0]);
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Vector_too_short_for_a_direction_is_rejected_under_cosine()
    {
        using var tmp = new TempFolder();
        using var index = VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = 2, Metric = Metric.Cosine });
        var e = Assert.Throws<InvalidVectorException>(() => index.Upsert("tiny", [1e-30f, 0]));
        Assert.Contains("so short", e.Message);
        index.Upsert("unit", [1, 0]);
        Assert.Equal(0, index.Search([2, 0])[0].Distance, 6);
    }
}

namespace Aknn.Embedded.Tests.Reliability;

/// <summary>The public item rules are the ones the index enforces: same exception, same message.</summary>
public class ItemRulesTests
{
    [Fact]
    public void The_rules_reject_what_the_index_rejects_with_the_same_message()
    {
        using var tmp = new Support.TempFolder();
        using var index = VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = 3, Metric = Metric.Cosine });

        var byIndex = Assert.Throws<InvalidVectorException>(() => index.Upsert("a", [0, 0, 0]));
        var byRules = Assert.Throws<InvalidVectorException>(() => ItemRules.ValidateVector([0, 0, 0], 3, Metric.Cosine));
        Assert.Equal(byIndex.Message, byRules.Message);

        Assert.Throws<DimensionMismatchException>(() => ItemRules.ValidateVector([1, 2], 3, Metric.Cosine));
        Assert.Throws<InvalidVectorException>(() => ItemRules.ValidateVector([1, float.NaN, 2], 3, Metric.Euclidean));
        Assert.Throws<InvalidVectorException>(() => ItemRules.ValidateCode([1UL], 3, Metric.Cosine));
        Assert.Throws<DimensionMismatchException>(() => ItemRules.ValidateCode([1UL], 128, Metric.Hamming));
        Assert.Throws<PayloadTooLargeException>(() => ItemRules.ValidatePayload(VectorIndex.MaxPayloadBytes + 1L));

        var idByIndex = Assert.Throws<InvalidIdException>(() => index.Upsert("", [1, 2, 3]));
        var idByRules = Assert.Throws<InvalidIdException>(() => ItemRules.ValidateId(""));
        Assert.Equal(idByIndex.Message, idByRules.Message);
        Assert.Throws<InvalidIdException>(() => ItemRules.ValidateId(new string('x', VectorIndex.MaxIdBytes + 1)));
        Assert.Throws<InvalidIdException>(() => ItemRules.ValidateId("\ud800"));
        Assert.Equal("é"u8.ToArray(), ItemRules.ValidateId("é"));
        ItemRules.ValidateVector([1, 2, 3], 3, Metric.Cosine);
        ItemRules.ValidateCode([1UL, 2UL], 128, Metric.Hamming);
        Assert.Equal(0, index.Count);
    }
}

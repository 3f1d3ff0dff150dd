using Aknn.Embedded.Search;

namespace Aknn.Embedded.Tests.Search;

public class ScanTests
{
    [Fact]
    public void FirstWithin_finds_the_same_index_as_a_plain_loop()
    {
        var rng = new Random(5);
        for (int length = 0; length < 70; length++)
        {
            var d = Enumerable.Range(0, length).Select(_ => (float)rng.NextDouble()).ToArray();
            if (length > 3) d[rng.Next(length)] = float.NaN;
            foreach (float bound in new[] { -1f, 0.01f, 0.2f, 0.5f, 2f })
            {
                for (int from = 0; from <= length; from++)
                {
                    int expected = from;
                    while (expected < length && !(d[expected] <= bound)) expected++;
                    Assert.Equal(expected, ExactSearch.FirstWithin(d, from, bound));
                }
            }
        }
    }
}

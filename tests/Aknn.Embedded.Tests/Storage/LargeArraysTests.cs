using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Tests.Storage;

/// <summary>
/// The bulk load's large arrays (pinned and advised for huge pages above a few megabytes): the
/// zeroed kind really is zero after the advice, including memory the GC hands out again, and both
/// kinds have the length asked for on either side of the threshold.
/// </summary>
public class LargeArraysTests
{
    [Theory]
    [InlineData(1_000)]          // below the threshold: an ordinary array
    [InlineData(3 << 20)]        // 24 MB of longs: pinned and advised
    public void Zeroed_arrays_hold_only_zeros(int length)
    {
        // Dirty memory first, so that a recycled block would show through if it were not cleared.
        for (int round = 0; round < 3; round++)
        {
            long[] dirty = LargeArrays.Uninitialized<long>(length);
            dirty.AsSpan().Fill(-1);
            long[] zeroed = LargeArrays.Zeroed<long>(length);
            Assert.Equal(length, zeroed.Length);
            Assert.True(zeroed.AsSpan().IndexOfAnyExcept(0L) < 0, "a zeroed array held a non-zero element");
            GC.KeepAlive(dirty);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(20 << 20)]
    public void Uninitialized_arrays_have_the_length_asked_for_and_keep_what_is_written(int length)
    {
        byte[] array = LargeArrays.Uninitialized<byte>(length);
        Assert.Equal(length, array.Length);
        for (int i = 0; i < length; i += 4096) array[i] = (byte)(i >> 12);
        for (int i = 0; i < length; i += 4096) Assert.Equal((byte)(i >> 12), array[i]);
    }
}

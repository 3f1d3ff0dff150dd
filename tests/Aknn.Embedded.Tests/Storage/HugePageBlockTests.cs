using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Tests.Storage;

/// <summary>
/// The native block behind the in-memory int8 copies: zeroed, writable to its last byte, on either
/// side of the size where it turns to 2 MB-aligned huge pages, and freed once however often it is
/// disposed.
/// </summary>
public unsafe class HugePageBlockTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(136 * 1_000)]       // a small segment's copy: a plain allocation
    [InlineData(36 * 1_000_000)]    // 1M rows at 25 dimensions: aligned and advised
    public void A_block_is_zeroed_and_holds_what_is_written_to_its_last_byte(long length)
    {
        using var block = new HugePageBlock(length);
        Assert.Equal(length, block.Length);
        var bytes = new Span<byte>(block.Start, (int)length);
        Assert.True(bytes.IndexOfAnyExcept((byte)0) < 0, "a new block held a non-zero byte");
        bytes[0] = 1;
        bytes[^1] = 2;
        Assert.Equal(1, block.Start[0]);
        Assert.Equal(2, block.Start[length - 1]);
    }

    [Fact]
    public void A_disposed_block_refuses_access_and_can_be_disposed_again()
    {
        var block = new HugePageBlock(100 << 20);
        block.Dispose();
        block.Dispose();
        Assert.Throws<ObjectDisposedException>(() => (IntPtr)block.Start);
    }

    [Fact]
    public void An_empty_block_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HugePageBlock(0));
    }
}

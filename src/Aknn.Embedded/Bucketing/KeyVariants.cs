namespace Aknn.Embedded.Bucketing;

/// <summary>
/// Enumerates the bit masks of a given length with exactly a given number of bits set (in
/// increasing order, by Gosper's hack), to visit every key at an exact Hamming distance from
/// another: <c>key ^ mask</c>.
/// </summary>
internal struct KeyVariants
{
    private readonly ulong _limit;
    private ulong _next;
    private bool _done;

    /// <param name="length">Key length in bits (at most 32).</param>
    /// <param name="flips">Number of bits to flip (0 to <paramref name="length"/>).</param>
    public KeyVariants(int length, int flips)
    {
        _limit = 1UL << length;
        _next = flips == 0 ? 0 : (1UL << flips) - 1;
        _done = flips < 0 || flips > length;
        Current = 0;
    }

    public uint Current { get; private set; }

    public bool MoveNext()
    {
        if (_done) return false;
        ulong mask = _next;
        if (mask >= _limit && mask != 0) return false;
        Current = (uint)mask;
        if (mask == 0)
        {
            _done = true; // zero flips: the key itself, once
        }
        else
        {
            ulong lowest = mask & (ulong)-(long)mask;
            ulong ripple = mask + lowest;
            _next = (((ripple ^ mask) >> 2) / lowest) | ripple;
        }
        return true;
    }
}

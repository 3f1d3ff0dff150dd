using System.Numerics;

namespace Aknn.Embedded.Storage;

/// <summary>
/// A Bloom filter over the upper 32 bits of id hashes (the half the id table stores), with 16 bits
/// per row and two probes: about 1.5 % false positives, no false negatives. It keeps lookups of
/// absent ids, the common case while loading new data, off the memory-mapped id tables.
/// </summary>
internal sealed class IdFilter
{
    private readonly ulong[] _bits;
    private readonly int _shift;

    public IdFilter(int rows)
    {
        int log2 = Math.Clamp(BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)Math.Max(rows, 1) * 16)), 10, 31);
        _bits = new ulong[(1L << log2) / 64];
        _shift = 32 - log2;
    }

    // Two probe positions from 32 hash bits: the top bits of two different multiplicative mixes.
    private uint First(uint h) => (h * 0x9E3779B1u) >> _shift;
    private uint Second(uint h) => ((h ^ (h >> 15)) * 0x85EBCA77u) >> _shift;

    public void Add(uint h)
    {
        uint a = First(h), b = Second(h);
        _bits[a >> 6] |= 1UL << (int)(a & 63);
        _bits[b >> 6] |= 1UL << (int)(b & 63);
    }

    public bool MayContain(uint h)
    {
        uint a = First(h), b = Second(h);
        return (_bits[a >> 6] & (1UL << (int)(a & 63))) != 0 && (_bits[b >> 6] & (1UL << (int)(b & 63))) != 0;
    }
}

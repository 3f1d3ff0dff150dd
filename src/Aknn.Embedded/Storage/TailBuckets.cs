using System.Runtime.InteropServices;
using Aknn.Embedded.Bucketing;

namespace Aknn.Embedded.Storage;

/// <summary>
/// Hash tables over the rows of an in-memory tail, updated on every append: multi-index hashing
/// tables (keys are substrings of a code) or LSH tables (keys are bucket keys). Each table maps a
/// key to the newest row holding it; each row links to the previous row with the same key
/// (<see cref="TailChunk.BucketNext"/>), so a bucket is a chain from newest to oldest.
/// </summary>
/// <remarks>
/// Readers take no lock. The writer fills a row's links before it publishes the row, and stores a
/// head slot with one 64-bit write, so a reader sees either the old head or the new one; rows at or
/// past the reader's snapshot count are skipped, and the chain leads on to the older rows. A table
/// that grows is rebuilt aside and swapped in whole; a reader holding the old array still finds
/// every row its snapshot can see, because the swap happens before the next publication.
/// </remarks>
internal sealed class TailBuckets
{
    private readonly long[][] _heads; // per table: open addressing, slot = key << 32 | (row + 1); 0 = empty
    private readonly int[] _used;

    /// <summary>Multi-index hashing tables keyed by the substrings of <paramref name="layout"/>.</summary>
    public TailBuckets(SubstringLayout layout) : this(layout.Count) => Layout = layout;

    /// <summary>Tables whose keys the caller computes (LSH).</summary>
    public TailBuckets(int tables)
    {
        Tables = tables;
        _heads = new long[tables][];
        _used = new int[tables];
        for (int t = 0; t < tables; t++) _heads[t] = new long[16];
    }

    public int Tables { get; }

    /// <summary>The substring layout of multi-index hashing tables; null for LSH tables.</summary>
    public SubstringLayout? Layout { get; }

    /// <summary>Links a new row into every substring table (writer only, before the row is published).</summary>
    public void Add(TailChunk chunk, int indexInChunk, int row, ReadOnlySpan<byte> code)
    {
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(code);
        Span<uint> keys = stackalloc uint[Tables];
        for (int t = 0; t < keys.Length; t++) keys[t] = Layout!.Key(words, t);
        Add(chunk, indexInChunk, row, keys);
    }

    /// <summary>Links a new row into every table under the given keys (writer only, before the row is published).</summary>
    public void Add(TailChunk chunk, int indexInChunk, int row, ReadOnlySpan<uint> keys)
    {
        int m = Tables;
        int[] next = chunk.BucketNext!;
        for (int t = 0; t < m; t++)
        {
            next[indexInChunk * m + t] = Head(t, keys[t]);
            SetHead(t, keys[t], row);
        }
    }

    /// <summary>The newest row whose substring <paramref name="table"/> equals <paramref name="key"/>, or −1.</summary>
    public int Head(int table, uint key)
    {
        long[] slots = Volatile.Read(ref _heads[table]);
        int mask = slots.Length - 1;
        for (int i = Slot(key, mask); ; i = (i + 1) & mask)
        {
            long slot = Volatile.Read(ref slots[i]);
            if (slot == 0) return -1;
            if ((uint)(slot >>> 32) == key) return (int)(uint)slot - 1;
        }
    }

    private static int Slot(uint key, int mask) => (int)((key * 0x9E3779B97F4A7C15UL) >> 32) & mask;

    private void SetHead(int table, uint key, int row)
    {
        long[] slots = _heads[table];
        int mask = slots.Length - 1;
        long value = ((long)key << 32) | (uint)(row + 1);
        for (int i = Slot(key, mask); ; i = (i + 1) & mask)
        {
            long slot = slots[i];
            if (slot != 0 && (uint)(slot >>> 32) != key) continue;
            Volatile.Write(ref slots[i], value);
            if (slot == 0 && ++_used[table] * 2 > slots.Length) Grow(table);
            return;
        }
    }

    private void Grow(int table)
    {
        long[] old = _heads[table];
        var grown = new long[old.Length * 2];
        int mask = grown.Length - 1;
        foreach (long slot in old)
        {
            if (slot == 0) continue;
            int i = Slot((uint)(slot >>> 32), mask);
            while (grown[i] != 0) i = (i + 1) & mask;
            grown[i] = slot;
        }
        Volatile.Write(ref _heads[table], grown);
    }
}

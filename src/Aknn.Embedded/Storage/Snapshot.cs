namespace Aknn.Embedded.Storage;

/// <summary>
/// The segments of one published state, reference-counted as a whole: a search acquires the set,
/// and the segments it lists stay mapped until the last search holding it releases it.
/// </summary>
internal sealed class SegmentSet
{
    private RefCount _refs;

    public SegmentSet(Segment[] items)
    {
        foreach (var s in items)
            if (!s.TryAcquire()) throw new InvalidOperationException("A released segment cannot join a new segment set.");
        Items = items;
    }

    public Segment[] Items { get; }

    public bool TryAcquire() => _refs.TryAcquire();

    public void Release()
    {
        if (_refs.Release())
            foreach (var s in Items) s.Release();
    }
}

/// <summary>
/// One consistent, immutable view of the index: the segments, a tail being sealed in the
/// background (if any; all its rows), the first <see cref="TailCount"/> rows of the active tail,
/// and the sequence number of the last write it includes. A row is visible when it belongs to the
/// view and its deletion sequence is greater than <see cref="Sequence"/>.
/// </summary>
internal sealed class Snapshot(SegmentSet segments, Tail? frozen, Tail tail, TailChunk[] chunks, int tailCount, long sequence, long liveCount)
{
    public SegmentSet Segments { get; } = segments;

    /// <summary>
    /// Every part of the view that holds rows, listed once here so that searches never rebuild the
    /// list: the segments in order, then the frozen tail (if any), then the active tail. Searches
    /// visit them in this order, which is also the order ties in LSH counts are broken in.
    /// </summary>
    public RowSource[] Sources { get; } = ListSources(segments.Items, frozen, tail, chunks, tailCount, sequence);

    /// <summary>A full tail moved aside while its segment is written; its rows no longer change.</summary>
    public Tail? Frozen { get; } = frozen;

    public Tail Tail { get; } = tail;
    public TailChunk[] Chunks { get; } = chunks;
    public int TailCount { get; } = tailCount;
    public long Sequence { get; } = sequence;
    public long LiveCount { get; } = liveCount;

    private static RowSource[] ListSources(Segment[] segments, Tail? frozen, Tail tail, TailChunk[] chunks, int tailCount, long sequence)
    {
        var sources = new RowSource[segments.Length + (frozen is null ? 1 : 2)];
        for (int i = 0; i < segments.Length; i++) sources[i] = new RowSource(segments[i], sequence);
        if (frozen is not null) sources[segments.Length] = new RowSource(frozen, frozen.Chunks, frozen.Count, sequence);
        sources[^1] = new RowSource(tail, chunks, tailCount, sequence);
        return sources;
    }
}

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

    /// <summary>A full tail moved aside while its segment is written; its rows no longer change.</summary>
    public Tail? Frozen { get; } = frozen;

    public Tail Tail { get; } = tail;
    public TailChunk[] Chunks { get; } = chunks;
    public int TailCount { get; } = tailCount;
    public long Sequence { get; } = sequence;
    public long LiveCount { get; } = liveCount;
}

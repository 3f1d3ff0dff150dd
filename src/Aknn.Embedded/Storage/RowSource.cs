using Aknn.Embedded.Bucketing;

namespace Aknn.Embedded.Storage;

/// <summary>
/// One part of a snapshot that holds rows: a segment, the frozen tail, or the visible prefix of
/// the active tail, seen at the snapshot's sequence. Every search and the duplicate join read
/// rows through it, so the difference between a memory-mapped segment and a chunked in-memory
/// tail is handled here once. The snapshot lists its sources once, when it is published
/// (<see cref="Snapshot.Sources"/>), in the order searches break ties by: segments, frozen tail,
/// active tail.
/// </summary>
/// <remarks>
/// A struct of four fields with no virtual calls: a per-row method costs one null check to tell
/// a segment from a tail. Hot scans do not call it per row anyway; they take a block's vectors
/// at once (<see cref="Segment.VectorsForScan"/>, <see cref="TailChunk.Vectors"/>) and call the
/// per-row methods only for rows that pass the distance bound.
/// </remarks>
internal readonly struct RowSource
{
    /// <summary>All rows of <paramref name="segment"/>, live as of <paramref name="sequence"/>.</summary>
    public RowSource(Segment segment, long sequence)
    {
        Segment = segment;
        Count = segment.RowCount;
        Sequence = sequence;
    }

    /// <summary>The first <paramref name="count"/> rows of <paramref name="tail"/>, live as of <paramref name="sequence"/>.</summary>
    /// <param name="tail">The tail.</param>
    /// <param name="chunks">The tail's chunk array as it was published with the snapshot (the writer replaces the array as the tail grows).</param>
    /// <param name="count">Visible rows.</param>
    /// <param name="sequence">The snapshot's sequence.</param>
    public RowSource(Tail tail, TailChunk[] chunks, int count, long sequence)
    {
        Tail = tail;
        Chunks = chunks;
        Count = count;
        Sequence = sequence;
    }

    /// <summary>The segment, or null for a tail.</summary>
    public Segment? Segment { get; }

    /// <summary>The tail, or null for a segment.</summary>
    public Tail? Tail { get; }

    /// <summary>A tail's chunks as published (they hold at least <see cref="Count"/> rows); null for a segment.</summary>
    public TailChunk[]? Chunks { get; }

    /// <summary>Rows visible to the snapshot (live or deleted): rows 0 to Count − 1.</summary>
    public int Count { get; }

    /// <summary>The snapshot's sequence: a row deleted at or before it is not visible.</summary>
    public long Sequence { get; }

    /// <summary>Whether the row was deleted at or before the snapshot's sequence.</summary>
    public bool IsDeleted(int row) => Segment is { } seg ? seg.IsDeleted(row, Sequence) : Tail!.DeletedAt(row) <= Sequence;

    /// <summary>The row's vector or code bytes.</summary>
    public ReadOnlySpan<byte> Vector(int row) => Segment is { } seg ? seg.Vector(row) : Tail!.Vector(row);

    /// <summary>The row's stored norm (cosine indexes), otherwise 0.</summary>
    public unsafe float Norm(int row)
    {
        if (Segment is { } seg)
        {
            float* norms = seg.NormsForScan();
            return norms is null ? 0 : norms[row];
        }
        return Tail!.ChunkOf(row).Norms is { } n ? n[row % Tail.ChunkRows] : 0;
    }

    /// <summary>The row's id as UTF-8.</summary>
    public ReadOnlySpan<byte> IdUtf8(int row) => Segment is { } seg ? seg.IdUtf8(row) : Tail!.IdUtf8(row);

    /// <summary>The row's payload (empty when it has none).</summary>
    public ReadOnlySpan<byte> Payload(int row) => Segment is { } seg ? seg.Payload(row) : Tail!.Payload(row);

    /// <summary>Marks the row deleted at <paramref name="sequence"/> (writer only).</summary>
    public void MarkDeleted(int row, long sequence)
    {
        if (Segment is { } seg) seg.MarkDeleted(row, sequence);
        else Tail!.MarkDeleted(row, sequence);
    }

    /// <summary>A tail's multi-index hashing tables; null for a segment (see <see cref="Segment.Substrings"/>) or a tail without them.</summary>
    public TailBuckets? TailSubstrings => Tail?.Substrings;

    /// <summary>A tail's LSH tables; null for a segment (see <see cref="Segment.LshPostings"/>) or a tail without them.</summary>
    public TailBuckets? TailLsh => Tail?.Lsh;

    /// <summary>
    /// The rows of this tail in bucket <paramref name="key"/> of table <paramref name="table"/> of
    /// <paramref name="tables"/>, newest first, leaving out rows written after the snapshot.
    /// </summary>
    public TailChain Chain(TailBuckets tables, int table, uint key) => new(Tail!, tables, table, key, Count);
}

namespace Aknn.Embedded;

/// <summary>A summary of an index's state, from <see cref="VectorIndex.GetStatistics"/>.</summary>
/// <param name="LiveCount">Items stored and not deleted.</param>
/// <param name="SegmentCount">Immutable segment files.</param>
/// <param name="SegmentRows">Rows in segment files, deleted ones included (compaction drops those).</param>
/// <param name="TailRows">Rows in the in-memory tail, not yet sealed into a segment.</param>
/// <param name="DeletedRows">Deleted rows still occupying segment space.</param>
/// <param name="Sequence">Sequence number of the last write.</param>
/// <param name="DiskBytes">Bytes the index folder occupies.</param>
public sealed record IndexStatistics(long LiveCount, int SegmentCount, long SegmentRows, int TailRows, long DeletedRows, long Sequence, long DiskBytes);

/// <summary>Progress of <see cref="VectorIndex.Compact"/>.</summary>
/// <param name="RowsWritten">Rows copied into the merged segment so far.</param>
/// <param name="TotalRows">Rows the merged segment will hold.</param>
public readonly record struct CompactionProgress(long RowsWritten, long TotalRows);

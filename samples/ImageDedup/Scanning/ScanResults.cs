namespace ImageDedup.Scanning;

/// <summary>What <see cref="DedupScanner.ScanAsync"/> did.</summary>
/// <param name="FilesFound">Image files found in the folder (by extension).</param>
/// <param name="HashedNow">Files decoded and hashed in this scan (new or changed since the last one).</param>
/// <param name="Reused">Files whose hash was taken from the index because their size and modification time had not changed.</param>
/// <param name="Removed">Files whose entries were deleted from the index because the file is gone.</param>
/// <param name="Failures">Files that could not be decoded or hashed, ordered by path.</param>
/// <param name="WasCancelled">
/// Whether the scan was cancelled: what was hashed before is committed to the index, and the
/// rest is hashed by the next scan.
/// </param>
/// <param name="Elapsed">How long the scan took.</param>
/// <param name="DecodeTime">Time spent reading and decoding files, summed over the workers.</param>
/// <param name="HashTime">Time spent computing hashes (and preparing their index rows), summed over the workers.</param>
/// <param name="StoreTime">Time spent writing the rows to the index and committing, summed over the workers.</param>
public sealed record ScanSummary(
    int FilesFound,
    int HashedNow,
    int Reused,
    int Removed,
    IReadOnlyList<FileFailure> Failures,
    bool WasCancelled,
    TimeSpan Elapsed,
    TimeSpan DecodeTime = default,
    TimeSpan HashTime = default,
    TimeSpan StoreTime = default);

/// <summary>A file that could not be decoded or hashed.</summary>
/// <param name="Path">The path relative to the scanned folder, with '/' separators.</param>
/// <param name="Reason">Why: truncated, damaged, not a supported format, unreadable.</param>
public sealed record FileFailure(string Path, string Reason);

/// <summary>Progress of a long step.</summary>
/// <param name="Phase">"listing" (files found so far; <paramref name="Total"/> is 0), "hashing" or "grouping".</param>
/// <param name="Done">Units finished (files, or the library's units of duplicate search).</param>
/// <param name="Total">Units in all; 0 when not known yet.</param>
public readonly record struct ScanProgress(string Phase, long Done, long Total);

/// <summary>A group of near-duplicate images: linked by chains of hashes within the radius.</summary>
/// <param name="Members">The images: the keeper first, then the others by distance to it and path.</param>
public sealed record ImageGroup(IReadOnlyList<GroupMember> Members)
{
    /// <summary>The number of images in the group.</summary>
    public int Count => Members.Count;

    /// <summary>The copy to keep: most pixels, then largest file, then oldest.</summary>
    public GroupMember Keeper => Members[0];
}

/// <summary>One image of a group.</summary>
/// <param name="Path">The path relative to the scanned folder, with '/' separators.</param>
/// <param name="Size">File size in bytes when it was hashed.</param>
/// <param name="ModifiedUtc">Modification time when it was hashed.</param>
/// <param name="Width">Width of the upright picture in pixels (0 when unknown).</param>
/// <param name="Height">Height of the upright picture in pixels (0 when unknown).</param>
/// <param name="Distance">
/// Hamming distance to the keeper: the smallest distance between any hash of this image (full
/// frame or crop) and any hash of the keeper; 0 for the keeper itself.
/// </param>
/// <param name="Quality">PDQ's quality score of the full frame, 0 to 100; null for pHash.</param>
/// <param name="Hash">The full frame's hash in hexadecimal.</param>
/// <param name="IsKeeper">Whether this is the group's keeper.</param>
public sealed record GroupMember(string Path, long Size, DateTime ModifiedUtc, int Width, int Height, int Distance, int? Quality, string Hash, bool IsKeeper)
{
    /// <summary>Whether the PDQ quality is below <see cref="DedupSettings.MinimumQuality"/>.</summary>
    public bool LowQuality => Quality is int q && q < DedupSettings.MinimumQuality;

    /// <summary>Width × height.</summary>
    public long Pixels => (long)Width * Height;
}

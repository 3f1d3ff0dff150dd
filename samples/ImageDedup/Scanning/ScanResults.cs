namespace ImageDedup.Scanning;

/// <summary>What <see cref="DedupScanner.ScanAsync"/> did.</summary>
/// <param name="FilesFound">Image files found in the folder (by extension).</param>
/// <param name="HashedNow">Files decoded and hashed in this scan (new or changed since the last one).</param>
/// <param name="Reused">Files whose hash was taken from the index because their size and modification time had not changed.</param>
/// <param name="Removed">Index entries deleted because their file is gone.</param>
/// <param name="Failures">Files that could not be decoded or hashed, ordered by path.</param>
/// <param name="WasCancelled">
/// Whether the scan was cancelled: what was hashed before is committed to the index, and the
/// rest is hashed by the next scan.
/// </param>
/// <param name="Elapsed">How long the scan took.</param>
public sealed record ScanSummary(
    int FilesFound,
    int HashedNow,
    int Reused,
    int Removed,
    IReadOnlyList<FileFailure> Failures,
    bool WasCancelled,
    TimeSpan Elapsed);

/// <summary>A file that could not be decoded or hashed.</summary>
/// <param name="Path">The path relative to the scanned folder, with '/' separators.</param>
/// <param name="Reason">Why, usually ImageMagick's own message.</param>
public sealed record FileFailure(string Path, string Reason);

/// <summary>Progress of a long step.</summary>
/// <param name="Phase">"listing" (files found so far; <paramref name="Total"/> is 0), "hashing" or "grouping".</param>
/// <param name="Done">Units finished (files, or the library's units of duplicate search).</param>
/// <param name="Total">Units in all; 0 when not known yet.</param>
public readonly record struct ScanProgress(string Phase, long Done, long Total);

/// <summary>A group of near-duplicate images: linked by chains of hashes within the radius.</summary>
/// <param name="Members">The images, the group's first member (the reference for distances) first.</param>
public sealed record ImageGroup(IReadOnlyList<GroupMember> Members)
{
    /// <summary>The number of images in the group.</summary>
    public int Count => Members.Count;
}

/// <summary>One image of a group.</summary>
/// <param name="Path">The path relative to the scanned folder, with '/' separators.</param>
/// <param name="Size">File size in bytes when it was hashed.</param>
/// <param name="ModifiedUtc">Modification time when it was hashed.</param>
/// <param name="Distance">Hamming distance between its hash and the group's first member's (0 for the first member).</param>
/// <param name="Quality">PDQ's quality score, 0 to 100; null for pHash.</param>
/// <param name="Hash">The hash in hexadecimal.</param>
public sealed record GroupMember(string Path, long Size, DateTime ModifiedUtc, int Distance, int? Quality, string Hash);

namespace Aknn.Embedded.CrashHelper;

/// <summary>The kinds of file an index folder holds, as the corruption trials damage them.</summary>
public enum FileKind
{
    /// <summary>MANIFEST: the list of live files and the index's settings.</summary>
    Manifest,

    /// <summary>log-*.wal: the write-ahead log of the writes not yet sealed.</summary>
    Log,

    /// <summary>seg-*.seg: an immutable segment.</summary>
    Segment,

    /// <summary>seg-*-*.del: a segment's deletion bitmap.</summary>
    DeletionFile,

    /// <summary>LSHMODEL: the fitted LSH model (LSH indexes only).</summary>
    LshModel,
}

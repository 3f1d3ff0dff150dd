namespace Aknn.Embedded.Storage;

/// <summary>
/// Byte layout of a segment file (format versions 1 to 3); docs/file-format.md describes it in full.
/// All integers are little-endian. Sections start on 64-byte boundaries.
/// </summary>
internal static class SegmentFormat
{
    /// <summary>The newest version this library writes and reads: 2 adds the substring-tables section, 3 the LSH postings section.</summary>
    public const int Version = 3;

    /// <summary>Segments with substring tables (and no LSH postings) are written as version 2.</summary>
    public const int VersionWithSubstrings = 2;

    /// <summary>Segments without substring tables are written as version 1, which older readers accept.</summary>
    public const int VersionWithoutSubstrings = 1;

    /// <summary>The largest section kind this version knows.</summary>
    public const int MaxSectionKind = 9;
    public const int Alignment = 64;

    public static ReadOnlySpan<byte> Magic => "AKNNSEG\0"u8;
    public static ReadOnlySpan<byte> FooterMagic => "AKNNEND\0"u8;

    // Header, 128 bytes:
    public const int HeaderSize = 128;
    public const int OffMagic = 0;            // 8  "AKNNSEG\0"
    public const int OffVersion = 8;          // 4  format version
    public const int OffHeaderSize = 12;      // 4  header size (128)
    public const int OffMetric = 16;          // 1  Metric
    public const int OffModel = 17;           // 1  IndexModelKind
    //                                           2  reserved, zero
    public const int OffDimensions = 20;      // 4  dimensions (bits for Hamming)
    public const int OffRowBytes = 24;        // 4  bytes per stored vector
    public const int OffSectionCount = 28;    // 4  number of sections
    public const int OffRowCount = 32;        // 8  rows
    public const int OffSegmentId = 40;       // 8  segment number (matches the file name)
    public const int OffMinSequence = 48;     // 8  smallest log sequence number in the segment
    public const int OffMaxSequence = 56;     // 8  largest log sequence number in the segment
    public const int OffFingerprint = 64;     // 8  schema fingerprint
    //                                           52 reserved, zero (72..123)
    public const int OffHeaderCrc = 124;      // 4  CRC-32C of bytes 0..123

    // Section table entry, 32 bytes each, written after the last section:
    public const int EntrySize = 32;          // 4 kind, 4 reserved, 8 offset, 8 length, 4 CRC-32C of the section, 4 reserved

    // Footer, the last 32 bytes of the file:
    public const int FooterSize = 32;
    public const int FootOffTable = 0;        // 8  offset of the section table
    public const int FootOffTableCrc = 8;     // 4  CRC-32C of the section table
    public const int FootOffSectionCount = 12;// 4  number of entries
    public const int FootOffMagic = 16;       // 8  "AKNNEND\0"
    public const int FootOffFileLength = 24;  // 4  low 32 bits of the file length (detects truncation/extension)
    public const int FootOffCrc = 28;         // 4  CRC-32C of footer bytes 0..27

    public static long Align(long offset) => (offset + Alignment - 1) & ~(long)(Alignment - 1);
}

/// <summary>Section kinds of a segment file.</summary>
internal enum SectionKind : uint
{
    /// <summary>rows × row bytes: float32 vectors or 64-bit code words, row by row.</summary>
    Vectors = 1,
    /// <summary>rows × float32: the Euclidean norm of each vector (cosine indexes only).</summary>
    Norms = 2,
    /// <summary>(rows + 1) × uint64: start of each id in <see cref="IdBytes"/>.</summary>
    IdOffsets = 3,
    /// <summary>The UTF-8 bytes of all ids, concatenated.</summary>
    IdBytes = 4,
    /// <summary>The id hash table, see <see cref="IdTable"/>.</summary>
    IdTable = 5,
    /// <summary>(rows + 1) × uint64: start of each payload in <see cref="PayloadBytes"/>.</summary>
    PayloadOffsets = 6,
    /// <summary>All payloads, concatenated.</summary>
    PayloadBytes = 7,
    /// <summary>Multi-index hashing tables over the codes (Hamming indexes), see <see cref="SubstringFormat"/>. Format version 2.</summary>
    Substrings = 8,
    /// <summary>LSH bucket postings per table (LSH indexes), see <see cref="LshPostingsFormat"/>. Format version 3.</summary>
    LshPostings = 9,
}

using System.Buffers.Binary;

namespace Aknn.Embedded.Storage;

/// <summary>
/// A segment's tombstones: a bitmap with one bit per row (bit r of byte r/8 set = row r deleted).
/// Written whole, under a new name each time, when the tail is sealed; the manifest names the
/// current one. Layout (64-byte header, then the bitmap):
/// </summary>
internal static class DeletionFile
{
    public const int Version = 1;
    public static ReadOnlySpan<byte> Magic => "AKNNDEL\0"u8;

    private const int HeaderSize = 64;
    private const int OffVersion = 8;       // 4  format version
    private const int OffSegmentId = 16;    // 8  segment number
    private const int OffRowCount = 24;     // 8  rows in the segment
    private const int OffDeleted = 32;      // 8  number of set bits
    private const int OffBitmapLength = 40; // 4  bitmap bytes = ceil(rows / 8)
    private const int OffBitmapCrc = 44;    // 4  CRC-32C of the bitmap
    private const int OffHeaderCrc = 60;    // 4  CRC-32C of bytes 0..59

    /// <summary>Writes the rows deleted at or before <paramref name="upToSequence"/>; returns how many.</summary>
    public static int Write(string path, long segmentId, long[] deletedAt, long upToSequence, IFaultInjector? faults)
    {
        int rows = deletedAt.Length;
        var bytes = new byte[HeaderSize + (rows + 7) / 8];
        Span<byte> bitmap = bytes.AsSpan(HeaderSize);
        long deleted = 0;
        for (int r = 0; r < rows; r++)
        {
            if (deletedAt[r] > upToSequence) continue;
            bitmap[r >> 3] |= (byte)(1 << (r & 7));
            deleted++;
        }
        Span<byte> h = bytes.AsSpan(0, HeaderSize);
        Magic.CopyTo(h);
        BinaryPrimitives.WriteInt32LittleEndian(h[OffVersion..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(h[OffSegmentId..], segmentId);
        BinaryPrimitives.WriteInt64LittleEndian(h[OffRowCount..], rows);
        BinaryPrimitives.WriteInt64LittleEndian(h[OffDeleted..], deleted);
        BinaryPrimitives.WriteInt32LittleEndian(h[OffBitmapLength..], bitmap.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(h[OffBitmapCrc..], Crc32C.Compute(bitmap));
        BinaryPrimitives.WriteUInt32LittleEndian(h[OffHeaderCrc..], Crc32C.Compute(h[..OffHeaderCrc]));
        AtomicFile.Write(path, bytes, faults);
        return (int)deleted;
    }

    /// <summary>Reads and checks a deletion file; returns its bitmap.</summary>
    public static byte[] Read(string path, long segmentId, int rows)
    {
        byte[] bytes = SharedRead.AllBytes(path);
        if (bytes.Length < HeaderSize || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
            throw new IndexCorruptedException(path, 0, "the deletion file does not start with the magic number AKNNDEL");
        ReadOnlySpan<byte> h = bytes.AsSpan(0, HeaderSize);
        int version = BinaryPrimitives.ReadInt32LittleEndian(h[OffVersion..]);
        if (Crc32C.Compute(h[..OffHeaderCrc]) != BinaryPrimitives.ReadUInt32LittleEndian(h[OffHeaderCrc..]))
            throw new IndexCorruptedException(path, OffHeaderCrc, "the deletion file header checksum does not match" + FormatVersions.NewerHint(version, Version));
        if (version > Version) throw new UnsupportedFormatVersionException(path, version, Version);
        if (BinaryPrimitives.ReadInt64LittleEndian(h[OffSegmentId..]) != segmentId || BinaryPrimitives.ReadInt64LittleEndian(h[OffRowCount..]) != rows)
            throw new IndexCorruptedException(path, OffSegmentId, "the deletion file belongs to a different segment");
        int length = BinaryPrimitives.ReadInt32LittleEndian(h[OffBitmapLength..]);
        if (length != (rows + 7) / 8 || bytes.Length != HeaderSize + length)
            throw new IndexCorruptedException(path, OffBitmapLength, $"the deletion file is {bytes.Length} bytes long, expected {HeaderSize + (rows + 7) / 8} (truncated)");
        byte[] bitmap = bytes.AsSpan(HeaderSize).ToArray();
        if (Crc32C.Compute(bitmap) != BinaryPrimitives.ReadUInt32LittleEndian(h[OffBitmapCrc..]))
            throw new IndexCorruptedException(path, HeaderSize, "the deletion bitmap checksum does not match; the offset is where the bitmap starts, and the damage lies somewhere within it");
        return bitmap;
    }
}

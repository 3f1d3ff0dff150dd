using System.Buffers.Binary;

namespace Aknn.Embedded.Storage;

/// <summary>Kinds of log records.</summary>
internal enum LogRecordKind : byte
{
    Upsert = 1,
    Delete = 2,
}

/// <summary>
/// Byte layout of the append-only log (format version 1). A 32-byte file header is followed by
/// records, each framed as:
/// <code>
/// 0   4  length L: bytes from offset 8 to the end of the record
/// 4   4  CRC-32C of those L bytes
/// 8   8  sequence number (strictly increasing)
/// 16  1  kind (1 = upsert, 2 = delete)
/// 17  1  reserved, zero
/// 18  2  id length in bytes
/// 20  4  payload length in bytes (0 for a delete)
/// 24  …  id (UTF-8), then the vector (row bytes, upserts only), then the payload
/// </code>
/// </summary>
internal static class LogFormat
{
    public const int Version = 1;
    public static ReadOnlySpan<byte> Magic => "AKNNWAL\0"u8;

    public const int HeaderSize = 32;
    private const int HOffVersion = 8;     // 4
    private const int HOffGeneration = 16; // 8  log file number, matches the name
    private const int HOffCrc = 28;        // 4  CRC-32C of bytes 0..27

    public const int RecordPrefix = 24;
    public const int FramePrefix = 8;

    public static int UpsertSize(int idBytes, int rowBytes, int payloadBytes) => RecordPrefix + idBytes + rowBytes + payloadBytes;
    public static int DeleteSize(int idBytes) => RecordPrefix + idBytes;

    public static void WriteHeader(Span<byte> h, long generation)
    {
        h[..HeaderSize].Clear();
        Magic.CopyTo(h);
        BinaryPrimitives.WriteInt32LittleEndian(h[HOffVersion..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(h[HOffGeneration..], generation);
        BinaryPrimitives.WriteUInt32LittleEndian(h[HOffCrc..], Crc32C.Compute(h[..HOffCrc]));
    }

    public static void CheckHeader(ReadOnlySpan<byte> file, string path, long generation)
    {
        if (file.Length < HeaderSize || !file[..8].SequenceEqual(Magic))
            throw new IndexCorruptedException(path, 0, "the log file does not start with the magic number AKNNWAL (missing or truncated header)");
        int version = BinaryPrimitives.ReadInt32LittleEndian(file[HOffVersion..]);
        if (Crc32C.Compute(file[..HOffCrc]) != BinaryPrimitives.ReadUInt32LittleEndian(file[HOffCrc..]))
            throw new IndexCorruptedException(path, HOffCrc, "the log header checksum does not match" + FormatVersions.NewerHint(version, Version));
        if (version > Version) throw new UnsupportedFormatVersionException(path, version, Version);
        if (BinaryPrimitives.ReadInt64LittleEndian(file[HOffGeneration..]) != generation)
            throw new IndexCorruptedException(path, HOffGeneration, "the log file number does not match the manifest");
    }

    /// <summary>Encodes a record into <paramref name="dest"/> (exactly its size).</summary>
    public static void Encode(Span<byte> dest, LogRecordKind kind, long seq, ReadOnlySpan<byte> id, ReadOnlySpan<byte> vector, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteInt32LittleEndian(dest, dest.Length - FramePrefix);
        BinaryPrimitives.WriteInt64LittleEndian(dest[8..], seq);
        dest[16] = (byte)kind;
        dest[17] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(dest[18..], (ushort)id.Length);
        BinaryPrimitives.WriteInt32LittleEndian(dest[20..], payload.Length);
        id.CopyTo(dest[RecordPrefix..]);
        vector.CopyTo(dest[(RecordPrefix + id.Length)..]);
        payload.CopyTo(dest[(RecordPrefix + id.Length + vector.Length)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[4..], Crc32C.Compute(dest[FramePrefix..]));
    }

    /// <summary>A decoded record; spans point into the log's bytes.</summary>
    public readonly ref struct Record
    {
        public Record(long seq, LogRecordKind kind, ReadOnlySpan<byte> id, ReadOnlySpan<byte> vector, ReadOnlySpan<byte> payload)
        {
            Sequence = seq; Kind = kind; Id = id; Vector = vector; Payload = payload;
        }
        public long Sequence { get; }
        public LogRecordKind Kind { get; }
        public ReadOnlySpan<byte> Id { get; }
        public ReadOnlySpan<byte> Vector { get; }
        public ReadOnlySpan<byte> Payload { get; }
    }

    /// <summary>Decodes the record at <paramref name="offset"/>; false when it is incomplete or fails its checksum.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> log, int offset, int rowBytes, out Record record, out int size)
    {
        record = default;
        size = 0;
        if (log.Length - offset < RecordPrefix) return false;
        ReadOnlySpan<byte> r = log[offset..];
        int length = BinaryPrimitives.ReadInt32LittleEndian(r);
        if (length < RecordPrefix - FramePrefix || length > r.Length - FramePrefix) return false;
        ReadOnlySpan<byte> body = r.Slice(FramePrefix, length);
        if (Crc32C.Compute(body) != BinaryPrimitives.ReadUInt32LittleEndian(r[4..])) return false;
        var kind = (LogRecordKind)r[16];
        int idLen = BinaryPrimitives.ReadUInt16LittleEndian(r[18..]);
        int payloadLen = BinaryPrimitives.ReadInt32LittleEndian(r[20..]);
        int vecLen = kind == LogRecordKind.Upsert ? rowBytes : 0;
        if ((kind != LogRecordKind.Upsert && kind != LogRecordKind.Delete) || payloadLen < 0
            || (long)RecordPrefix + idLen + vecLen + payloadLen != length + FramePrefix)
            return false;
        ReadOnlySpan<byte> all = r[..(length + FramePrefix)];
        record = new Record(BinaryPrimitives.ReadInt64LittleEndian(r[8..]), kind,
            all.Slice(RecordPrefix, idLen), all.Slice(RecordPrefix + idLen, vecLen), all.Slice(RecordPrefix + idLen + vecLen, payloadLen));
        size = length + FramePrefix;
        return true;
    }
}

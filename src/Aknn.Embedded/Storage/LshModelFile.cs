using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Aknn.Embedded.Bucketing;

namespace Aknn.Embedded.Storage;

/// <summary>
/// The file that stores a fitted LSH model (<c>LSHMODEL</c> in the index folder), written once,
/// atomically, before any row is hashed with it; docs/file-format.md describes the layout.
/// Little-endian: a 64-byte header, then P × D float32 plane coefficients, P float32 offsets and
/// P int32 sampled bit positions (bit sampling only), P = tables × bits.
/// </summary>
internal static class LshModelFile
{
    public const string FileName = "LSHMODEL";
    public const int Version = 1;
    public static ReadOnlySpan<byte> Magic => "AKNNLSH\0"u8;

    private const int HeaderSize = 64;
    private const int OffVersion = 8;     // 4
    private const int OffFamily = 12;     // 4  LshFamily
    private const int OffDimensions = 16; // 4  float components, or code bits
    private const int OffTables = 20;     // 4
    private const int OffBits = 24;       // 4  bits (or stable hashes) per table
    private const int OffWidth = 28;      // 4  float32 bucket width (stable), else 0
    private const int OffPlaneFloats = 32;// 8  number of plane coefficients (P × D, or 0)
    private const int OffBodyCrc = 40;    // 4  CRC-32C of everything after the header
    //                                       16 reserved, zero
    private const int OffHeaderCrc = 60;  // 4  CRC-32C of header bytes 0..59

    public static void Write(string folder, LshModel model, IFaultInjector? faults)
    {
        int p = model.PlaneCount;
        int planeBytes = model.Planes.Length * 4, positionBytes = model.Family == LshFamily.BitSampling ? p * 4 : 0;
        var bytes = new byte[HeaderSize + planeBytes + p * 4 + positionBytes];
        Span<byte> body = bytes.AsSpan(HeaderSize);
        MemoryMarshal.AsBytes(model.Planes.AsSpan()).CopyTo(body);
        MemoryMarshal.AsBytes(model.Offsets.AsSpan()).CopyTo(body[planeBytes..]);
        if (positionBytes > 0) MemoryMarshal.AsBytes(model.Positions.AsSpan()).CopyTo(body[(planeBytes + p * 4)..]);
        if (!BitConverter.IsLittleEndian)
        {
            var words = MemoryMarshal.Cast<byte, int>(body);
            BinaryPrimitives.ReverseEndianness(words, words);
        }
        Span<byte> h = bytes.AsSpan(0, HeaderSize);
        Magic.CopyTo(h);
        BinaryPrimitives.WriteInt32LittleEndian(h[OffVersion..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(h[OffFamily..], (int)model.Family);
        BinaryPrimitives.WriteInt32LittleEndian(h[OffDimensions..], model.Dimensions);
        BinaryPrimitives.WriteInt32LittleEndian(h[OffTables..], model.Tables);
        BinaryPrimitives.WriteInt32LittleEndian(h[OffBits..], model.Bits);
        BinaryPrimitives.WriteSingleLittleEndian(h[OffWidth..], model.Width);
        BinaryPrimitives.WriteInt64LittleEndian(h[OffPlaneFloats..], model.Planes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(h[OffBodyCrc..], Crc32C.Compute(body));
        BinaryPrimitives.WriteUInt32LittleEndian(h[OffHeaderCrc..], Crc32C.Compute(h[..OffHeaderCrc]));
        AtomicFile.Write(Path.Combine(folder, FileName), bytes, faults);
    }

    /// <summary>Reads and checks the model; it must match the shape the manifest records.</summary>
    public static LshModel Read(string folder, LshFamily family, int dimensions, int tables, int bits)
    {
        string path = Path.Combine(folder, FileName);
        byte[] bytes;
        try
        {
            bytes = SharedRead.AllBytes(path);
        }
        catch (FileNotFoundException)
        {
            throw new IndexCorruptedException(path, 0, "the LSH model file is missing although the MANIFEST says the model was fitted (deleted, or not copied with the rest of the index folder)");
        }
        if (bytes.Length < HeaderSize || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
            throw new IndexCorruptedException(path, 0, "the LSH model file does not start with the magic number AKNNLSH or is truncated");
        ReadOnlySpan<byte> h = bytes.AsSpan(0, HeaderSize);
        int version = BinaryPrimitives.ReadInt32LittleEndian(h[OffVersion..]);
        if (Crc32C.Compute(h[..OffHeaderCrc]) != BinaryPrimitives.ReadUInt32LittleEndian(h[OffHeaderCrc..]))
            throw new IndexCorruptedException(path, OffHeaderCrc, "the LSH model header checksum does not match" + FormatVersions.NewerHint(version, Version));
        if (version > Version) throw new UnsupportedFormatVersionException(path, version, Version);
        int p = tables * bits;
        long planeFloats = BinaryPrimitives.ReadInt64LittleEndian(h[OffPlaneFloats..]);
        bool sampling = family == LshFamily.BitSampling;
        if (BinaryPrimitives.ReadInt32LittleEndian(h[OffFamily..]) != (int)family || BinaryPrimitives.ReadInt32LittleEndian(h[OffDimensions..]) != dimensions
            || BinaryPrimitives.ReadInt32LittleEndian(h[OffTables..]) != tables || BinaryPrimitives.ReadInt32LittleEndian(h[OffBits..]) != bits
            || planeFloats != (sampling ? 0 : (long)p * dimensions))
            throw new IndexCorruptedException(path, OffFamily, "the LSH model file describes a model other than the one the MANIFEST records");
        long expected = HeaderSize + planeFloats * 4 + p * 4L + (sampling ? p * 4L : 0);
        if (bytes.Length != expected)
            throw new IndexCorruptedException(path, HeaderSize, $"the LSH model file is {bytes.Length} bytes long, expected {expected}");
        ReadOnlySpan<byte> body = bytes.AsSpan(HeaderSize);
        if (Crc32C.Compute(body) != BinaryPrimitives.ReadUInt32LittleEndian(h[OffBodyCrc..]))
            throw new IndexCorruptedException(path, HeaderSize, "the LSH model's checksum does not match its stored value; the offset is where the model's data starts, and the damage lies somewhere within it");
        var planes = new float[planeFloats];
        var offsets = new float[p];
        var positions = sampling ? new int[p] : [];
        int at = 0;
        for (int i = 0; i < planes.Length; i++, at += 4) planes[i] = BinaryPrimitives.ReadSingleLittleEndian(body[at..]);
        for (int i = 0; i < p; i++, at += 4) offsets[i] = BinaryPrimitives.ReadSingleLittleEndian(body[at..]);
        for (int i = 0; i < positions.Length; i++, at += 4)
        {
            positions[i] = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
            if ((uint)positions[i] >= (uint)dimensions)
                throw new IndexCorruptedException(path, HeaderSize + at, $"sampled bit position {positions[i]} lies outside the {dimensions}-bit code");
        }
        float width = BinaryPrimitives.ReadSingleLittleEndian(h[OffWidth..]);
        return new LshModel(family, dimensions, tables, bits, width, planes, offsets, positions);
    }
}

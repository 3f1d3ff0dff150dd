using System.Buffers.Binary;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Tests.Support;

/// <summary>Damages index files on purpose: flips, truncates, appends and patches bytes.</summary>
internal static class FileSurgery
{
    /// <summary>Inverts every bit of the byte at <paramref name="offset"/>.</summary>
    public static void FlipByte(string path, long offset)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        Assert.InRange(offset, 0, f.Length - 1);
        f.Position = offset;
        int b = f.ReadByte();
        f.Position = offset;
        f.WriteByte((byte)~b);
    }

    public static void Truncate(string path, long length)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        Assert.InRange(length, 0, f.Length);
        f.SetLength(length);
    }

    public static void Append(string path, ReadOnlySpan<byte> bytes)
    {
        using var f = new FileStream(path, FileMode.Append, FileAccess.Write);
        f.Write(bytes);
    }

    /// <summary>
    /// Writes <paramref name="value"/> as a little-endian int32 at <paramref name="offset"/> and
    /// then stores a fresh CRC-32C of bytes [<paramref name="crcFrom"/>, <paramref name="crcTo"/>)
    /// at <paramref name="crcAt"/>, so that the patched field is the only difference a reader sees.
    /// </summary>
    public static void PatchInt32AndFixCrc(string path, int offset, int value, int crcFrom, int crcTo, int crcAt)
    {
        byte[] bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), value);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(crcAt), Crc32C.Compute(bytes.AsSpan(crcFrom, crcTo - crcFrom)));
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// Rewrites the manifest's LogDurableLength, as a writer that crashed after flushing the log only
    /// through <paramref name="durable"/> bytes would have left it (tests of the recovery rule).
    /// </summary>
    public static void SetLogDurableLength(string folder, long durable)
    {
        string path = Path.Combine(folder, "MANIFEST");
        byte[] file = File.ReadAllBytes(path);
        var body = System.Text.Json.Nodes.JsonNode.Parse(file.AsSpan(32))!.AsObject();
        body["LogDurableLength"] = durable;
        byte[] json = System.Text.Encoding.UTF8.GetBytes(body.ToJsonString());
        var frame = new byte[32 + json.Length];
        file.AsSpan(0, 12).CopyTo(frame);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(12), json.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(16), Aknn.Embedded.Storage.Crc32C.Compute(json));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(28), Aknn.Embedded.Storage.Crc32C.Compute(frame.AsSpan(0, 28)));
        json.CopyTo(frame, 32);
        File.WriteAllBytes(path, frame);
    }

    public static string Single(string folder, string pattern)
    {
        string[] files = Directory.GetFiles(folder, pattern);
        Assert.True(files.Length == 1, $"Expected one file matching {pattern} in {folder}, found: {string.Join(", ", Directory.GetFiles(folder).Select(Path.GetFileName))}");
        return files[0];
    }
}

/// <summary>Where each section of a segment file lies, read from its section table.</summary>
internal static class SegmentLayout
{
    public static Dictionary<SectionKind, (long Offset, long Length)> Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        ReadOnlySpan<byte> footer = file.AsSpan(file.Length - SegmentFormat.FooterSize);
        long table = BinaryPrimitives.ReadInt64LittleEndian(footer[SegmentFormat.FootOffTable..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(footer[SegmentFormat.FootOffSectionCount..]);
        var sections = new Dictionary<SectionKind, (long, long)>();
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> e = file.AsSpan((int)table + i * SegmentFormat.EntrySize, SegmentFormat.EntrySize);
            sections[(SectionKind)BinaryPrimitives.ReadUInt32LittleEndian(e)] =
                (BinaryPrimitives.ReadInt64LittleEndian(e[8..]), BinaryPrimitives.ReadInt64LittleEndian(e[16..]));
        }
        return sections;
    }

    public static long SectionTableOffset(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        return BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(file.Length - SegmentFormat.FooterSize + SegmentFormat.FootOffTable));
    }
}

using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aknn.Embedded.Storage;

/// <summary>
/// The index's table of contents: its schema, the live segments with their deletion files, the
/// current log file and the last sequence number sealed into segments. Replaced atomically.
/// File layout: a 32-byte frame (magic "AKNNMAN\0", version, body length, body CRC-32C, frame
/// CRC-32C) followed by a UTF-8 JSON body.
/// </summary>
/// <remarks>
/// Immutable: the engine derives the next manifest with <c>with</c>, so a field added later is
/// carried over by every update without being listed anywhere else.
/// </remarks>
internal sealed record Manifest
{
    public const string FileName = "MANIFEST";
    public const int Version = 1;
    public static ReadOnlySpan<byte> Magic => "AKNNMAN\0"u8;

    private const int FrameSize = 32;
    private const int OffVersion = 8;     // 4
    private const int OffBodyLength = 12; // 4
    private const int OffBodyCrc = 16;    // 4
    private const int OffFrameCrc = 28;   // 4  CRC-32C of bytes 0..27

    public int FormatVersion { get; init; } = Version;
    public Metric Metric { get; init; }
    public int Dimensions { get; init; }
    public IndexModelKind Model { get; init; }

    /// <summary>Multi-index hashing: the fixed number of substring tables, or null to choose per segment.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Substrings { get; init; }

    /// <summary>Multi-index hashing: the radius the automatic choice of tables is tuned for.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ExpectedRadius { get; init; }

    /// <summary>LSH: the model's settings and whether it has been fitted (its planes are then in <see cref="LshModelFile"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ManifestLsh? Lsh { get; init; }
    public long SealThresholdBytes { get; init; }
    public DateTime CreatedUtc { get; init; }
    public long Generation { get; init; }
    public long NextFileNumber { get; init; }
    public long LastSealedSequence { get; init; }
    public string LogFile { get; init; } = "";

    /// <summary>
    /// How many bytes of <see cref="LogFile"/> are known to be on disk (flushed when the manifest
    /// was written: at a clean close, a seal, a bulk load). Log replay treats damage before this
    /// point as corruption, never as a torn write. 0 (absent in manifests written before it
    /// existed) means only the header is known.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long LogDurableLength { get; init; }

    public IReadOnlyList<ManifestSegment> Segments { get; init; } = [];

    public void Write(string folder, IFaultInjector? faults)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(this, ManifestJson.Default.Manifest);
        var bytes = new byte[FrameSize + body.Length];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(OffVersion), Version);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(OffBodyLength), body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(OffBodyCrc), Crc32C.Compute(body));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(OffFrameCrc), Crc32C.Compute(bytes.AsSpan(0, OffFrameCrc)));
        body.CopyTo(bytes, FrameSize);
        AtomicFile.Write(Path.Combine(folder, FileName), bytes, faults);
    }

    public static Manifest Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        byte[] bytes;
        try
        {
            bytes = SharedRead.AllBytes(path);
        }
        catch (FileNotFoundException)
        {
            throw new NotAnIndexException(folder, "the folder has no MANIFEST file");
        }
        if (bytes.Length < FrameSize || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
        {
            // A magic number with a damaged byte is still ours (corruption); one that is mostly
            // different belongs to some other program.
            int matching = 0;
            for (int i = 0; i < Math.Min(8, bytes.Length); i++)
                if (bytes[i] == Magic[i]) matching++;
            if (bytes.Length >= 8 && matching < 7)
                throw new NotAnIndexException(folder, "its MANIFEST file was not written by Aknn.Embedded");
            throw new IndexCorruptedException(path, 0, bytes.Length < FrameSize ? "the manifest frame is missing or truncated" : "the manifest's magic number is damaged");
        }
        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(OffVersion));
        if (Crc32C.Compute(bytes.AsSpan(0, OffFrameCrc)) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(OffFrameCrc)))
            throw new IndexCorruptedException(path, OffFrameCrc, "the manifest frame checksum does not match");
        if (version > Version) throw new UnsupportedFormatVersionException(path, version, Version);
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(OffBodyLength));
        if (length < 0 || FrameSize + (long)length != bytes.Length)
            throw new IndexCorruptedException(path, OffBodyLength, $"the manifest body should be {length} bytes but the file holds {bytes.Length - FrameSize}");
        ReadOnlySpan<byte> body = bytes.AsSpan(FrameSize);
        if (Crc32C.Compute(body) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(OffBodyCrc)))
            throw new IndexCorruptedException(path, FrameSize, "the manifest body checksum does not match; the offset is where the body starts, and the damage lies somewhere within it");
        Manifest? m;
        try
        {
            m = JsonSerializer.Deserialize(body, ManifestJson.Default.Manifest);
        }
        catch (JsonException e)
        {
            throw new IndexCorruptedException(path, FrameSize, "the manifest body is not valid: " + e.Message);
        }
        if (m is null) throw new IndexCorruptedException(path, FrameSize, "the manifest body is empty");
        if (m.FormatVersion > Version) throw new UnsupportedFormatVersionException(path, m.FormatVersion, Version);
        return m;
    }

    /// <summary>A fingerprint of everything that fixes the byte layout of rows; segments carry it too.</summary>
    public ulong Fingerprint()
    {
        Span<byte> b = stackalloc byte[16];
        b[0] = (byte)Metric;
        b[1] = (byte)Model;
        BinaryPrimitives.WriteInt32LittleEndian(b[4..], Dimensions);
        BinaryPrimitives.WriteInt32LittleEndian(b[8..], Version);
        return IdHash.Compute(b);
    }
}

/// <summary>The settings of an LSH model as the manifest records them.</summary>
internal sealed record ManifestLsh
{
    public LshFamily Family { get; init; }
    public int Tables { get; init; }
    public int Bits { get; init; }
    public float Width { get; init; }
    public int Probes { get; init; }
    public int Seed { get; init; }
    public int FitRows { get; init; }

    /// <summary>Whether the model exists (drawn at creation, or fitted from data); until then searches are exact.</summary>
    public bool Fitted { get; init; }

    public IndexModel ToModel() => IndexModel.Stored(Family, Tables, Bits, Width, Probes, Seed, FitRows);
}

/// <summary>One segment as listed in the manifest.</summary>
internal sealed record ManifestSegment
{
    public long Id { get; init; }
    public string File { get; init; } = "";
    public int Rows { get; init; }
    public string? DeletionFile { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(Manifest))]
internal sealed partial class ManifestJson : JsonSerializerContext;

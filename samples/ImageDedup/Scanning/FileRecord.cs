using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImageDedup.Scanning;

/// <summary>
/// The payload stored with each hash in the index: enough to tell whether the file changed since
/// it was hashed, and to show it without touching the file again.
/// </summary>
/// <param name="Path">The path relative to the scanned folder, with '/' separators (the id may be a hash of it).</param>
/// <param name="Size">File size in bytes.</param>
/// <param name="ModifiedTicks">Last write time, UTC, in .NET ticks.</param>
/// <param name="Quality">PDQ quality of this code, or null for pHash.</param>
/// <param name="Hash">The hash in hexadecimal; null on a crop's record (see <see cref="ForCrop"/>).</param>
/// <param name="Width">Width of the upright picture at full resolution, in pixels.</param>
/// <param name="Height">Height of the upright picture at full resolution, in pixels.</param>
/// <param name="Region">Which part of the picture this code hashes: "full", or a crop's name (see <see cref="Hashing.CropRegions"/>).</param>
/// <param name="Regions">On the full-frame record: the names of every region hashed for the file, comma-separated, so that a scan with other regions hashes the file again.</param>
public sealed record FileRecord(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("mtime")] long ModifiedTicks,
    [property: JsonPropertyName("quality")] int? Quality,
    [property: JsonPropertyName("hash")] string? Hash,
    [property: JsonPropertyName("w")] int Width = 0,
    [property: JsonPropertyName("h")] int Height = 0,
    [property: JsonPropertyName("region")] string Region = "full",
    [property: JsonPropertyName("regions")] string? Regions = null)
{
    /// <summary>
    /// The short record stored with a crop's code: which file and region it belongs to and its
    /// quality. The file's size, time and pixel size live on the full frame's record only, and
    /// the code itself is read back from the index.
    /// </summary>
    /// <param name="path">The file's relative path.</param>
    /// <param name="region">The crop region's name.</param>
    /// <param name="quality">The PDQ quality of the crop's code, or null for pHash.</param>
    public static FileRecord ForCrop(string path, string region, int? quality) => new(path, 0, 0, quality, null, Region: region);

    /// <summary>The record as UTF-8 JSON (fields at their default value are left out).</summary>
    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, ScanJsonContext.Default.FileRecord);

    /// <summary>Reads a payload; null when it is not a record of this program (it is then treated as stale).</summary>
    /// <param name="payload">The stored payload.</param>
    public static FileRecord? TryParse(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty) return null;
        try
        {
            return JsonSerializer.Deserialize(payload, ScanJsonContext.Default.FileRecord);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Whether the file on disk still matches this record (same size and modification time).</summary>
    /// <param name="file">The file as found by the scan.</param>
    public bool Matches(ImageFile file) =>
        Size == file.Size && ModifiedTicks == file.ModifiedUtc.Ticks && string.Equals(Path, file.RelativePath, StringComparison.Ordinal);
}

/// <summary>The marker file that identifies a cache folder as this program's.</summary>
/// <param name="Tool">Always "Aknn.Embedded ImageDedup".</param>
/// <param name="Format">The cache layout version.</param>
/// <param name="Folder">The folder last scanned with this cache.</param>
public sealed record CacheMarker(
    [property: JsonPropertyName("tool")] string Tool,
    [property: JsonPropertyName("format")] int Format,
    [property: JsonPropertyName("folder")] string Folder);

/// <summary>Source-generated JSON for the scanner's own files.</summary>
[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(FileRecord))]
[JsonSerializable(typeof(CacheMarker))]
internal sealed partial class ScanJsonContext : JsonSerializerContext;

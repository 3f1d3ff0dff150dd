using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using ImageDedup.Hashing;
using ImageDedup.Scanning;

namespace ImageDedup.Output;

/// <summary>The <c>--json</c> report.</summary>
/// <param name="Folder">The scanned folder (full path).</param>
/// <param name="Hash">"pdq" or "phash".</param>
/// <param name="Radius">The radius used.</param>
/// <param name="FilesScanned">Image files found.</param>
/// <param name="HashedNow">Files hashed in this run.</param>
/// <param name="Reused">Files whose hash came from the index.</param>
/// <param name="Removed">Index entries dropped because their file is gone.</param>
/// <param name="Failures">Files that could not be decoded (truncated, damaged, unsupported), with the reason; they are not hashed.</param>
/// <param name="LowQuality">Images whose PDQ quality is below 50.</param>
/// <param name="LowQualityLinks">Whether those were allowed to link groups.</param>
/// <param name="Groups">The groups, largest first.</param>
public sealed record JsonReport(
    string Folder,
    string Hash,
    int Radius,
    int FilesScanned,
    int HashedNow,
    int Reused,
    int Removed,
    IReadOnlyList<FileFailure> Failures,
    IReadOnlyList<string> LowQuality,
    bool LowQualityLinks,
    IReadOnlyList<JsonGroup> Groups)
{
    /// <summary>Builds the report.</summary>
    /// <param name="scanner">The scanner (folder, hash, radius).</param>
    /// <param name="scan">What the scan did.</param>
    /// <param name="result">The groups found.</param>
    public static JsonReport Create(DedupScanner scanner, ScanSummary scan, GroupingResult result) => new(
        scanner.Folder,
        scanner.Hash.Name(),
        scanner.Radius,
        scan.FilesFound,
        scan.HashedNow,
        scan.Reused,
        scan.Removed,
        scan.Failures,
        result.LowQuality,
        result.LowQualityLinks,
        result.Groups.Select((g, i) => new JsonGroup(i + 1, g.Count, g.Keeper.Path, g.Members)).ToList());

    /// <summary>
    /// Writes the report to <paramref name="path"/> as indented UTF-8 JSON. Only what JSON itself
    /// requires is escaped: paths keep their ` and ' and non-ASCII letters as they are (the default
    /// encoder writes them as \u0060, \u0027, …, which is safe inside HTML but not what a reader of
    /// a file wants).
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    public void WriteTo(string path)
    {
        using FileStream file = File.Create(path);
        using var writer = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        JsonSerializer.Serialize(writer, this, ReportJsonContext.Default.JsonReport);
    }
}

/// <summary>One group in the JSON report.</summary>
/// <param name="Group">The group's number, from 1 (largest first).</param>
/// <param name="Count">The number of images.</param>
/// <param name="Keeper">The path of the image to keep (most pixels, then largest file, then oldest).</param>
/// <param name="Members">The images, the keeper first; <c>distance</c> is to the keeper.</param>
public sealed record JsonGroup(int Group, int Count, string Keeper, IReadOnlyList<GroupMember> Members);

/// <summary>Source-generated JSON for the report: camelCase names, indented.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;

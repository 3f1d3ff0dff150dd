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
/// <param name="Failures">Files that could not be decoded.</param>
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
    IReadOnlyList<JsonGroup> Groups)
{
    /// <summary>Builds the report.</summary>
    /// <param name="scanner">The scanner (folder, hash, radius).</param>
    /// <param name="scan">What the scan did.</param>
    /// <param name="groups">The groups found.</param>
    public static JsonReport Create(DedupScanner scanner, ScanSummary scan, IReadOnlyList<ImageGroup> groups) => new(
        scanner.Folder,
        scanner.Hash.Name(),
        scanner.Radius,
        scan.FilesFound,
        scan.HashedNow,
        scan.Reused,
        scan.Removed,
        scan.Failures,
        groups.Select((g, i) => new JsonGroup(i + 1, g.Count, g.Members)).ToList());

    /// <summary>Writes the report to <paramref name="path"/> as indented UTF-8 JSON.</summary>
    /// <param name="path">The file to create or replace.</param>
    public void WriteTo(string path)
    {
        using FileStream file = File.Create(path);
        JsonSerializer.Serialize(file, this, ReportJsonContext.Default.JsonReport);
    }
}

/// <summary>One group in the JSON report.</summary>
/// <param name="Group">The group's number, from 1 (largest first).</param>
/// <param name="Count">The number of images.</param>
/// <param name="Members">The images; <c>distance</c> is to the first one.</param>
public sealed record JsonGroup(int Group, int Count, IReadOnlyList<GroupMember> Members);

/// <summary>Source-generated JSON for the report: camelCase names, indented.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;

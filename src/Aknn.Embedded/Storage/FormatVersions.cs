namespace Aknn.Embedded.Storage;

/// <summary>
/// Every file header is checked in the same order: magic number, header checksum, then format
/// version. A header whose checksum matches is intact, so a version above ours really means a
/// newer library wrote it; a header whose checksum fails is damage, though a newer format may
/// have moved the checksum, which the message then mentions.
/// </summary>
internal static class FormatVersions
{
    public static string NewerHint(int version, int supported) => version > supported
        ? $" (the header claims format version {version}, newer than the {supported} this library reads: if a newer Aknn.Embedded wrote it, upgrade the package)"
        : "";
}

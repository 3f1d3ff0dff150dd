using System.Security.Cryptography;
using System.Text;
using Aknn.Embedded;

namespace ImageDedup.Scanning;

/// <summary>
/// Index ids for files: the relative path itself, or <c>sha256:</c> and the hex SHA-256 of the
/// path where the path does not fit in an id (over <see cref="VectorIndex.MaxIdBytes"/> UTF-8
/// bytes, or not valid Unicode). The real path is always in the payload.
/// </summary>
public static class ItemIds
{
    /// <summary>The prefix of hash-based ids. A path that itself starts with it is hashed too, so the two kinds never collide.</summary>
    public const string HashedPrefix = "sha256:";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The id for a relative path.</summary>
    /// <param name="relativePath">The path relative to the scanned folder, with '/' separators.</param>
    public static string For(string relativePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        if (!relativePath.StartsWith(HashedPrefix, StringComparison.Ordinal) && FitsInId(relativePath)) return relativePath;
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(relativePath));
        return HashedPrefix + Convert.ToHexStringLower(digest);
    }

    private static bool FitsInId(string path)
    {
        if (path.Length > VectorIndex.MaxIdBytes) return false; // every char is at least one byte
        try
        {
            return StrictUtf8.GetByteCount(path) <= VectorIndex.MaxIdBytes;
        }
        catch (EncoderFallbackException)
        {
            return false; // an unpaired surrogate: not storable as a UTF-8 id
        }
    }
}

using System.IO.Hashing;
using System.Text;

namespace Aknn.Embedded.Orleans.Routing;

/// <summary>
/// Maps an id to its shard: XxHash3 (seed 0) of the id's UTF-8 bytes, modulo the shard count. The
/// hash is fixed by its specification, so every process and every version agrees on it, unlike
/// <see cref="string.GetHashCode()"/>, which is randomised per process.
/// </summary>
internal static class ShardRouter
{
    public static int ShardOf(string id, int shardCount)
    {
        int max = Encoding.UTF8.GetMaxByteCount(id.Length);
        Span<byte> buffer = max <= 1024 ? stackalloc byte[max] : new byte[max];
        int n = Encoding.UTF8.GetBytes(id, buffer);
        return (int)(XxHash3.HashToUInt64(buffer[..n]) % (ulong)shardCount);
    }

    /// <summary>The grain key of a shard.</summary>
    public static string ShardKey(string collection, int shard) => $"{collection}/{shard}";

    /// <summary>The grain key of the transfer grain that pulls a shard onto <paramref name="silo"/>.</summary>
    public static string TransferKey(string collection, int shard, string silo) => $"{collection}/{shard}@{silo}";

    /// <summary>Splits a shard or transfer key into collection, shard and (for a transfer) target silo.</summary>
    public static (string Collection, int Shard, string? Silo) Parse(string key)
    {
        string? silo = null;
        int at = key.IndexOf('@');
        if (at >= 0)
        {
            silo = key[(at + 1)..];
            key = key[..at];
        }
        int slash = key.LastIndexOf('/');
        return (key[..slash], int.Parse(key[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture), silo);
    }

    /// <summary>The folder of a shard inside a silo's data folder.</summary>
    public static string ShardFolder(string dataFolder, string collection, int shard) =>
        Path.Combine(dataFolder, collection, $"shard-{shard:D4}");
}

using System.Buffers.Binary;
using System.Numerics;

namespace Aknn.Embedded.Storage;

/// <summary>
/// The 64-bit hash of an id's UTF-8 bytes used by the on-disk id tables. Part of the file format:
/// changing it needs a new format version.
/// </summary>
internal static class IdHash
{
    private const ulong K1 = 0x9E3779B97F4A7C15UL;
    private const ulong K2 = 0xC2B2AE3D27D4EB4FUL;

    public static ulong Compute(ReadOnlySpan<byte> utf8)
    {
        ulong h = K2 ^ ((ulong)utf8.Length * K1);
        int i = 0;
        for (; i + 8 <= utf8.Length; i += 8)
        {
            ulong w = BinaryPrimitives.ReadUInt64LittleEndian(utf8[i..]);
            h = BitOperations.RotateLeft(h ^ (w * K1), 29) * K2;
        }
        ulong last = 0;
        for (int s = 0; i < utf8.Length; i++, s += 8)
            last |= (ulong)utf8[i] << s;
        h = BitOperations.RotateLeft(h ^ (last * K1), 29) * K2;
        // murmur3 finaliser: every input bit affects every output bit.
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        return h;
    }
}

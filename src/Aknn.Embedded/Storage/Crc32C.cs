using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Aknn.Embedded.Storage;

/// <summary>
/// CRC-32C (Castagnoli) over byte spans, built on <see cref="BitOperations.Crc32C(uint, ulong)"/>,
/// which uses the CPU's CRC32 instruction where present and an in-box table otherwise. Both give
/// the same value, so files are portable between machines.
/// </summary>
internal static class Crc32C
{
    /// <summary>Computes the CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Start, data));

    /// <summary>The running value to pass to the first <see cref="Append"/>.</summary>
    public const uint Start = 0xFFFFFFFFu;

    /// <summary>Final inversion of a running value.</summary>
    public static uint Finish(uint running) => ~running;

    /// <summary>Feeds <paramref name="data"/> into a running CRC value.</summary>
    public static uint Append(uint running, ReadOnlySpan<byte> data)
    {
        uint crc = running;
        // Eight bytes per step: read little-endian so the value is the same on every machine.
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(data);
        if (BitConverter.IsLittleEndian)
        {
            foreach (ulong w in words)
                crc = BitOperations.Crc32C(crc, w);
        }
        else
        {
            foreach (ulong w in words)
                crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReverseEndianness(w));
        }
        foreach (byte b in data[(words.Length * 8)..])
            crc = BitOperations.Crc32C(crc, b);
        return crc;
    }
}

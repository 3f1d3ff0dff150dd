using System.Buffers.Binary;

namespace Aknn.Embedded.Storage;

/// <summary>Writing the little-endian arrays of a segment section, each padded to the 64-byte alignment.</summary>
internal static class AlignedArrays
{
    private static readonly byte[] Zeros = new byte[SegmentFormat.Alignment];

    /// <summary>Writes <paramref name="data"/>, then zeros up to the next multiple of 64 bytes.</summary>
    public static void Write(Action<ReadOnlySpan<byte>> write, ReadOnlySpan<byte> data)
    {
        write(data);
        int pad = (int)(SegmentFormat.Align(data.Length) - data.Length);
        if (pad > 0) write(Zeros.AsSpan(0, pad));
    }

    /// <summary>The array in little-endian byte order (reversed in place on a big-endian machine).</summary>
    public static uint[] LittleEndian(uint[] a)
    {
        if (!BitConverter.IsLittleEndian) BinaryPrimitives.ReverseEndianness(a, a);
        return a;
    }

    /// <inheritdoc cref="LittleEndian(uint[])"/>
    public static ulong[] LittleEndian(ulong[] a)
    {
        if (!BitConverter.IsLittleEndian) BinaryPrimitives.ReverseEndianness(a, a);
        return a;
    }

    /// <inheritdoc cref="LittleEndian(uint[])"/>
    public static long[] LittleEndian(long[] a)
    {
        if (!BitConverter.IsLittleEndian) BinaryPrimitives.ReverseEndianness(a, a);
        return a;
    }
}

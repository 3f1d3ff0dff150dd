using System.Numerics;

namespace Aknn.Embedded.Storage;

/// <summary>
/// Open-addressing hash table from id to row ordinal, stored as a segment section. Each slot is
/// one little-endian ulong: the high 32 bits hold the upper half of the id's hash, the low 32 bits
/// hold ordinal + 1 (0 marks an empty slot). The slot count is a power of two, at least twice the
/// row count, and probing is linear from <c>hash &amp; (slots − 1)</c>.
/// </summary>
internal static class IdTable
{
    public static int SlotCountFor(int rows) => (int)Math.Max(16, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, rows) * 2));

    public static ulong[] Build(int rows, Func<int, ulong> hashOfRow)
    {
        ulong[] slots = LargeArrays.Zeroed<ulong>(SlotCountFor(rows));
        int mask = slots.Length - 1;
        for (int row = 0; row < rows; row++)
        {
            ulong h = hashOfRow(row);
            int s = (int)(h & (ulong)mask);
            while (slots[s] != 0) s = (s + 1) & mask;
            slots[s] = (h & 0xFFFFFFFF00000000UL) | (uint)(row + 1);
        }
        return slots;
    }
}

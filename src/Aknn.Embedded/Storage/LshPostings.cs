using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Aknn.Embedded.Storage;

/// <summary>
/// Byte layout of a segment's LSH postings section (kind 9); docs/file-format.md describes it in
/// full. Per table: a directory of 2^<c>dirBits</c> + 1 entry positions indexed by the top
/// <c>dirBits</c> bits of the bucket key, and the row ordinals sorted by that prefix (ascending
/// within a bucket). A directory slot is the bucket as stored: keys that share their top bits share
/// a slot, which can only add candidates, never lose one.
/// </summary>
internal static class LshPostingsFormat
{
    public const int HeaderSize = 64;
    public const int OffTables = 0;       // 4  tables L
    public const int OffRows = 4;         // 4  rows n
    public const int OffKeyBits = 8;      // 4  significant bits of a key (k, or 32 for stable hashes)
    //                                       52 reserved, zero

    public const int DescriptorSize = 32; // one per table, after the header
    public const int DescOffDirBits = 0;  // 4  directory bits (≤ key bits)
    //                                       4  reserved, zero
    public const int DescOffDirectory = 8; // 8 offset of the directory, from the section start
    public const int DescOffOrdinals = 16; // 8 offset of the n uint32 ordinals
    //                                       8  reserved, zero

    /// <summary>The directory slot of a key: its top bits (a shift by 32, for a one-slot directory of 32-bit keys, gives 0).</summary>
    public static uint Slot(uint key, int shift) => (uint)((ulong)key >> shift);

    /// <summary>About one slot per two rows: buckets stay short, and the directory costs 2 bytes a row per table.</summary>
    public static int DirectoryBits(int keyBits, int rows)
    {
        int log = rows <= 2 ? 0 : 31 - int.LeadingZeroCount(rows);
        return Math.Clamp(log, 0, Math.Min(keyBits, 26));
    }
}

/// <summary>Writes the LSH postings section of a new segment from every row's keys.</summary>
internal static class LshPostingsWriter
{
    /// <summary>Writes the section through <paramref name="write"/>; <paramref name="keys"/> holds keys[row × tables + t].</summary>
    public static void Write(uint[] keys, int rows, int tables, int keyBits, Action<ReadOnlySpan<byte>> write, CancellationToken cancel)
    {
        int dirBits = LshPostingsFormat.DirectoryBits(keyBits, rows);
        long directoryBytes = SegmentFormat.Align(((1L << dirBits) + 1) * 4), ordinalBytes = SegmentFormat.Align((long)rows * 4);
        var header = new byte[SegmentFormat.Align(LshPostingsFormat.HeaderSize + tables * LshPostingsFormat.DescriptorSize)];
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(LshPostingsFormat.OffTables), tables);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(LshPostingsFormat.OffRows), rows);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(LshPostingsFormat.OffKeyBits), keyBits);
        long at = header.Length;
        for (int t = 0; t < tables; t++)
        {
            Span<byte> d = header.AsSpan(LshPostingsFormat.HeaderSize + t * LshPostingsFormat.DescriptorSize, LshPostingsFormat.DescriptorSize);
            BinaryPrimitives.WriteInt32LittleEndian(d[LshPostingsFormat.DescOffDirBits..], dirBits);
            BinaryPrimitives.WriteInt64LittleEndian(d[LshPostingsFormat.DescOffDirectory..], at);
            BinaryPrimitives.WriteInt64LittleEndian(d[LshPostingsFormat.DescOffOrdinals..], at + directoryBytes);
            at += directoryBytes + ordinalBytes;
        }
        write(header);
        // The keys arrive row-major; each table's sort wants its own column. One blocked transpose
        // (a block of rows stays in cache while its columns are written out) replaces a strided
        // pass over all the keys per table and pass.
        uint[] columns = LargeArrays.Uninitialized<uint>(keys.Length);
        const int BlockRows = 1024;
        for (int first = 0; first < rows; first += BlockRows)
        {
            int last = Math.Min(rows, first + BlockRows);
            for (int t = 0; t < tables; t++)
            {
                long to = (long)t * rows;
                for (int r = first; r < last; r++) columns[to + r] = keys[(long)r * tables + t];
            }
        }
        // Tables are independent: sort a few at a time on every core, write them in order. Each
        // core's directory, fill cursors and ordinals are allocated once and reused for every table
        // it sorts (fresh megabytes per table cost more in page faults than the sort itself).
        int shift = keyBits - dirBits, group = Math.Max(1, Environment.ProcessorCount);
        var buffers = new SortBuffers[Math.Min(group, tables)];
        for (int i = 0; i < buffers.Length; i++) buffers[i] = new SortBuffers(dirBits, rows);
        for (int first = 0; first < tables; first += group)
        {
            int n = Math.Min(group, tables - first);
            Parallel.For(0, n, new ParallelOptions { CancellationToken = cancel }, i => Sort(columns.AsSpan((first + i) * rows, rows), shift, buffers[i]));
            for (int i = 0; i < n; i++)
            {
                AlignedArrays.Write(write, MemoryMarshal.AsBytes(AlignedArrays.LittleEndian(buffers[i].Directory).AsSpan()));
                AlignedArrays.Write(write, MemoryMarshal.AsBytes(AlignedArrays.LittleEndian(buffers[i].Ordinals).AsSpan()));
            }
        }
    }

    /// <summary>One core's arrays for sorting a table: the directory (with its end slot), the fill cursors and the ordinals.</summary>
    private sealed class SortBuffers(int dirBits, int rows)
    {
        public uint[] Directory { get; } = new uint[(1 << dirBits) + 1];
        public uint[] Fill { get; } = GC.AllocateUninitializedArray<uint>(1 << dirBits);
        public uint[] Ordinals { get; } = LargeArrays.Uninitialized<uint>(rows);
    }

    /// <summary>A counting sort of the rows by the top directory bits of their keys in one table, into <paramref name="into"/>.</summary>
    private static void Sort(ReadOnlySpan<uint> keys, int shift, SortBuffers into)
    {
        int rows = keys.Length;
        uint[] directory = into.Directory, fill = into.Fill, ordinals = into.Ordinals;
        Array.Clear(directory);
        foreach (uint key in keys) directory[LshPostingsFormat.Slot(key, shift) + 1]++;
        for (int s = 1; s < directory.Length; s++) directory[s] += directory[s - 1];
        directory.AsSpan(0, fill.Length).CopyTo(fill);
        for (int r = 0; r < rows; r++) ordinals[fill[LshPostingsFormat.Slot(keys[r], shift)]++] = (uint)r;
    }
}

/// <summary>
/// The LSH postings of a mapped segment, checked once when first used (the section CRC, then the
/// structure: descriptors in range, directories ascending, ordinals below the row count), so
/// queries can index them without further checks.
/// </summary>
internal sealed unsafe class SegmentLshPostings
{
    private readonly uint*[] _directory;
    private readonly uint*[] _ordinals;
    private readonly int[] _shift;
    private readonly int[] _dirBits;

    private SegmentLshPostings(int tables)
    {
        _directory = new uint*[tables];
        _ordinals = new uint*[tables];
        _shift = new int[tables];
        _dirBits = new int[tables];
    }

    public int Tables => _directory.Length;

    /// <summary>The ordinals of the rows in the bucket of <paramref name="key"/> in table <paramref name="table"/>.</summary>
    public ReadOnlySpan<uint> Bucket(int table, uint key)
    {
        uint* dir = _directory[table];
        uint slot = LshPostingsFormat.Slot(key, _shift[table]);
        uint start = dir[slot];
        return new ReadOnlySpan<uint>(_ordinals[table] + start, (int)(dir[slot + 1] - start));
    }

    private ulong[]? _signCodes;

    /// <summary>
    /// Every row's keys as one code (byte t = the key of table t, rows of ⌈tables / 8⌉ words), read
    /// back from the postings once and kept (sign-code search ranks rows by Hamming distance on it);
    /// null when a table's directory keeps fewer bits than the keys (segments under 256 rows), so the
    /// keys cannot be read back.
    /// </summary>
    /// <remarks>
    /// Costs one byte write per row and table (about 20 ms for 200,000 rows of 96 tables), instead
    /// of hashing every vector again.
    /// </remarks>
    public ulong[]? SignCodes(int rows)
    {
        if (Volatile.Read(ref _signCodes) is { } done) return done;
        int tables = Tables, words = (tables + 7) / 8;
        for (int t = 0; t < tables; t++)
            if (_shift[t] != 0 || KeyBitsOf(t) > 8) return null;
        // On huge pages: the second ranking pass reads the shortlist's codes at random rows.
        ulong[] codes = LargeArrays.Zeroed<ulong>(checked(rows * words));
        fixed (ulong* c = codes)
        {
            byte* bytes = (byte*)c;
            for (int t = 0; t < tables; t++)
            {
                uint* dir = _directory[t];
                uint* ordinals = _ordinals[t];
                for (uint key = 0, slots = 1u << KeyBitsOf(t); key < slots; key++)
                    for (uint i = dir[key]; i < dir[key + 1]; i++) bytes[(long)ordinals[i] * words * 8 + t] = (byte)key;
            }
        }
        return Interlocked.CompareExchange(ref _signCodes, codes, null) ?? codes;
    }

    private ulong[]? _signPrefixes;

    /// <summary>
    /// The first <paramref name="prefixWords"/> words of every row's sign code (see
    /// <see cref="SignCodes"/>), back to back: a short code that a first pass scans at a fraction of
    /// the memory traffic. Null when the codes cannot be read back.
    /// </summary>
    public ulong[]? SignCodePrefixes(int rows, int prefixWords)
    {
        if (Volatile.Read(ref _signPrefixes) is { } done) return done;
        if (SignCodes(rows) is not { } codes) return null;
        int words = (Tables + 7) / 8;
        ulong[] prefixes = LargeArrays.Uninitialized<ulong>(checked(rows * prefixWords));
        for (int r = 0; r < rows; r++) codes.AsSpan(r * words, prefixWords).CopyTo(prefixes.AsSpan(r * prefixWords, prefixWords));
        return Interlocked.CompareExchange(ref _signPrefixes, prefixes, null) ?? prefixes;
    }

    /// <summary>The key bits of table <paramref name="table"/> its directory resolves (all of them when the shift is 0).</summary>
    private int KeyBitsOf(int table) => _dirBits[table] + _shift[table];

    /// <summary>Address of a key's directory slot (for prefetching).</summary>
    public void* Slot(int table, uint key) => _directory[table] + LshPostingsFormat.Slot(key, _shift[table]);

    public static SegmentLshPostings Parse(string path, long sectionOffset, byte* section, long length, int tables, int keyBits, int rows)
    {
        IndexCorruptedException Bad(long at, string what) => new(path, sectionOffset + at, "the LSH postings section " + what);
        if (length < LshPostingsFormat.HeaderSize) throw Bad(0, "is shorter than its header");
        var h = new ReadOnlySpan<byte>(section, LshPostingsFormat.HeaderSize);
        int l = BinaryPrimitives.ReadInt32LittleEndian(h[LshPostingsFormat.OffTables..]);
        int n = BinaryPrimitives.ReadInt32LittleEndian(h[LshPostingsFormat.OffRows..]);
        int bits = BinaryPrimitives.ReadInt32LittleEndian(h[LshPostingsFormat.OffKeyBits..]);
        if (l != tables || n != rows || bits != keyBits)
            throw Bad(0, $"header ({l} tables, {n} rows, {bits}-bit keys) does not match the index's LSH model ({tables} tables, {keyBits}-bit keys) and the segment's {rows} rows");
        if (LshPostingsFormat.HeaderSize + (long)l * LshPostingsFormat.DescriptorSize > length) throw Bad(0, "is too short for its table descriptors");
        var result = new SegmentLshPostings(l);
        for (int t = 0; t < l; t++)
        {
            long at = LshPostingsFormat.HeaderSize + (long)t * LshPostingsFormat.DescriptorSize;
            var d = new ReadOnlySpan<byte>(section + at, LshPostingsFormat.DescriptorSize);
            int dirBits = BinaryPrimitives.ReadInt32LittleEndian(d[LshPostingsFormat.DescOffDirBits..]);
            long dirAt = BinaryPrimitives.ReadInt64LittleEndian(d[LshPostingsFormat.DescOffDirectory..]);
            long ordAt = BinaryPrimitives.ReadInt64LittleEndian(d[LshPostingsFormat.DescOffOrdinals..]);
            if (dirBits < 0 || dirBits > Math.Min(keyBits, 26)) throw Bad(at, $"gives table {t} {dirBits} directory bits");
            long dirBytes = ((1L << dirBits) + 1) * 4;
            if (dirAt < LshPostingsFormat.HeaderSize || dirAt % 4 != 0 || dirAt + dirBytes > length || ordAt < dirAt + dirBytes || ordAt % 4 != 0 || ordAt + (long)n * 4 > length)
                throw Bad(at, $"places table {t} out of range");
            uint* dir = (uint*)(section + dirAt);
            if (dir[0] != 0 || dir[1L << dirBits] != (uint)n) throw Bad(dirAt, $"directory of table {t} does not cover the rows");
            for (long s = 0; s < 1L << dirBits; s++)
                if (dir[s] > dir[s + 1]) throw Bad(dirAt + s * 4, $"directory of table {t} is not ascending");
            uint* ordinals = (uint*)(section + ordAt);
            for (long i = 0; i < n; i++)
                if (ordinals[i] >= (uint)n) throw Bad(ordAt + i * 4, $"table {t} lists row {ordinals[i]} of a {n}-row segment");
            result._directory[t] = dir;
            result._ordinals[t] = ordinals;
            result._shift[t] = keyBits - dirBits;
            result._dirBits[t] = dirBits;
        }
        return result;
    }
}

using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using Aknn.Embedded.Bucketing;

namespace Aknn.Embedded.Storage;

/// <summary>
/// Byte layout of a segment's substring-tables section (multi-index hashing over binary codes);
/// docs/file-format.md describes it in full. Little-endian; arrays start on 64-byte boundaries
/// relative to the section start (itself 64-byte aligned).
/// </summary>
/// <remarks>
/// Each table is a bucket index on one substring key: a directory of
/// 2^<c>directoryBits</c> + 1 entry positions, indexed by the key's top <c>directoryBits</c>
/// bits, and the entries sorted by that prefix (stably, so ordinals ascend inside a bucket). For
/// 64-bit codes an entry carries the whole code, so a probe verifies candidates without touching
/// the vectors section; for longer codes it carries the 32-bit key and the code is read from the
/// vectors section.
/// </remarks>
internal static class SubstringFormat
{
    public const int HeaderSize = 64;
    public const int OffTableCount = 0;   // 4  number of tables m
    public const int OffWords = 4;        // 4  code words W
    public const int OffRows = 8;         // 4  rows n
    public const int OffFlags = 12;       // 4  bit 0: entries carry whole codes (W == 1)
    //                                       48 reserved, zero

    // Table descriptors follow the header, 32 bytes each:
    public const int DescriptorSize = 32;
    public const int DescOffStart = 0;    // 4  first code bit of the substring
    public const int DescOffLength = 4;   // 4  substring length in bits (1..32)
    public const int DescOffDirBits = 8;  // 4  directory bits (≤ length)
    //                                       4  reserved, zero
    public const int DescOffDirectory = 16; // 8  offset of the directory, from the section start
    public const int DescOffEntries = 24; // 8  offset of the entries: n × u64 codes (or u32 keys), then n × u32 ordinals

    public const uint FlagInlineCodes = 1;

    public static long Align(long offset) => SegmentFormat.Align(offset);

    /// <summary>Directory bits for a table: one slot per row or two, never more than the key has.</summary>
    public static int DirectoryBits(int length, long rows) =>
        Math.Min(length, Math.Min(30, 64 - BitOperations.LeadingZeroCount((ulong)Math.Max(rows, 1)) + 1));

    /// <summary>Bytes of one table's entry arrays, each padded to 64.</summary>
    public static long EntriesBytes(int rows, bool inline) => Align((long)rows * (inline ? 8 : 4)) + Align((long)rows * 4);
}

/// <summary>Builds the substring-tables section of a new segment from its codes.</summary>
internal static class SubstringTablesWriter
{
    /// <summary>Writes the section through <paramref name="write"/>, one table at a time.</summary>
    public static void Write(SubstringLayout layout, int rows, Func<int, ReadOnlySpan<byte>> code, Action<ReadOnlySpan<byte>> write, CancellationToken cancel)
    {
        int m = layout.Count;
        bool inline = layout.Words == 1;
        var header = new byte[SubstringFormat.Align(SubstringFormat.HeaderSize + m * SubstringFormat.DescriptorSize)];
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(SubstringFormat.OffTableCount), m);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(SubstringFormat.OffWords), layout.Words);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(SubstringFormat.OffRows), rows);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(SubstringFormat.OffFlags), inline ? SubstringFormat.FlagInlineCodes : 0);
        long at = header.Length;
        for (int t = 0; t < m; t++)
        {
            int dirBits = SubstringFormat.DirectoryBits(layout.Length[t], rows);
            Span<byte> d = header.AsSpan(SubstringFormat.HeaderSize + t * SubstringFormat.DescriptorSize, SubstringFormat.DescriptorSize);
            BinaryPrimitives.WriteInt32LittleEndian(d[SubstringFormat.DescOffStart..], layout.Start[t]);
            BinaryPrimitives.WriteInt32LittleEndian(d[SubstringFormat.DescOffLength..], layout.Length[t]);
            BinaryPrimitives.WriteInt32LittleEndian(d[SubstringFormat.DescOffDirBits..], dirBits);
            BinaryPrimitives.WriteInt64LittleEndian(d[SubstringFormat.DescOffDirectory..], at);
            at += SubstringFormat.Align(((1L << dirBits) + 1) * 4);
            BinaryPrimitives.WriteInt64LittleEndian(d[SubstringFormat.DescOffEntries..], at);
            at += SubstringFormat.EntriesBytes(rows, inline);
        }
        write(header);

        if (inline)
        {
            // 64-bit codes: read them once, then sort the tables on every core at the same time
            // (each table is independent), and write them in order.
            var codes = new ulong[rows];
            for (int r = 0; r < rows; r++) codes[r] = BinaryPrimitives.ReadUInt64LittleEndian(code(r));
            // A few tables at a time, one per core, each group written before the next is sorted, so
            // that their buffers are reused: fresh memory (page faults) costs more than the sort.
            int parallel = Math.Min(m, Environment.ProcessorCount);
            var buffers = new SortBuffers?[parallel];
            for (int first = 0; first < m; first += parallel)
            {
                var built = new Table[Math.Min(parallel, m - first)];
                Parallel.For(0, built.Length, new ParallelOptions { CancellationToken = cancel }, i =>
                    built[i] = SortInline(layout, first + i, codes, buffers[i] ??= new SortBuffers(rows)));
                foreach (Table table in built) WriteTable(write, table);
            }
            return;
        }
        var words = new ulong[layout.Words];
        for (int t = 0; t < m; t++)
        {
            cancel.ThrowIfCancellationRequested();
            WriteTable(write, Sort(layout, t, rows, r =>
            {
                ReadOnlySpan<byte> c = code(r);
                for (int w = 0; w < words.Length; w++) words[w] = BinaryPrimitives.ReadUInt64LittleEndian(c[(w * 8)..]);
                return layout.Key(words, t);
            }, null));
        }
    }

    /// <summary>One table, ready to write: its directory, its entries (whole codes or keys) and row numbers.</summary>
    internal sealed record Table(uint[] Directory, ulong[]? Codes, uint[]? Keys, uint[] Ordinals);

    /// <summary>
    /// The table <see cref="Sort"/> builds for 64-bit codes, by a least-significant-digit radix sort
    /// of (code, row) pairs in passes of at most 11 bits: each pass scatters into at most 2,048
    /// streams, which stay in the caches, where one counting pass over the whole directory (65,536
    /// buckets and more) misses on nearly every write. Stable, so rows ascend inside a bucket and the
    /// result is the same, byte for byte.
    /// </summary>
    internal static Table SortInline(SubstringLayout layout, int t, ulong[] codes, SortBuffers? buffers = null, int maxDigitBits = MaxDigitBits)
    {
        buffers ??= new SortBuffers(codes.Length);
        int rows = codes.Length;
        int length = layout.Length[t], dirBits = SubstringFormat.DirectoryBits(length, rows);
        int low = layout.Start[t] + length - dirBits; // the prefix is code bits [low, low + dirBits)
        ulong prefixMask = (1UL << dirBits) - 1;
        var directory = new uint[(1 << dirBits) + 1];
        foreach (ulong c in codes) directory[((c >> low) & prefixMask) + 1]++;
        for (int s = 1; s < directory.Length; s++) directory[s] += directory[s - 1];

        int passes = (dirBits + maxDigitBits - 1) / maxDigitBits;
        ulong[] codesA = buffers.CodesA;
        uint[] ordinalsA = buffers.OrdinalsA;
        if (passes == 0)
        {
            codes.CopyTo(codesA, 0);
            for (int r = 0; r < rows; r++) ordinalsA[r] = (uint)r;
            return new Table(directory, codesA, null, ordinalsA);
        }
        ulong[]? codesB = passes > 1 ? buffers.CodesB : null;
        uint[]? ordinalsB = passes > 1 ? buffers.OrdinalsB : null;
        int digitBits = (dirBits + passes - 1) / passes;
        var fill = new uint[1 << digitBits];
        // Pass p reads the previous pass's output and writes the other buffer; the last pass writes A.
        for (int p = 0; p < passes; p++)
        {
            int shift = low + p * digitBits;
            int bits = Math.Min(digitBits, dirBits - p * digitBits);
            ulong digitMask = (1UL << bits) - 1;
            bool toA = (passes - 1 - p) % 2 == 0;
            ulong[] srcCodes = p == 0 ? codes : toA ? codesB! : codesA;
            uint[]? srcOrdinals = p == 0 ? null : toA ? ordinalsB! : ordinalsA;
            ulong[] dstCodes = toA ? codesA : codesB!;
            uint[] dstOrdinals = toA ? ordinalsA : ordinalsB!;
            Array.Clear(fill);
            foreach (ulong c in srcCodes) fill[(c >> shift) & digitMask]++;
            uint sum = 0;
            for (int d = 0; d < fill.Length; d++) (fill[d], sum) = (sum, sum + fill[d]);
            for (int i = 0; i < rows; i++)
            {
                ulong c = srcCodes[i];
                uint pos = fill[(c >> shift) & digitMask]++;
                dstCodes[pos] = c;
                dstOrdinals[pos] = srcOrdinals is null ? (uint)i : srcOrdinals[i];
            }
        }
        return new Table(directory, codesA, null, ordinalsA);
    }

    /// <summary>
    /// The arrays <see cref="SortInline"/> sorts into (two of each, for the passes to alternate
    /// between), reused from table to table. Allocated uninitialised: every element is written
    /// before it is read.
    /// </summary>
    internal sealed class SortBuffers(int rows)
    {
        private ulong[]? _codesB;
        private uint[]? _ordinalsB;

        public ulong[] CodesA { get; } = LargeArrays.Uninitialized<ulong>(rows);
        public uint[] OrdinalsA { get; } = LargeArrays.Uninitialized<uint>(rows);
        public ulong[] CodesB => _codesB ??= LargeArrays.Uninitialized<ulong>(CodesA.Length);
        public uint[] OrdinalsB => _ordinalsB ??= LargeArrays.Uninitialized<uint>(CodesA.Length);
    }

    /// <summary>The widest digit of a radix pass of <see cref="SortInline"/>.</summary>
    internal const int MaxDigitBits = 11;

    /// <summary>A counting sort of the rows by the top directory bits of their key in table <paramref name="t"/>.</summary>
    internal static Table Sort(SubstringLayout layout, int t, int rows, Func<int, uint> keyOf, ulong[]? codes)
    {
        int length = layout.Length[t], dirBits = SubstringFormat.DirectoryBits(length, rows), shift = length - dirBits;
        var keys = new uint[rows];
        for (int r = 0; r < rows; r++) keys[r] = keyOf(r);
        var directory = new uint[(1 << dirBits) + 1];
        foreach (uint k in keys) directory[(k >> shift) + 1]++;
        for (int s = 1; s < directory.Length; s++) directory[s] += directory[s - 1];
        var fill = directory.AsSpan(0, directory.Length - 1).ToArray();
        var ordinals = new uint[rows];
        var entryCodes = codes is not null ? new ulong[rows] : null;
        var entryKeys = codes is null ? new uint[rows] : null;
        for (int r = 0; r < rows; r++)
        {
            uint pos = fill[keys[r] >> shift]++;
            ordinals[pos] = (uint)r;
            if (entryCodes is not null) entryCodes[pos] = codes![r];
            else entryKeys![pos] = keys[r];
        }
        return new Table(directory, entryCodes, entryKeys, ordinals);
    }

    private static void WriteTable(Action<ReadOnlySpan<byte>> write, Table table)
    {
        AlignedArrays.Write(write, MemoryMarshal.AsBytes(AlignedArrays.LittleEndian(table.Directory).AsSpan()));
        AlignedArrays.Write(write, table.Codes is not null ? MemoryMarshal.AsBytes(AlignedArrays.LittleEndian(table.Codes).AsSpan()) : MemoryMarshal.AsBytes(AlignedArrays.LittleEndian(table.Keys!).AsSpan()));
        AlignedArrays.Write(write, MemoryMarshal.AsBytes(AlignedArrays.LittleEndian(table.Ordinals).AsSpan()));
    }
}

/// <summary>
/// The substring tables of a mapped segment, checked once when first used (the section CRC, then
/// the structure: descriptors in range and every directory ascending), so probes can index them
/// without further checks.
/// </summary>
internal sealed unsafe class SegmentSubstrings
{
    private readonly byte*[] _directory;
    private readonly byte*[] _entries;
    private readonly byte*[] _ordinals;
    private readonly int[] _dirShift;

    private SegmentSubstrings(SubstringLayout layout, bool inline, int tables)
    {
        Layout = layout;
        InlineCodes = inline;
        _directory = new byte*[tables];
        _entries = new byte*[tables];
        _ordinals = new byte*[tables];
        _dirShift = new int[tables];
    }

    public SubstringLayout Layout { get; }

    /// <summary>Whether entries carry whole 64-bit codes.</summary>
    public bool InlineCodes { get; }

    /// <summary>Entry range [start, end) of the bucket that may hold <paramref name="key"/> in table <paramref name="table"/>.</summary>
    public (int Start, int End) Bucket(int table, uint key)
    {
        uint* dir = (uint*)_directory[table];
        uint slot = key >> _dirShift[table];
        return ((int)dir[slot], (int)dir[slot + 1]);
    }

    /// <summary>Address of the directory slot a key falls in (for prefetching).</summary>
    public void* Slot(int table, uint key) => (uint*)_directory[table] + (key >> _dirShift[table]);

    /// <summary>Address of entry <paramref name="index"/>'s code or key (for prefetching).</summary>
    public void* EntryAddress(int table, int index) => _entries[table] + (long)index * (InlineCodes ? 8 : 4);

    /// <summary>The whole code of each entry (inline tables only).</summary>
    public ulong* Codes(int table) => (ulong*)_entries[table];

    /// <summary>The substring key of each entry (tables without inline codes).</summary>
    public uint* Keys(int table) => (uint*)_entries[table];

    public uint* Ordinals(int table) => (uint*)_ordinals[table];

    /// <summary>Parses and checks a section already verified against its CRC.</summary>
    public static SegmentSubstrings Parse(string path, long sectionOffset, byte* section, long length, int bits, int rows)
    {
        IndexCorruptedException Bad(long at, string what) => new(path, sectionOffset + at, "the substring tables section " + what);
        if (length < SubstringFormat.HeaderSize) throw Bad(0, "is shorter than its header");
        var h = new ReadOnlySpan<byte>(section, SubstringFormat.HeaderSize);
        int m = BinaryPrimitives.ReadInt32LittleEndian(h[SubstringFormat.OffTableCount..]);
        int words = BinaryPrimitives.ReadInt32LittleEndian(h[SubstringFormat.OffWords..]);
        int n = BinaryPrimitives.ReadInt32LittleEndian(h[SubstringFormat.OffRows..]);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(h[SubstringFormat.OffFlags..]);
        if (words != bits / 64 || n != rows || m < SubstringLayout.MinCount(bits) || m > bits)
            throw Bad(0, $"header does not match the segment ({m} tables, {words} words, {n} rows)");
        bool inline = (flags & SubstringFormat.FlagInlineCodes) != 0;
        if (inline != (words == 1)) throw Bad(SubstringFormat.OffFlags, "has invalid flags");
        if (SubstringFormat.HeaderSize + (long)m * SubstringFormat.DescriptorSize > length) throw Bad(0, "is too short for its table descriptors");
        var layout = new SubstringLayout(bits, m);
        var result = new SegmentSubstrings(layout, inline, m);
        for (int t = 0; t < m; t++)
        {
            long at = SubstringFormat.HeaderSize + (long)t * SubstringFormat.DescriptorSize;
            var d = new ReadOnlySpan<byte>(section + at, SubstringFormat.DescriptorSize);
            int start = BinaryPrimitives.ReadInt32LittleEndian(d[SubstringFormat.DescOffStart..]);
            int len = BinaryPrimitives.ReadInt32LittleEndian(d[SubstringFormat.DescOffLength..]);
            int dirBits = BinaryPrimitives.ReadInt32LittleEndian(d[SubstringFormat.DescOffDirBits..]);
            long dirAt = BinaryPrimitives.ReadInt64LittleEndian(d[SubstringFormat.DescOffDirectory..]);
            long entriesAt = BinaryPrimitives.ReadInt64LittleEndian(d[SubstringFormat.DescOffEntries..]);
            if (start != layout.Start[t] || len != layout.Length[t] || dirBits < 0 || dirBits > len || dirBits > 30)
                throw Bad(at, $"describes table {t} with a layout other than the one its code length and table count fix");
            long dirBytes = ((1L << dirBits) + 1) * 4;
            if (dirAt < SubstringFormat.HeaderSize || dirAt % 64 != 0 || dirAt + dirBytes > length
                || entriesAt < dirAt + dirBytes || entriesAt % 64 != 0 || entriesAt + SubstringFormat.EntriesBytes(n, inline) > length)
                throw Bad(at, $"places table {t} out of range");
            uint* dir = (uint*)(section + dirAt);
            if (dir[0] != 0 || dir[1L << dirBits] != (uint)n) throw Bad(dirAt, $"directory of table {t} does not cover the rows");
            for (long s = 0; s < 1L << dirBits; s++)
                if (dir[s] > dir[s + 1]) throw Bad(dirAt + s * 4, $"directory of table {t} is not ascending");
            uint* ordinals = (uint*)(section + entriesAt + SubstringFormat.Align((long)n * (inline ? 8 : 4)));
            result._directory[t] = section + dirAt;
            result._entries[t] = section + entriesAt;
            result._ordinals[t] = (byte*)ordinals;
            result._dirShift[t] = len - dirBits;
        }
        return result;
    }
}

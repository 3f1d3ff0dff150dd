using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Aknn.Embedded.Storage;

/// <summary>
/// An immutable, memory-mapped segment file. Opening reads only the fixed-size header, footer and
/// section table; each section's CRC-32C is checked the first time the section is used, so
/// corruption is never served and opening stays cheap however large the segment is.
/// </summary>
/// <remarks>
/// The mapping is reference-counted: the index holds one reference and every snapshot that lists
/// the segment holds another. The view is unmapped (and, after compaction, the file deleted) only
/// when the last reference is released, so a running search never loses its memory.
/// </remarks>
internal sealed unsafe class Segment
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly long _length;
    private readonly (long Offset, long Length, uint Crc)[] _sections = new (long, long, uint)[SegmentFormat.MaxSectionKind + 1];
    private readonly int[] _verified = new int[SegmentFormat.MaxSectionKind + 1];
    private RefCount _refs;

    private Segment(string path, long id, MemoryMappedFile map, MemoryMappedViewAccessor view, long length)
    {
        Path = path;
        Id = id;
        _map = map;
        _view = view;
        _length = length;
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _base = p + view.PointerOffset;
    }

    public string Path { get; }
    public long Id { get; }
    public int RowCount { get; private set; }
    public int RowBytes { get; private set; }
    public Metric Metric { get; private set; }

    /// <summary>
    /// For each row, the log sequence number at which it was deleted, or <see cref="long.MaxValue"/>
    /// while it lives; null while no row of the segment is deleted. Written only by the index's
    /// writer; a search with snapshot sequence S treats a row as deleted when the value is ≤ S.
    /// </summary>
    public long[]? DeletedAt => Volatile.Read(ref _deletedAt);

    private long[]? _deletedAt;

    /// <summary>How many deleted rows the current deletion file records (it only ever grows).</summary>
    public int PersistedDeletions { get; set; }

    /// <summary>The deletion file currently recorded in the manifest, if any.</summary>
    public string? DeletionFile { get; set; }

    /// <summary>Delete the file when the last reference goes (the segment was compacted away).</summary>
    public bool DeleteOnRelease { get; set; }

    public static Segment Open(string path, long id, SegmentSchema schema)
    {
        long length = new FileInfo(path).Length;
        if (length < SegmentFormat.HeaderSize + SegmentFormat.FooterSize)
            throw new IndexCorruptedException(path, length, $"the segment file is only {length} bytes long, shorter than its fixed header and footer (truncated)");
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            var seg = new Segment(path, id, map, view, length);
            try
            {
                // Parsing touches three small regions; without this hint each first touch would
                // pull a whole read-ahead window (megabytes) of vectors from a cold disk.
                seg.Advise(MemoryAdvice.Random);
                seg.ReadStructure(schema);
                seg.Advise(MemoryAdvice.Normal);
            }
            catch
            {
                seg.Unmap();
                throw;
            }
            return seg;
        }
        catch
        {
            if (view is null) map.Dispose();
            throw;
        }
    }

    private ReadOnlySpan<byte> Bytes(long offset, int length) => new(_base + offset, length);

    private void Advise(int advice) => MemoryAdvice.Apply(_base, _length, advice);

    private void ReadStructure(SegmentSchema schema)
    {
        ReadOnlySpan<byte> h = Bytes(0, SegmentFormat.HeaderSize);
        if (!h[..8].SequenceEqual(SegmentFormat.Magic))
            throw new IndexCorruptedException(Path, 0, "the segment header does not start with the magic number AKNNSEG");
        int version = BinaryPrimitives.ReadInt32LittleEndian(h[SegmentFormat.OffVersion..]);
        if (Crc32C.Compute(h[..SegmentFormat.OffHeaderCrc]) != BinaryPrimitives.ReadUInt32LittleEndian(h[SegmentFormat.OffHeaderCrc..]))
            throw new IndexCorruptedException(Path, SegmentFormat.OffHeaderCrc, "the segment header checksum does not match" + FormatVersions.NewerHint(version, SegmentFormat.Version));
        if (version > SegmentFormat.Version)
            throw new UnsupportedFormatVersionException(Path, version, SegmentFormat.Version);
        if (version < 1)
            throw new IndexCorruptedException(Path, SegmentFormat.OffVersion, $"format version {version} is invalid");
        Metric = (Metric)h[SegmentFormat.OffMetric];
        RowBytes = BinaryPrimitives.ReadInt32LittleEndian(h[SegmentFormat.OffRowBytes..]);
        long rows = BinaryPrimitives.ReadInt64LittleEndian(h[SegmentFormat.OffRowCount..]);
        ulong fingerprint = BinaryPrimitives.ReadUInt64LittleEndian(h[SegmentFormat.OffFingerprint..]);
        if (fingerprint != schema.Fingerprint || RowBytes != schema.RowBytes || Metric != schema.Metric)
            throw new IndexCorruptedException(Path, SegmentFormat.OffFingerprint, "the segment was written for a different index schema (metric, dimensions or model) than the manifest describes");
        if (rows < 0 || rows > int.MaxValue)
            throw new IndexCorruptedException(Path, SegmentFormat.OffRowCount, $"row count {rows} is out of range");
        RowCount = (int)rows;

        ReadOnlySpan<byte> f = Bytes(_length - SegmentFormat.FooterSize, SegmentFormat.FooterSize);
        long footerAt = _length - SegmentFormat.FooterSize;
        if (!f.Slice(SegmentFormat.FootOffMagic, 8).SequenceEqual(SegmentFormat.FooterMagic)
            || Crc32C.Compute(f[..SegmentFormat.FootOffCrc]) != BinaryPrimitives.ReadUInt32LittleEndian(f[SegmentFormat.FootOffCrc..])
            || BinaryPrimitives.ReadUInt32LittleEndian(f[SegmentFormat.FootOffFileLength..]) != (uint)_length)
            throw new IndexCorruptedException(Path, footerAt, "the segment footer is missing or damaged (the file was truncated or overwritten)");
        long tableAt = BinaryPrimitives.ReadInt64LittleEndian(f[SegmentFormat.FootOffTable..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(f[SegmentFormat.FootOffSectionCount..]);
        if (count < 1 || count > SegmentFormat.MaxSectionKind || tableAt < SegmentFormat.HeaderSize || tableAt + (long)count * SegmentFormat.EntrySize != footerAt)
            throw new IndexCorruptedException(Path, footerAt, "the section table position in the footer is out of range");
        ReadOnlySpan<byte> table = Bytes(tableAt, count * SegmentFormat.EntrySize);
        if (Crc32C.Compute(table) != BinaryPrimitives.ReadUInt32LittleEndian(f[SegmentFormat.FootOffTableCrc..]))
            throw new IndexCorruptedException(Path, tableAt, "the section table checksum does not match");
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> e = table.Slice(i * SegmentFormat.EntrySize, SegmentFormat.EntrySize);
            uint kind = BinaryPrimitives.ReadUInt32LittleEndian(e);
            long off = BinaryPrimitives.ReadInt64LittleEndian(e[8..]);
            long len = BinaryPrimitives.ReadInt64LittleEndian(e[16..]);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(e[24..]);
            if (kind == 0 || kind > SegmentFormat.MaxSectionKind || off < SegmentFormat.HeaderSize || len < 0 || off + len > tableAt)
                throw new IndexCorruptedException(Path, tableAt + i * SegmentFormat.EntrySize, $"section entry {i} is out of range");
            _sections[kind] = (off, len, crc);
        }
        RequireLength(SectionKind.Vectors, (long)RowCount * RowBytes);
        RequireLength(SectionKind.IdOffsets, ((long)RowCount + 1) * 8);
        RequireLength(SectionKind.PayloadOffsets, ((long)RowCount + 1) * 8);
        if (Metric == Metric.Cosine) RequireLength(SectionKind.Norms, (long)RowCount * 4);
        if (HasSubstrings && (Metric != Metric.Hamming || version < 2))
            throw new IndexCorruptedException(Path, tableAt, "a substring tables section appears in a segment that cannot have one");
        if (_sections[(int)SectionKind.LshPostings].Length > 0 && (version < 3 || schema.Model != IndexModelKind.Lsh))
            throw new IndexCorruptedException(Path, tableAt, "an LSH postings section appears in a segment that cannot have one");
        long slots = _sections[(int)SectionKind.IdTable].Length / 8;
        if (slots < 16 || (slots & (slots - 1)) != 0 || slots < 2L * RowCount)
            throw new IndexCorruptedException(Path, tableAt, "the id table section has an invalid size");
    }

    private void RequireLength(SectionKind kind, long expected)
    {
        if (_sections[(int)kind].Length != expected)
            throw new IndexCorruptedException(Path, _sections[(int)kind].Offset,
                $"section {kind} is {_sections[(int)kind].Length} bytes long, expected {expected}");
    }

    /// <summary>Checks a section's CRC the first time it is used; throws on a mismatch, every time.</summary>
    private void Verify(SectionKind kind)
    {
        if (Volatile.Read(ref _verified[(int)kind]) == 1) return;
        var (offset, length, expected) = _sections[(int)kind];
        var crc = Crc32C.Incremental();
        for (long done = 0; done < length;)
        {
            int chunk = (int)Math.Min(1 << 30, length - done);
            crc.Append(Bytes(offset + done, chunk));
            done += chunk;
        }
        if (crc.GetCurrentHashAsUInt32() != expected)
            throw new IndexCorruptedException(Path, offset, $"the checksum of section {kind} does not match its stored value; the offset is where that {length}-byte section starts, and the damage lies somewhere within it");
        Volatile.Write(ref _verified[(int)kind], 1);
    }

    /// <summary>Checks every section's CRC now.</summary>
    public void VerifyAll()
    {
        for (int k = 1; k <= SegmentFormat.MaxSectionKind; k++)
            if (_sections[k].Length > 0 || (k is not ((int)SectionKind.Norms or (int)SectionKind.Substrings or (int)SectionKind.LshPostings))) Verify((SectionKind)k);
        if (_sections[(int)SectionKind.Substrings].Length > 0) Substrings();
    }

    private SegmentSubstrings? _substrings;

    /// <summary>Whether the segment has multi-index hashing tables.</summary>
    public bool HasSubstrings => _sections[(int)SectionKind.Substrings].Length > 0;

    /// <summary>The multi-index hashing tables, checked on first use; null when the segment has none.</summary>
    public SegmentSubstrings? Substrings()
    {
        if (!HasSubstrings) return null;
        SegmentSubstrings? s = Volatile.Read(ref _substrings);
        if (s is not null) return s;
        Verify(SectionKind.Substrings);
        var (offset, length, _) = _sections[(int)SectionKind.Substrings];
        s = SegmentSubstrings.Parse(Path, offset, _base + offset, length, RowBytes * 8, RowCount);
        return Interlocked.CompareExchange(ref _substrings, s, null) ?? s;
    }

    private SegmentLshPostings? _lsh;

    /// <summary>
    /// The LSH postings, checked on first use against <paramref name="model"/>'s shape; null when the
    /// segment has none.
    /// </summary>
    public SegmentLshPostings? LshPostings(Bucketing.LshModel model)
    {
        SegmentLshPostings? p = Volatile.Read(ref _lsh);
        if (p is not null) return p;
        var (offset, length, _) = _sections[(int)SectionKind.LshPostings];
        if (length == 0) return null;
        Verify(SectionKind.LshPostings);
        p = SegmentLshPostings.Parse(Path, offset, _base + offset, length, model.Tables, model.KeyBits, RowCount);
        return Interlocked.CompareExchange(ref _lsh, p, null) ?? p;
    }

    /// <summary>Prepares the sections a scan reads (vectors, norms) and returns a pointer to the first vector.</summary>
    public byte* VectorsForScan()
    {
        Verify(SectionKind.Vectors);
        if (Metric == Metric.Cosine) Verify(SectionKind.Norms);
        return _base + _sections[(int)SectionKind.Vectors].Offset;
    }

    public float* NormsForScan() => Metric == Metric.Cosine ? (float*)(_base + _sections[(int)SectionKind.Norms].Offset) : null;

    public ReadOnlySpan<byte> Vector(int row)
    {
        Verify(SectionKind.Vectors);
        return Bytes(_sections[(int)SectionKind.Vectors].Offset + (long)row * RowBytes, RowBytes);
    }

    public ReadOnlySpan<byte> IdUtf8(int row)
    {
        Verify(SectionKind.IdOffsets);
        Verify(SectionKind.IdBytes);
        return Slice(SectionKind.IdOffsets, SectionKind.IdBytes, row);
    }

    public ReadOnlySpan<byte> Payload(int row)
    {
        Verify(SectionKind.PayloadOffsets);
        Verify(SectionKind.PayloadBytes);
        return Slice(SectionKind.PayloadOffsets, SectionKind.PayloadBytes, row);
    }

    private ReadOnlySpan<byte> Slice(SectionKind offsets, SectionKind bytes, int row)
    {
        var o = _sections[(int)offsets];
        var b = _sections[(int)bytes];
        long start = BinaryPrimitives.ReadInt64LittleEndian(Bytes(o.Offset + (long)row * 8, 8));
        long end = BinaryPrimitives.ReadInt64LittleEndian(Bytes(o.Offset + (long)row * 8 + 8, 8));
        if (start < 0 || end < start || end > b.Length || end - start > VectorIndex.MaxPayloadBytes)
            throw new IndexCorruptedException(Path, o.Offset + (long)row * 8, $"the {bytes} offsets of row {row} are out of range");
        return Bytes(b.Offset + start, (int)(end - start));
    }

    /// <summary>Finds the row holding an id (live or deleted), or −1.</summary>
    public int FindRow(ReadOnlySpan<byte> idUtf8, ulong hash)
    {
        // Most lookups while loading new data are for ids no segment holds: the in-memory filter
        // answers those without touching the mapped table, whose pages are usually cold.
        if (!IdFilter().MayContain((uint)(hash >> 32))) return -1;
        var t = _sections[(int)SectionKind.IdTable];
        var slots = new ReadOnlySpan<ulong>(_base + t.Offset, (int)(t.Length / 8));
        int mask = slots.Length - 1;
        int s = (int)(hash & (ulong)mask);
        ulong high = hash & 0xFFFFFFFF00000000UL;
        for (int probes = 0; probes < slots.Length; probes++)
        {
            ulong slot = BitConverter.IsLittleEndian ? slots[s] : BinaryPrimitives.ReverseEndianness(slots[s]);
            if (slot == 0) return -1;
            if ((slot & 0xFFFFFFFF00000000UL) == high)
            {
                int row = (int)(uint)slot - 1;
                if ((uint)row >= (uint)RowCount)
                    throw new IndexCorruptedException(Path, t.Offset + s * 8L, "an id table slot points past the last row");
                if (IdUtf8(row).SequenceEqual(idUtf8)) return row;
            }
            s = (s + 1) & mask;
        }
        return -1;
    }

    private IdFilter? _idFilter;

    /// <summary>The id filter, built on first use from the id table's hash halves (safe from any thread).</summary>
    private IdFilter IdFilter()
    {
        IdFilter? f = Volatile.Read(ref _idFilter);
        if (f is not null) return f;
        Verify(SectionKind.IdTable);
        var t = _sections[(int)SectionKind.IdTable];
        var slots = new ReadOnlySpan<ulong>(_base + t.Offset, (int)(t.Length / 8));
        f = new IdFilter(RowCount);
        foreach (ulong raw in slots)
        {
            ulong slot = BitConverter.IsLittleEndian ? raw : BinaryPrimitives.ReverseEndianness(raw);
            if (slot != 0) f.Add((uint)(slot >> 32));
        }
        return Interlocked.CompareExchange(ref _idFilter, f, null) ?? f;
    }

    public bool IsDeleted(int row, long snapshotSeq)
    {
        long[]? d = DeletedAt;
        return d is not null && d[row] <= snapshotSeq;
    }

    /// <summary>Marks a row deleted at <paramref name="seq"/>. Writer only.</summary>
    public void MarkDeleted(int row, long seq)
    {
        long[]? d = DeletedAt;
        if (d is null)
        {
            d = new long[RowCount];
            Array.Fill(d, long.MaxValue);
            Volatile.Write(ref _deletedAt, d);
        }
        d[row] = seq;
    }

    public int DeletedCount(long snapshotSeq)
    {
        long[]? d = DeletedAt;
        if (d is null) return 0;
        int n = 0;
        foreach (long s in d) if (s <= snapshotSeq) n++;
        return n;
    }

    /// <summary>Loads the persisted deletion bitmap: rows deleted before the log's start.</summary>
    public void LoadDeletions(ReadOnlySpan<byte> bitmap)
    {
        var d = new long[RowCount];
        for (int r = 0; r < RowCount; r++)
            d[r] = (bitmap[r >> 3] & (1 << (r & 7))) != 0 ? 0 : long.MaxValue;
        Volatile.Write(ref _deletedAt, d);
        PersistedDeletions = DeletedCount(0);
    }

    private IDisposable? _deviceData;

    /// <summary>
    /// Data a compute back end keeps for this segment (its rows on a GPU), created on first use and
    /// disposed when the segment is unmapped.
    /// </summary>
    internal T DeviceData<T>(Func<Segment, T> create) where T : class, IDisposable
    {
        if (Volatile.Read(ref _deviceData) is T existing) return existing;
        T made = create(this);
        if (Interlocked.CompareExchange(ref _deviceData, made, null) is T raced)
        {
            made.Dispose();
            return raced;
        }
        return made;
    }

    /// <summary>The compute back end's data for this segment, if any was created.</summary>
    internal IDisposable? DeviceDataIfAny => Volatile.Read(ref _deviceData);

    public bool TryAcquire() => _refs.TryAcquire();

    public void Release()
    {
        if (!_refs.Release()) return;
        Unmap();
        if (DeleteOnRelease)
        {
            try { File.Delete(Path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private void Unmap()
    {
        Interlocked.Exchange(ref _deviceData, null)?.Dispose();
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}

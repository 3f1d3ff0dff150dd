using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Aknn.Embedded.Bucketing;

namespace Aknn.Embedded.Storage;

/// <summary>Rows to be written into a new segment, in ordinal order.</summary>
internal interface ISegmentSource
{
    int Count { get; }
    ReadOnlySpan<byte> Vector(int row);
    ReadOnlySpan<byte> IdUtf8(int row);
    ReadOnlySpan<byte> Payload(int row);
}

/// <summary>What a segment header records besides its rows.</summary>
internal readonly record struct SegmentSchema(Metric Metric, IndexModelKind Model, int Dimensions, int RowBytes, ulong Fingerprint, SubstringSettings? Substrings = null);

/// <summary>
/// Multi-index hashing settings of a Hamming index: a fixed number of substring tables, or null to
/// choose per segment from its row count and <see cref="Radius"/>.
/// </summary>
internal sealed record SubstringSettings(int? Count, int Radius)
{
    public SubstringLayout LayoutFor(int bits, long rows, ProbeCosts costs) => Count is { } m ? new SubstringLayout(bits, m) : SubstringLayout.Choose(bits, rows, Radius, costs);
}

/// <summary>
/// Writes an immutable segment file: header, 64-byte-aligned sections, section table and footer,
/// each section protected by a CRC-32C. The file is written under a temporary name, synced, and
/// renamed into place, so a crash never leaves a half-written segment under its final name.
/// </summary>
internal static class SegmentWriter
{
    public static void Write(string path, long segmentId, long minSeq, long maxSeq, SegmentSchema schema,
        ISegmentSource rows, IFaultInjector? faults, Action<int>? rowsWritten = null, CancellationToken cancel = default, LshModel? lsh = null)
    {
        string temp = path + ".tmp";
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                var w = new Writer(file, temp, faults);
                WriteBody(w, segmentId, minSeq, maxSeq, schema, rows, rowsWritten, cancel, lsh);
                file.Flush(flushToDisk: false);
                BuildStages.Mark("write tail");
                FileSync.FlushData(file.SafeFileHandle, temp);
                BuildStages.Mark("fdatasync");
            }
            // Never over an existing file: file numbers are unique, so one in the way would be a
            // segment of another writer, which must not be replaced.
            File.Move(temp, path, overwrite: false);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static void WriteBody(Writer w, long segmentId, long minSeq, long maxSeq, SegmentSchema schema,
        ISegmentSource rows, Action<int>? rowsWritten, CancellationToken cancel, LshModel? lsh)
    {
        int count = rows.Count;
        var sections = new List<(SectionKind Kind, long Offset, long Length, uint Crc)>();
        bool substrings = schema.Substrings is not null && count > 0;
        bool postings = lsh is not null && count > 0;
        int sectionCount = 6 + (schema.Metric == Metric.Cosine ? 1 : 0) + (substrings ? 1 : 0) + (postings ? 1 : 0);
        int version = postings ? SegmentFormat.Version : substrings ? SegmentFormat.VersionWithSubstrings : SegmentFormat.VersionWithoutSubstrings;

        Span<byte> header = stackalloc byte[SegmentFormat.HeaderSize];
        header.Clear();
        SegmentFormat.Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[SegmentFormat.OffVersion..], version);
        BinaryPrimitives.WriteInt32LittleEndian(header[SegmentFormat.OffHeaderSize..], SegmentFormat.HeaderSize);
        header[SegmentFormat.OffMetric] = (byte)schema.Metric;
        header[SegmentFormat.OffModel] = (byte)schema.Model;
        BinaryPrimitives.WriteInt32LittleEndian(header[SegmentFormat.OffDimensions..], schema.Dimensions);
        BinaryPrimitives.WriteInt32LittleEndian(header[SegmentFormat.OffRowBytes..], schema.RowBytes);
        BinaryPrimitives.WriteInt32LittleEndian(header[SegmentFormat.OffSectionCount..], sectionCount);
        BinaryPrimitives.WriteInt64LittleEndian(header[SegmentFormat.OffRowCount..], count);
        BinaryPrimitives.WriteInt64LittleEndian(header[SegmentFormat.OffSegmentId..], segmentId);
        BinaryPrimitives.WriteInt64LittleEndian(header[SegmentFormat.OffMinSequence..], minSeq);
        BinaryPrimitives.WriteInt64LittleEndian(header[SegmentFormat.OffMaxSequence..], maxSeq);
        BinaryPrimitives.WriteUInt64LittleEndian(header[SegmentFormat.OffFingerprint..], schema.Fingerprint);
        BinaryPrimitives.WriteUInt32LittleEndian(header[SegmentFormat.OffHeaderCrc..], Crc32C.Compute(header[..SegmentFormat.OffHeaderCrc]));
        w.Raw(header);

        // Vectors, reporting progress: this is the bulk of the file.
        var bulk = rows as BulkRows;
        w.BeginSection();
        if (bulk is not null)
        {
            // Back to back already: written in large blocks, with no copy per row.
            const int BlockRows = 1 << 16;
            for (int r = 0; r < count; r += BlockRows)
            {
                int n = Math.Min(BlockRows, count - r);
                w.Data(bulk.Vectors.AsSpan(r * bulk.RowBytes, n * bulk.RowBytes));
                cancel.ThrowIfCancellationRequested();
                rowsWritten?.Invoke(r + n);
            }
        }
        else
        {
            for (int r = 0; r < count; r++)
            {
                w.Data(rows.Vector(r));
                if ((r & 4095) == 4095)
                {
                    cancel.ThrowIfCancellationRequested();
                    rowsWritten?.Invoke(r + 1);
                }
            }
        }
        sections.Add(w.EndSection(SectionKind.Vectors));
        rowsWritten?.Invoke(count);
        BuildStages.Mark("vectors");

        if (schema.Metric == Metric.Cosine)
        {
            var norms = new float[count];
            for (int r = 0; r < count; r++) norms[r] = TensorPrimitives.Norm(MemoryMarshal.Cast<byte, float>(rows.Vector(r)));
            if (!BitConverter.IsLittleEndian)
                for (int r = 0; r < count; r++) norms[r] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReverseEndianness(BitConverter.SingleToInt32Bits(norms[r])));
            w.BeginSection();
            w.Data(MemoryMarshal.AsBytes(norms.AsSpan()));
            sections.Add(w.EndSection(SectionKind.Norms));
            BuildStages.Mark("norms");
        }

        // Ids: offsets, then bytes.
        if (bulk is not null)
        {
            w.BeginSection();
            long[] starts = BitConverter.IsLittleEndian ? bulk.IdStarts : AlignedArrays.LittleEndian((long[])bulk.IdStarts.Clone());
            w.Data(MemoryMarshal.AsBytes(starts.AsSpan()));
            sections.Add(w.EndSection(SectionKind.IdOffsets));
            w.BeginSection();
            w.Data(bulk.IdBytes);
            sections.Add(w.EndSection(SectionKind.IdBytes));
        }
        else WriteVariable(w, sections, SectionKind.IdOffsets, SectionKind.IdBytes, count, rows.IdUtf8);
        BuildStages.Mark("ids");

        cancel.ThrowIfCancellationRequested();
        // A bulk load's duplicate check built the table already.
        ulong[] table = bulk?.IdTable ?? IdTable.Build(count, r => IdHash.Compute(rows.IdUtf8(r)));
        w.BeginSection();
        w.Data(MemoryMarshal.AsBytes(AlignedArrays.LittleEndian(table).AsSpan()));
        sections.Add(w.EndSection(SectionKind.IdTable));
        BuildStages.Mark("id table");

        if (bulk is { NoPayloads: true })
        {
            // No payloads: every offset is zero and the bytes section is empty.
            w.BeginSection();
            var zeros = new byte[Math.Min((count + 1L) * 8, 1 << 20)];
            for (long left = (count + 1L) * 8; left > 0; left -= zeros.Length) w.Data(zeros.AsSpan(0, (int)Math.Min(left, zeros.Length)));
            sections.Add(w.EndSection(SectionKind.PayloadOffsets));
            w.BeginSection();
            sections.Add(w.EndSection(SectionKind.PayloadBytes));
        }
        else WriteVariable(w, sections, SectionKind.PayloadOffsets, SectionKind.PayloadBytes, count, rows.Payload);
        BuildStages.Mark("payloads");

        if (substrings)
        {
            w.BeginSection();
            SubstringTablesWriter.Write(schema.Substrings!.LayoutFor(schema.Dimensions, count, ProbeCosts.Segment(count, schema.Dimensions / 64)), count, rows.Vector, d => w.Data(d), cancel);
            sections.Add(w.EndSection(SectionKind.Substrings));
            BuildStages.Mark("substring tables");
        }

        if (postings)
        {
            uint[] keys = lsh!.KeysOf(count, rows.Vector, schema.RowBytes, cancel);
            w.BeginSection();
            LshPostingsWriter.Write(keys, count, lsh.Tables, lsh.KeyBits, d => w.Data(d), cancel);
            sections.Add(w.EndSection(SectionKind.LshPostings));
            BuildStages.Mark("lsh postings");
        }

        // Section table, then the footer.
        w.Pad();
        long tableOffset = w.Position;
        var table2 = new byte[sections.Count * SegmentFormat.EntrySize];
        for (int i = 0; i < sections.Count; i++)
        {
            Span<byte> e = table2.AsSpan(i * SegmentFormat.EntrySize, SegmentFormat.EntrySize);
            BinaryPrimitives.WriteUInt32LittleEndian(e, (uint)sections[i].Kind);
            BinaryPrimitives.WriteInt64LittleEndian(e[8..], sections[i].Offset);
            BinaryPrimitives.WriteInt64LittleEndian(e[16..], sections[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(e[24..], sections[i].Crc);
        }
        w.Raw(table2);
        Span<byte> footer = stackalloc byte[SegmentFormat.FooterSize];
        footer.Clear();
        long fileLength = w.Position + SegmentFormat.FooterSize;
        BinaryPrimitives.WriteInt64LittleEndian(footer[SegmentFormat.FootOffTable..], tableOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[SegmentFormat.FootOffTableCrc..], Crc32C.Compute(table2));
        BinaryPrimitives.WriteInt32LittleEndian(footer[SegmentFormat.FootOffSectionCount..], sections.Count);
        SegmentFormat.FooterMagic.CopyTo(footer[SegmentFormat.FootOffMagic..]);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[SegmentFormat.FootOffFileLength..], (uint)fileLength);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[SegmentFormat.FootOffCrc..], Crc32C.Compute(footer[..SegmentFormat.FootOffCrc]));
        w.Raw(footer);
    }

    private delegate ReadOnlySpan<byte> RowBytes(int row);

    /// <summary>Writes variable-length values as two sections: (count + 1) uint64 start offsets, then the bytes.</summary>
    private static void WriteVariable(Writer w, List<(SectionKind, long, long, uint)> sections, SectionKind offsetsKind, SectionKind bytesKind, int count, RowBytes value)
    {
        // The offsets are gathered first and written in one piece (one write per row costs more than the bytes).
        var offsets = new long[count + 1];
        for (int r = 0; r < count; r++) offsets[r + 1] = offsets[r] + value(r).Length;
        w.BeginSection();
        w.Data(MemoryMarshal.AsBytes(AlignedArrays.LittleEndian(offsets).AsSpan()));
        sections.Add(w.EndSection(offsetsKind));
        w.BeginSection();
        for (int r = 0; r < count; r++) w.Data(value(r));
        sections.Add(w.EndSection(bytesKind));
    }

    /// <summary>Sequential writer that tracks the position and the running CRC of the open section.</summary>
    private sealed class Writer(FileStream file, string path, IFaultInjector? faults)
    {
        private static readonly byte[] Zeros = new byte[SegmentFormat.Alignment];
        private long _sectionStart;
        private System.IO.Hashing.Crc32 _crc = Crc32C.Incremental();

        public long Position { get; private set; }

        public void Raw(ReadOnlySpan<byte> data)
        {
            faults?.BeforeWrite(path, Position, data.Length);
            file.Write(data);
            Position += data.Length;
        }

        public void Pad()
        {
            int pad = (int)(SegmentFormat.Align(Position) - Position);
            if (pad > 0) Raw(Zeros.AsSpan(0, pad));
        }

        public void BeginSection()
        {
            Pad();
            _sectionStart = Position;
            _crc = Crc32C.Incremental();
        }

        public void Data(ReadOnlySpan<byte> data)
        {
            _crc.Append(data);
            Raw(data);
        }

        public (SectionKind, long, long, uint) EndSection(SectionKind kind) =>
            (kind, _sectionStart, Position - _sectionStart, _crc.GetCurrentHashAsUInt32());
    }
}

using System.Runtime.Intrinsics.X86;
using System.Text.Unicode;

namespace Aknn.Embedded.Storage;

/// <summary>
/// The rows of a bulk load as a segment source: the last row of each id, in input order (a
/// segment never holds two rows with the same id). Everything is held in a few flat arrays (the
/// vectors, the ids' UTF-8 bytes and their start offsets) that the segment writer copies to the
/// file in large blocks, and the hash table that found the duplicates is the segment's id table.
/// </summary>
internal sealed class BulkRows : ISegmentSource
{
    /// <summary>Rows per unit of parallel work while validating and encoding ids.</summary>
    private const int Chunk = 1 << 15;

    private readonly byte[]?[]? _payloads;

    private BulkRows(byte[] vectors, int rowBytes, byte[] idBytes, long[] idStarts, byte[]?[]? payloads, ulong[] idTable)
    {
        Vectors = vectors;
        RowBytes = rowBytes;
        IdBytes = idBytes;
        IdStarts = idStarts;
        _payloads = payloads;
        IdTable = idTable;
    }

    public int Count => IdStarts.Length - 1;

    /// <summary>The rows' vectors, back to back (<see cref="Count"/> × <see cref="RowBytes"/> bytes).</summary>
    public byte[] Vectors { get; }

    public int RowBytes { get; }

    /// <summary>The UTF-8 bytes of all ids, concatenated in row order.</summary>
    public byte[] IdBytes { get; }

    /// <summary>Start of each id in <see cref="IdBytes"/>, then its end: <see cref="Count"/> + 1 offsets, the first 0.</summary>
    public long[] IdStarts { get; }

    /// <summary>The segment's id table (see <see cref="Storage.IdTable"/>), slots pointing at the kept rows' ordinals.</summary>
    public ulong[] IdTable { get; }

    /// <summary>Whether no row has a payload (the payload sections are then all zero offsets).</summary>
    public bool NoPayloads => _payloads is null;

    public ReadOnlySpan<byte> Vector(int row) => Vectors.AsSpan(row * RowBytes, RowBytes);
    public ReadOnlySpan<byte> IdUtf8(int row) => IdBytes.AsSpan((int)IdStarts[row], (int)(IdStarts[row + 1] - IdStarts[row]));
    public ReadOnlySpan<byte> Payload(int row) => _payloads?[row] ?? ReadOnlySpan<byte>.Empty;

    /// <summary>
    /// Validates the ids and payloads of a bulk load (on all cores), encodes the ids, and drops every
    /// row whose id a later row repeats. A bad row fails with the exception
    /// <see cref="ItemRules.ValidateId"/> or <see cref="ItemRules.ValidatePayload"/> throws for it,
    /// for the first bad row, as a row-by-row check would.
    /// </summary>
    /// <param name="ids">One id per row.</param>
    /// <param name="payloads">Null, or one payload (or null) per row (its count already checked).</param>
    /// <param name="vectors">The rows' vectors back to back, already validated; reused, not copied, when no id repeats.</param>
    /// <param name="rowBytes">Bytes per row in <paramref name="vectors"/>.</param>
    public static BulkRows Pack(IReadOnlyList<string> ids, IReadOnlyList<byte[]?>? payloads, byte[] vectors, int rowBytes)
    {
        int n = ids.Count;
        long[] starts = LargeArrays.Zeroed<long>(n + 1);
        CheckAndMeasure(ids, payloads, starts);
        BuildStages.Mark("validate ids");
        for (int i = 0; i < n; i++) starts[i + 1] += starts[i];
        if (starts[n] > Array.MaxLength)
            throw new ArgumentException($"The ids of this bulk load take {starts[n]:N0} UTF-8 bytes in all, more than one load can hold ({Array.MaxLength:N0}); load the rows in several calls of UpsertBatch, or use shorter ids.", nameof(ids));
        byte[] idBytes = LargeArrays.Uninitialized<byte>((int)starts[n]);
        ulong[] hashes = LargeArrays.Uninitialized<ulong>(n);
        Parallel.For(0, (n + Chunk - 1) / Chunk, c =>
        {
            for (int i = c * Chunk, end = Math.Min(n, i + Chunk); i < end; i++)
            {
                Span<byte> dest = idBytes.AsSpan((int)starts[i], (int)(starts[i + 1] - starts[i]));
                Utf8.FromUtf16(ids[i], dest, out _, out _, replaceInvalidSequences: false);
                hashes[i] = IdHash.Compute(dest);
            }
        });
        BuildStages.Mark("encode and hash ids");
        ulong[] slots = LargeArrays.Zeroed<ulong>(Storage.IdTable.SlotCountFor(n));
        int[]? dropped = InsertAll(hashes, idBytes, starts, slots);
        byte[]?[]? payloadArray = payloads is null || payloads.All(p => p is null) ? null : [.. payloads];
        BuildStages.Mark("duplicate check");
        if (dropped is null) return new BulkRows(vectors, rowBytes, idBytes, starts, payloadArray, slots);
        return WithoutDropped(vectors, rowBytes, idBytes, starts, payloadArray, slots, dropped);
    }

    /// <summary>
    /// Checks every id and payload on all cores and stores each id's UTF-8 length at
    /// <c>lengths[row + 1]</c>; on a bad row, throws the row-by-row check's exception for the first one.
    /// </summary>
    private static void CheckAndMeasure(IReadOnlyList<string> ids, IReadOnlyList<byte[]?>? payloads, long[] lengths)
    {
        int n = ids.Count;
        int firstBad = int.MaxValue;
        Parallel.For(0, (n + Chunk - 1) / Chunk, c =>
        {
            for (int i = c * Chunk, end = Math.Min(n, i + Chunk); i < end && i < Volatile.Read(ref firstBad); i++)
            {
                if (ItemRules.TryMeasureId(ids[i], out int bytes) && (payloads?[i]?.Length ?? 0) <= VectorIndex.MaxPayloadBytes)
                {
                    lengths[i + 1] = bytes;
                    continue;
                }
                int seen;
                while (i < (seen = Volatile.Read(ref firstBad)) && Interlocked.CompareExchange(ref firstBad, i, seen) != seen) { }
                break;
            }
        });
        if (firstBad == int.MaxValue) return;
        // The same checks, in the same order, as a row-by-row load: they throw for this row.
        ItemRules.ValidateId(ids[firstBad], nameof(ids), firstBad);
        ItemRules.ValidatePayload(payloads?[firstBad]?.Length ?? 0, nameof(payloads));
        throw new InvalidOperationException($"Row {firstBad} of the bulk load failed a check that ItemRules then passed; this is a bug in Aknn.Embedded.");
    }

    /// <summary>
    /// Inserts every id into <paramref name="slots"/> (the id table's layout: hash high half, then
    /// row + 1; linear probing), a later row with the same id taking the earlier one's slot.
    /// Returns the rows dropped that way (ascending), or null when every id is unique. With no
    /// duplicates the table is exactly the one <see cref="Storage.IdTable.Build"/> makes.
    /// </summary>
    private static unsafe int[]? InsertAll(ulong[] hashes, byte[] idBytes, long[] starts, ulong[] slots)
    {
        // The table is far larger than the caches: prefetching the home slot of a row some rows
        // ahead keeps several misses in flight instead of one at a time.
        const int Ahead = 16;
        int n = hashes.Length;
        int mask = slots.Length - 1;
        List<int>? dropped = null;
        fixed (ulong* table = slots)
        {
            for (int i = 0; i < n; i++)
            {
                if (Sse.IsSupported && i + Ahead < n) Sse.Prefetch0(table + (int)(hashes[i + Ahead] & (ulong)mask));
                ulong h = hashes[i];
                ulong high = h & 0xFFFFFFFF00000000UL;
                int s = (int)(h & (ulong)mask);
                while (true)
                {
                    ulong slot = table[s];
                    if (slot == 0)
                    {
                        table[s] = high | (uint)(i + 1);
                        break;
                    }
                    int other = (int)(uint)slot - 1;
                    if ((slot & 0xFFFFFFFF00000000UL) == high && Id(idBytes, starts, other).SequenceEqual(Id(idBytes, starts, i)))
                    {
                        (dropped ??= []).Add(other);
                        table[s] = high | (uint)(i + 1);
                        break;
                    }
                    s = (s + 1) & mask;
                }
            }
        }
        if (dropped is null) return null;
        dropped.Sort();
        return [.. dropped];
    }

    private static ReadOnlySpan<byte> Id(byte[] idBytes, long[] starts, int row) => idBytes.AsSpan((int)starts[row], (int)(starts[row + 1] - starts[row]));

    /// <summary>The rows without the dropped ones, packed again, and the table's slots renumbered to the new ordinals.</summary>
    private static BulkRows WithoutDropped(byte[] vectors, int rowBytes, byte[] idBytes, long[] starts, byte[]?[]? payloads, ulong[] slots, int[] dropped)
    {
        int n = starts.Length - 1, kept = n - dropped.Length;
        var newRow = new int[n];
        var keptVectors = new byte[(long)kept * rowBytes];
        var keptStarts = new long[kept + 1];
        var keptIds = new byte[starts[n] - dropped.Sum(d => starts[d + 1] - starts[d])];
        byte[]?[]? keptPayloads = payloads is null ? null : new byte[]?[kept];
        for (int i = 0, k = 0, d = 0; i < n; i++)
        {
            if (d < dropped.Length && dropped[d] == i)
            {
                d++;
                newRow[i] = -1;
                continue;
            }
            newRow[i] = k;
            vectors.AsSpan(i * rowBytes, rowBytes).CopyTo(keptVectors.AsSpan(k * rowBytes));
            ReadOnlySpan<byte> id = Id(idBytes, starts, i);
            id.CopyTo(keptIds.AsSpan((int)keptStarts[k]));
            keptStarts[k + 1] = keptStarts[k] + id.Length;
            if (keptPayloads is not null) keptPayloads[k] = payloads![i];
            k++;
        }
        // Every slot holds a kept row (a dropped row's slot was taken over by its successor). The
        // table keeps its size, at least twice the kept rows, as a segment's id table must be.
        for (int s = 0; s < slots.Length; s++)
            if (slots[s] != 0) slots[s] = (slots[s] & 0xFFFFFFFF00000000UL) | (uint)(newRow[(int)(uint)slots[s] - 1] + 1);
        return new BulkRows(keptVectors, rowBytes, keptIds, keptStarts, keptPayloads, slots);
    }
}

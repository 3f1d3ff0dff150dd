using System.Runtime.InteropServices;
using System.Text;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded;

public sealed partial class VectorIndex
{
    /// <summary>
    /// Streams every live item of one snapshot: its id and payload, and its vector or code when
    /// <paramref name="includeVectors"/> is set. For exports and for retrieval by payload (a filter
    /// over the payload, without a nearest-neighbour query).
    /// </summary>
    /// <remarks>
    /// <para>The snapshot is taken when the enumeration starts (the first <c>MoveNext</c>) and held until
    /// the enumerator is disposed (<c>foreach</c> does this): writes made meanwhile are not seen, and
    /// the segments it reads stay mapped. Items come in storage order (segments, then the in-memory
    /// tail), not sorted by id; an id appears at most once.</para>
    /// <para>Items are read one at a time, so memory does not grow with the index. Rows the
    /// <paramref name="filter"/> rejects are never copied out.</para>
    /// </remarks>
    /// <param name="includeVectors">Whether each item carries its vector (float metrics) or code (Hamming); otherwise they are empty.</param>
    /// <param name="filter">Only rows it accepts are returned; null for all.</param>
    /// <param name="cancellationToken">Stops the enumeration between rows.</param>
    /// <returns>The live items; each <see cref="StoredItem"/> is a copy that outlives the enumeration.</returns>
    /// <exception cref="ObjectDisposedException">The index was disposed before the enumeration started (disposing it later leaves a running enumeration its snapshot).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public IEnumerable<StoredItem> EnumerateItems(bool includeVectors = false, SearchFilter? filter = null, CancellationToken cancellationToken = default)
    {
        // The iterator body runs only on the first MoveNext; nothing to validate eagerly here.
        return Enumerate(includeVectors, filter, cancellationToken);
    }

    private IEnumerable<StoredItem> Enumerate(bool includeVectors, SearchFilter? filter, CancellationToken cancellationToken)
    {
        Snapshot s = _engine.Acquire();
        try
        {
            foreach (Segment seg in s.Segments.Items)
            {
                for (int row = 0; row < seg.RowCount; row++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (seg.IsDeleted(row, s.Sequence)) continue;
                    StoredItem? item = Materialise(seg.IdUtf8(row), seg.Payload(row), includeVectors ? seg.Vector(row) : default, includeVectors, filter);
                    if (item is not null) yield return item;
                }
            }
            if (s.Frozen is { } frozen)
            {
                foreach (StoredItem item in EnumerateTail(frozen.Chunks, frozen.Count, frozen.ChunkRows, s.Sequence, includeVectors, filter, cancellationToken))
                    yield return item;
            }
            foreach (StoredItem item in EnumerateTail(s.Chunks, s.TailCount, s.Tail.ChunkRows, s.Sequence, includeVectors, filter, cancellationToken))
                yield return item;
        }
        finally
        {
            IndexEngine.Release(s);
        }
    }

    /// <summary>The live rows among the first <paramref name="count"/> rows of a tail's chunks.</summary>
    private IEnumerable<StoredItem> EnumerateTail(TailChunk[] chunks, int count, int chunkRows, long sequence, bool includeVectors, SearchFilter? filter, CancellationToken cancellationToken)
    {
        int rowBytes = _engine.Schema.RowBytes;
        for (int row = 0; row < count; row++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TailChunk chunk = chunks[row / chunkRows];
            int r = row % chunkRows;
            if (chunk.DeletedAt[r] <= sequence) continue;
            StoredItem? item = Materialise(chunk.Ids[r], chunk.Payloads[r], includeVectors ? chunk.Vectors.AsSpan(r * rowBytes, rowBytes) : default, includeVectors, filter);
            if (item is not null) yield return item;
        }
    }

    /// <summary>Copies one row out, or returns null when the filter rejects it (before anything is copied but the id).</summary>
    private StoredItem? Materialise(ReadOnlySpan<byte> idUtf8, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> vector, bool includeVectors, SearchFilter? filter)
    {
        string id = Encoding.UTF8.GetString(idUtf8);
        if (filter is not null && !filter(id, payload)) return null;
        float[] floats = [];
        ulong[] code = [];
        if (includeVectors)
        {
            if (Metric == Metric.Hamming) code = MemoryMarshal.Cast<byte, ulong>(vector).ToArray();
            else floats = MemoryMarshal.Cast<byte, float>(vector).ToArray();
        }
        return new StoredItem(id, floats, code, payload.ToArray());
    }
}

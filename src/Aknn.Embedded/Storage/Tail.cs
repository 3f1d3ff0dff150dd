using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Aknn.Embedded.Bucketing;

namespace Aknn.Embedded.Storage;

/// <summary>
/// A fixed-capacity block of tail rows. Rows are only appended; after a row is published to
/// searches its vector, id and payload never change, and only its <see cref="DeletedAt"/> entry
/// is written again (once, by the writer).
/// </summary>
internal sealed class TailChunk
{
    public TailChunk(int capacity, int rowBytes, bool norms, int bucketTables)
    {
        BucketNext = bucketTables > 0 ? new int[capacity * bucketTables] : null;
        Capacity = capacity;
        Vectors = GC.AllocateUninitializedArray<byte>(capacity * rowBytes); // every row is written before it is published
        Norms = norms ? new float[capacity] : null;
        Ids = new byte[capacity][];
        Payloads = new byte[capacity][];
        DeletedAt = new long[capacity];
        Array.Fill(DeletedAt, long.MaxValue);
    }

    public int Capacity { get; }
    public byte[] Vectors { get; }
    public float[]? Norms { get; }
    public byte[][] Ids { get; }
    public byte[][] Payloads { get; }
    public long[] DeletedAt { get; }

    /// <summary>
    /// Per row and table (substring or LSH), the previous tail row with the same key, or −1 (see
    /// <see cref="TailBuckets"/>). Set once more when an LSH model is fitted after rows exist.
    /// </summary>
    public int[]? BucketNext { get; set; }
}

/// <summary>
/// The in-memory tail: every row written since the last seal, searchable as soon as it is
/// written. Chunks are appended; the chunk array is replaced (never mutated in place) when it
/// grows, so a snapshot keeps a consistent view of it.
/// </summary>
internal sealed class Tail
{
    private readonly int _rowBytes;
    private readonly bool _norms;
    private readonly int _chunkRows;
    private TailChunk[] _chunks = [];

    /// <param name="rowBytes">Bytes per vector.</param>
    /// <param name="norms">Whether to keep each row's norm (cosine).</param>
    /// <param name="expectedRows">Rows the tail will probably hold before it is sealed, to size the id map once.</param>
    /// <param name="substrings">Multi-index hashing tables to keep over the codes, or null.</param>
    /// <param name="lsh">The LSH model whose tables to keep over the rows, or null (none, or not fitted yet).</param>
    public Tail(int rowBytes, bool norms, int expectedRows, SubstringLayout? substrings = null, LshModel? lsh = null)
    {
        Substrings = substrings is null ? null : new TailBuckets(substrings);
        if (lsh is not null) AttachLsh(lsh);
        // One writer: a single lock stripe, and a table sized up front instead of grown row by row.
        ById = new ConcurrentDictionary<string, int>(1, Math.Clamp(expectedRows, 16, 1 << 20), StringComparer.Ordinal);
        _rowBytes = rowBytes;
        _norms = norms;
        // About 1 MiB of vectors per chunk, between 16 and 4096 rows.
        _chunkRows = Math.Clamp((1 << 20) / rowBytes, 16, 4096);
    }

    /// <summary>Id to the newest tail row holding it (live or deleted). Written by the writer, read by any thread.</summary>
    public ConcurrentDictionary<string, int> ById { get; }

    /// <summary>The multi-index hashing tables over the rows (Hamming indexes with that model), or null.</summary>
    public TailBuckets? Substrings { get; }

    /// <summary>The LSH tables over the rows, or null (another model, or an LSH model not fitted yet).</summary>
    public TailBuckets? Lsh => Volatile.Read(ref _lsh);

    /// <summary>The model <see cref="Lsh"/> was built with.</summary>
    public LshModel? LshModel { get; private set; }

    private TailBuckets? _lsh;
    private uint[] _keys = [];
    private float[] _dots = [];

    /// <summary>
    /// Starts keeping LSH tables (writer only): hashes the rows stored so far in batches, links them,
    /// and only then publishes the tables, so a reader sees either none or all of them.
    /// </summary>
    public void AttachLsh(LshModel model)
    {
        var buckets = new TailBuckets(model.Tables);
        uint[] keys = model.KeysOf(Count, Vector, _rowBytes);
        foreach (TailChunk chunk in _chunks) chunk.BucketNext = new int[_chunkRows * model.Tables];
        for (int row = 0; row < Count; row++)
            buckets.Add(ChunkOf(row), row % _chunkRows, row, keys.AsSpan(row * model.Tables, model.Tables));
        _keys = new uint[model.Tables];
        _dots = new float[model.DotsLength(1)];
        LshModel = model;
        Volatile.Write(ref _lsh, buckets);
    }

    public int ChunkRows => _chunkRows;
    public int Count { get; private set; }
    public long Bytes { get; private set; }
    public TailChunk[] Chunks => _chunks;

    public TailChunk ChunkOf(int row) => _chunks[row / _chunkRows];

    /// <summary>Appends a row (writer only); it becomes visible when the next snapshot is published.</summary>
    public int Append(string id, byte[] idUtf8, ReadOnlySpan<byte> vector, ReadOnlySpan<byte> payload)
    {
        int row = Count;
        int c = row / _chunkRows, i = row % _chunkRows;
        if (c == _chunks.Length)
        {
            var grown = new TailChunk[c + 1];
            _chunks.CopyTo(grown, 0);
            grown[c] = new TailChunk(_chunkRows, _rowBytes, _norms, Substrings?.Tables ?? _lsh?.Tables ?? 0);
            _chunks = grown;
        }
        TailChunk chunk = _chunks[c];
        vector.CopyTo(chunk.Vectors.AsSpan(i * _rowBytes, _rowBytes));
        if (chunk.Norms is not null)
            chunk.Norms[i] = TensorPrimitives.Norm(MemoryMarshal.Cast<byte, float>(vector));
        chunk.Ids[i] = idUtf8; // owned: callers pass a fresh array
        chunk.Payloads[i] = payload.IsEmpty ? [] : payload.ToArray();
        Substrings?.Add(chunk, i, row, vector);
        if (_lsh is not null)
        {
            LshModel!.Keys(vector, 1, _keys, _dots);
            _lsh.Add(chunk, i, row, _keys);
        }
        ById[id] = row;
        Count = row + 1;
        Bytes += _rowBytes + idUtf8.Length + payload.Length + 64;
        return row;
    }

    public ReadOnlySpan<byte> Vector(int row) => ChunkOf(row).Vectors.AsSpan(row % _chunkRows * _rowBytes, _rowBytes);
    public byte[] IdUtf8(int row) => ChunkOf(row).Ids[row % _chunkRows];
    public byte[] Payload(int row) => ChunkOf(row).Payloads[row % _chunkRows];
    public long DeletedAt(int row) => ChunkOf(row).DeletedAt[row % _chunkRows];
    public void MarkDeleted(int row, long seq) => ChunkOf(row).DeletedAt[row % _chunkRows] = seq;

    /// <summary>The rows of a tail that are live at <paramref name="seq"/>, as a segment source for sealing.</summary>
    public LiveRowSource LiveRows(long seq)
    {
        var rows = new List<int>(Count);
        for (int r = 0; r < Count; r++)
            if (DeletedAt(r) > seq) rows.Add(r);
        return new LiveRowSource(this, rows);
    }

    /// <summary>Selected rows of a tail, in order; <see cref="Rows"/> maps a segment ordinal back to its tail row.</summary>
    internal sealed class LiveRowSource(Tail tail, List<int> rows) : ISegmentSource
    {
        public IReadOnlyList<int> Rows => rows;
        public int Count => rows.Count;
        public ReadOnlySpan<byte> Vector(int row) => tail.Vector(rows[row]);
        public ReadOnlySpan<byte> IdUtf8(int row) => tail.IdUtf8(rows[row]);
        public ReadOnlySpan<byte> Payload(int row) => tail.Payload(rows[row]);
    }
}

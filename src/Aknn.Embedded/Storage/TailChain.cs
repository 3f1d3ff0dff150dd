namespace Aknn.Embedded.Storage;

/// <summary>
/// Walks one bucket chain of a tail's tables (<see cref="TailBuckets"/>) from the newest row to the
/// oldest, skipping the rows a snapshot cannot see. A struct enumerator, so <c>foreach</c> over it
/// allocates nothing.
/// </summary>
internal struct TailChain
{
    private readonly Tail _tail;
    private readonly TailBuckets _tables;
    private readonly int _table, _count;
    private int _next;

    public TailChain(Tail tail, TailBuckets tables, int table, uint key, int count)
    {
        _tail = tail;
        _tables = tables;
        _table = table;
        _count = count;
        _next = tables.Head(table, key);
        Current = -1;
    }

    /// <summary>The current row.</summary>
    public int Current { get; private set; }

    public readonly TailChain GetEnumerator() => this;

    public bool MoveNext()
    {
        while (_next >= 0)
        {
            int row = _next;
            _next = _tail.ChunkOf(row).BucketNext![row % _tail.ChunkRows * _tables.Tables + _table];
            // Rows past the snapshot were written after it was published; the chain leads on to older rows.
            if (row < _count)
            {
                Current = row;
                return true;
            }
        }
        return false;
    }
}

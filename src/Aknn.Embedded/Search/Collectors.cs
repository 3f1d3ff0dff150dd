namespace Aknn.Embedded.Search;

/// <summary>A scanned row that passed the distance bound: its ranking distance, id and payload.</summary>
internal readonly record struct Candidate(float Distance, byte[] IdUtf8, byte[]? Payload);

/// <summary>Receives the rows a scan finds close enough; <see cref="Bound"/> lets the scan skip the rest cheaply.</summary>
internal abstract class Collector
{
    /// <summary>Rows with a ranking distance above this cannot be accepted.</summary>
    public abstract float Bound { get; }

    /// <summary>Whether a row at <paramref name="distance"/> would be kept, ignoring the filter; may need the id for a tie.</summary>
    public abstract bool WouldAccept(float distance, ReadOnlySpan<byte> idUtf8);

    public abstract void Add(in Candidate candidate);

    /// <summary>The accepted rows, sorted by distance then by id (ordinal order of the UTF-8 bytes).</summary>
    public abstract List<Candidate> Sorted();

    public static int Compare(in Candidate a, in Candidate b)
    {
        int c = a.Distance.CompareTo(b.Distance);
        return c != 0 ? c : a.IdUtf8.AsSpan().SequenceCompareTo(b.IdUtf8);
    }
}

/// <summary>Keeps the K best rows in a max-heap whose root is the worst kept row.</summary>
internal sealed class TopKCollector(int k) : Collector
{
    private readonly Candidate[] _heap = new Candidate[k];
    private int _count;

    public override float Bound => _count < _heap.Length ? float.PositiveInfinity : _heap[0].Distance;

    public override bool WouldAccept(float distance, ReadOnlySpan<byte> idUtf8)
    {
        if (_count < _heap.Length) return true;
        ref readonly Candidate worst = ref _heap[0];
        return distance < worst.Distance || (distance == worst.Distance && idUtf8.SequenceCompareTo(worst.IdUtf8) < 0);
    }

    public override void Add(in Candidate c)
    {
        if (_count < _heap.Length)
        {
            int i = _count++;
            _heap[i] = c;
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (Compare(_heap[parent], _heap[i]) >= 0) break;
                (_heap[parent], _heap[i]) = (_heap[i], _heap[parent]);
                i = parent;
            }
            return;
        }
        _heap[0] = c;
        int j = 0;
        while (true)
        {
            int l = 2 * j + 1, r = l + 1, largest = j;
            if (l < _count && Compare(_heap[l], _heap[largest]) > 0) largest = l;
            if (r < _count && Compare(_heap[r], _heap[largest]) > 0) largest = r;
            if (largest == j) break;
            (_heap[largest], _heap[j]) = (_heap[j], _heap[largest]);
            j = largest;
        }
    }

    public override List<Candidate> Sorted()
    {
        var list = new List<Candidate>(_heap.AsSpan(0, _count).ToArray());
        list.Sort((a, b) => Compare(a, b));
        return list;
    }
}

/// <summary>Keeps every row within a fixed ranking distance.</summary>
internal sealed class RadiusCollector(float bound) : Collector
{
    private readonly List<Candidate> _all = [];

    public override float Bound => bound;
    public override bool WouldAccept(float distance, ReadOnlySpan<byte> idUtf8) => distance <= bound;
    public override void Add(in Candidate c) => _all.Add(c);

    public override List<Candidate> Sorted()
    {
        _all.Sort((a, b) => Compare(a, b));
        return _all;
    }
}

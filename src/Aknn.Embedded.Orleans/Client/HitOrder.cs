using System.Text;
using Aknn.Embedded.Orleans.Contracts;

namespace Aknn.Embedded.Orleans.Client;

/// <summary>
/// The order of merged hits: distance, then id in ordinal order of the UTF-8 bytes, the core's own
/// tie rule. Each shard already returns its best K in this order, so the best K of the union of the
/// per-shard lists are exactly the best K of one index holding every row.
/// </summary>
internal static class HitOrder
{
    public static int Compare(WireHit a, WireHit b)
    {
        int byDistance = a.Distance.CompareTo(b.Distance);
        if (byDistance != 0) return byDistance;
        // UTF-16 ordinal order differs from UTF-8 byte order only around surrogates; compare bytes
        // (ties are rare, so the encoding cost does not matter).
        return Encoding.UTF8.GetBytes(a.Id).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b.Id));
    }

    /// <summary>Merges per-shard lists and keeps the best <paramref name="k"/>.</summary>
    public static List<Hit> Merge(IEnumerable<List<WireHit>> lists, int k)
    {
        var all = new List<WireHit>();
        foreach (List<WireHit> list in lists) all.AddRange(list);
        all.Sort(Compare);
        int n = Math.Min(k, all.Count);
        var hits = new List<Hit>(n);
        for (int i = 0; i < n; i++) hits.Add(new Hit(all[i].Id, all[i].Distance, all[i].Payload));
        return hits;
    }
}

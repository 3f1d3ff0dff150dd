namespace Aknn.Embedded.CrashHelper;

/// <summary>How the reliability workloads create their indexes and write their items, per <see cref="CrashIndexKind"/>.</summary>
public static class CrashIndexes
{
    /// <summary>Rows the float index's LSH model is fitted from: small, so that the fit happens early and often under test.</summary>
    public const int FitRows = 48;

    /// <summary>The options an index of <paramref name="kind"/> is created with.</summary>
    public static IndexOptions Create(CrashIndexKind kind, Durability durability, long sealThresholdBytes) => kind switch
    {
        CrashIndexKind.Float => new IndexOptions
        {
            Dimensions = CrashItems.Dimensions,
            Metric = Metric.Euclidean,
            Model = IndexModel.BisectingHyperplanes(tables: 4, bitsPerTable: 6, fitRows: FitRows, seed: 7),
            Durability = durability,
            SealThresholdBytes = sealThresholdBytes,
        },
        _ => new IndexOptions
        {
            Dimensions = CrashItems.CodeBits,
            Metric = Metric.Hamming,
            Durability = durability,
            SealThresholdBytes = sealThresholdBytes,
        },
    };

    /// <summary>Upserts the item of <paramref name="id"/> (its vector or code and payload are functions of the id).</summary>
    public static void Upsert(VectorIndex index, CrashIndexKind kind, string id)
    {
        if (kind == CrashIndexKind.Float) index.Upsert(id, CrashItems.Vector(id), CrashItems.Payload(id));
        else index.UpsertCode(id, CrashItems.Code(id), CrashItems.Payload(id));
    }

    /// <summary>Upserts the items of <paramref name="ids"/> in one batch call.</summary>
    public static void UpsertBatch(VectorIndex index, CrashIndexKind kind, IReadOnlyList<string> ids)
    {
        var payloads = ids.Select(id => (byte[]?)CrashItems.Payload(id)).ToArray();
        if (kind == CrashIndexKind.Float)
        {
            var rows = new float[ids.Count, CrashItems.Dimensions];
            for (int i = 0; i < ids.Count; i++)
            {
                float[] v = CrashItems.Vector(ids[i]);
                for (int j = 0; j < v.Length; j++) rows[i, j] = v[j];
            }
            index.UpsertBatch(ids, rows, payloads);
        }
        else
        {
            var rows = new ulong[ids.Count, CrashItems.CodeBits / 64];
            for (int i = 0; i < ids.Count; i++)
            {
                ulong[] c = CrashItems.Code(ids[i]);
                for (int j = 0; j < c.Length; j++) rows[i, j] = c[j];
            }
            index.UpsertCodeBatch(ids, rows, payloads);
        }
    }

    /// <summary>Whether <paramref name="item"/> is exactly what was written under its id (not half-written, not mixed up).</summary>
    public static bool IsWhole(CrashIndexKind kind, StoredItem item) =>
        (kind == CrashIndexKind.Float
            ? CrashItems.Vector(item.Id).AsSpan().SequenceEqual(item.Vector)
            : CrashItems.Code(item.Id).AsSpan().SequenceEqual(item.Code))
        && CrashItems.Payload(item.Id).AsSpan().SequenceEqual(item.Payload);

    /// <summary>The distance between the items of two ids, computed naively (double precision for floats).</summary>
    public static double Distance(CrashIndexKind kind, string a, string b)
    {
        if (kind == CrashIndexKind.Binary)
        {
            ulong[] x = CrashItems.Code(a), y = CrashItems.Code(b);
            int d = 0;
            for (int i = 0; i < x.Length; i++) d += System.Numerics.BitOperations.PopCount(x[i] ^ y[i]);
            return d;
        }
        float[] u = CrashItems.Vector(a), w = CrashItems.Vector(b);
        double s = 0;
        for (int i = 0; i < u.Length; i++) s += ((double)u[i] - w[i]) * ((double)u[i] - w[i]);
        return Math.Sqrt(s);
    }

    /// <summary>A search for the item of <paramref name="id"/>, exact (a full scan even for the LSH index), returning up to <paramref name="k"/> hits.</summary>
    public static SearchResults ExactSearch(VectorIndex index, CrashIndexKind kind, string id, int k)
    {
        var options = new SearchOptions { K = k, Exact = true };
        return kind == CrashIndexKind.Float ? index.Search(CrashItems.Vector(id), options) : index.SearchCode(CrashItems.Code(id), options);
    }

    /// <summary>
    /// Checks an exact search that asked for every row: its hits must be exactly the ids in
    /// <paramref name="live"/>, sorted by distance, each at its true distance from the query's item.
    /// Returns null when it is right, or what is wrong.
    /// </summary>
    public static string? CheckFullSearch(CrashIndexKind kind, string query, IReadOnlyList<Hit> hits, IReadOnlySet<string> live)
    {
        if (hits.Count != live.Count) return $"search for '{query}' returned {hits.Count} hits for {live.Count} live items";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < hits.Count; i++)
        {
            Hit h = hits[i];
            if (!live.Contains(h.Id)) return $"search for '{query}' returned '{h.Id}', which is not a live item";
            if (!seen.Add(h.Id)) return $"search for '{query}' returned '{h.Id}' twice";
            double truth = Distance(kind, query, h.Id);
            if (Math.Abs(truth - h.Distance) > 1e-3 * Math.Max(1, truth)) return $"search for '{query}' reported '{h.Id}' at {h.Distance:R}, true distance {truth:R}";
            if (i > 0 && hits[i - 1].Distance > h.Distance) return $"search for '{query}' is not sorted by distance at hit {i}";
        }
        return null;
    }
}

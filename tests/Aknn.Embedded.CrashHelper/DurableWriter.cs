namespace Aknn.Embedded.CrashHelper;

/// <summary>
/// The child writer of the crash workload (<c>durable</c> mode): writes to an index of either kind
/// under one of the three ways of making writes durable, and reports every call so that the
/// parent, which kills it with SIGKILL, knows which writes were acknowledged as durable.
/// </summary>
/// <remarks>
/// Lines on stdout (flushed as written): <c>READY count</c> once the index is open; then for each
/// call <c>DO op ids END</c> before it and <c>ACK op ids END [result]</c> after it returned, where
/// op is U (upsert), D (delete, result True or False), B (batch upsert of the comma-separated
/// ids), C (compaction) or M (Commit). Under <c>perwrite</c> every acknowledged call is durable;
/// under <c>batched</c> and <c>commit</c> a call is known to be durable once an M after it is
/// acknowledged (a background flush may make it durable earlier, but the writer cannot tell).
/// Compactions are frequent and the seal threshold small, so kills land inside both.
/// </remarks>
internal static class DurableWriter
{
    /// <summary>The durability modes by their command-line names.</summary>
    public static Durability Parse(string mode) => mode switch
    {
        "perwrite" => Durability.PerWrite,
        "batched" => Durability.Batched(TimeSpan.FromMilliseconds(5)),
        "commit" => Durability.Manual,
        _ => throw new ArgumentException($"Unknown durability mode '{mode}'; use perwrite, batched or commit."),
    };

    public static int Run(StreamWriter o, string folder, int seed, string kindName, string mode, long sealThreshold)
    {
        var kind = Enum.Parse<CrashIndexKind>(kindName, ignoreCase: true);
        Durability durability = Parse(mode);
        var rng = new Random(seed);
        IReadOnlyList<string> ids = CrashItems.WideUniverse;
        string Pick() => rng.Next(20) == 0 ? ids[CrashItems.UniverseSize + rng.Next(ids.Count - CrashItems.UniverseSize)] : ids[rng.Next(CrashItems.UniverseSize)];

        using VectorIndex index = VectorIndex.Exists(folder)
            ? VectorIndex.Open(folder, new OpenOptions { Durability = durability, SealThresholdBytes = sealThreshold })
            : VectorIndex.Create(folder, CrashIndexes.Create(kind, durability, sealThreshold));
        o.WriteLine($"READY {index.Count}");
        while (true)
        {
            double r = rng.NextDouble();
            if (r < 0.55)
            {
                string id = Pick();
                o.WriteLine($"DO U {id} END");
                CrashIndexes.Upsert(index, kind, id);
                o.WriteLine($"ACK U {id} END");
            }
            else if (r < 0.75)
            {
                string id = Pick();
                o.WriteLine($"DO D {id} END");
                bool deleted = index.Delete(id);
                o.WriteLine($"ACK D {id} END {deleted}");
            }
            else if (r < 0.90)
            {
                string[] batch = Enumerable.Range(0, rng.Next(2, 9)).Select(_ => Pick()).Distinct().ToArray();
                string list = string.Join(',', batch);
                o.WriteLine($"DO B {list} END");
                CrashIndexes.UpsertBatch(index, kind, batch);
                o.WriteLine($"ACK B {list} END");
            }
            else if (r < 0.98)
            {
                o.WriteLine("DO M - END");
                index.Commit();
                o.WriteLine("ACK M - END");
            }
            else
            {
                o.WriteLine("DO C - END");
                index.Compact();
                o.WriteLine("ACK C - END");
            }
        }
    }
}

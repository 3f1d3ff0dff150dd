// A child process for the reliability tests: it writes to an index (or holds its writer lock)
// and reports every call that returned on stdout, so that a test can kill it with SIGKILL at an
// arbitrary moment and then check the index against what was acknowledged.
//
// Usage:
//   write <folder> <seed> <sealThresholdBytes|0> <mixed|append> [start]
//       Opens the index (creating it when missing) with Durability.PerWrite and writes forever.
//       Before each call it prints "DO <op> <ids> END", after the call returns "ACK <op> <ids> END".
//       mixed:  random upserts, deletes, small batches and an occasional compaction over a fixed
//               universe of ids (CrashItems.Universe), driven by <seed>.
//       append: upserts of the ids CrashItems.AppendId(start), (start + 1), ... in order.
//   durable <folder> <seed> <float|binary> <perwrite|batched|commit> <sealThresholdBytes>
//       The crash workload's writer: both index kinds, every durability mode, frequent seals,
//       commits and compactions (see DurableWriter for its lines).
//   hold <folder>
//       Opens (or creates) the index for writing, prints "READY", and keeps it open until stdin
//       closes or a line arrives; then disposes it and prints "CLOSED".
//   try-open <folder> [readonly]
//       Tries to open the index once. Prints "OPENED <count>" (exit 0), "LOCKED <message>" for
//       IndexLockedException (exit 3) or "ERROR <type> <message>" (exit 4).
// The vector and payload of every item are a pure function of its id (CrashItems), so a reader
// can tell a whole item from a half-written one without knowing the write history.

using System.Text;
using Aknn.Embedded;
using Aknn.Embedded.CrashHelper;

var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
try
{
    return args.Length > 0 ? args[0] switch
    {
        "write" when args.Length >= 5 => Modes.Write(stdout, args[1], int.Parse(args[2]), long.Parse(args[3]), args[4],
            args.Length > 5 ? int.Parse(args[5]) : 0),
        "durable" when args.Length == 6 => DurableWriter.Run(stdout, args[1], int.Parse(args[2]), args[3], args[4], long.Parse(args[5])),
        "hold" when args.Length == 2 => Modes.Hold(stdout, args[1]),
        "try-open" when args.Length >= 2 => Modes.TryOpen(stdout, args[1], args.Length > 2 && args[2] == "readonly"),
        _ => Usage(),
    } : Usage();
}
catch (Exception e)
{
    stdout.WriteLine($"ERROR {e.GetType().Name} {e.Message.ReplaceLineEndings(" ")}");
    Console.Error.WriteLine(e);
    return 4;
}

static int Usage()
{
    Console.Error.WriteLine("usage: write <folder> <seed> <sealThresholdBytes|0> <mixed|append> [start] | durable <folder> <seed> <float|binary> <perwrite|batched|commit> <sealThresholdBytes> | hold <folder> | try-open <folder> [readonly]");
    return 2;
}

namespace Aknn.Embedded.CrashHelper
{
    /// <summary>The items the crash helper writes: vector and payload as a pure function of the id.</summary>
    public static class CrashItems
    {
        /// <summary>Vector length of the crash-test index.</summary>
        public const int Dimensions = 16;

        /// <summary>Number of distinct ids the mixed workload draws from.</summary>
        public const int UniverseSize = 300;

        /// <summary>Id number <paramref name="n"/> of the mixed workload's universe; some ids hold non-ASCII characters.</summary>
        public static string UniverseId(int n) => n % 7 == 0 ? $"ключ-{n:D3}" : $"item-{n:D3}";

        /// <summary>All ids the mixed workload may touch.</summary>
        public static IReadOnlyList<string> Universe { get; } = Enumerable.Range(0, UniverseSize).Select(UniverseId).ToArray();

        /// <summary>The <paramref name="n"/>-th id of the append workload.</summary>
        public static string AppendId(int n) => $"seq-{n:D7}";

        /// <summary>The vector stored under <paramref name="id"/>: 16 components in [−100, 100], never all zero.</summary>
        public static float[] Vector(string id)
        {
            ulong h = Hash(id);
            var v = new float[Dimensions];
            for (int i = 0; i < v.Length; i++)
            {
                h = Next(h);
                v[i] = ((long)(h % 20001) - 10000) / 100f;
            }
            v[0] += 0.5f; // never the zero vector
            return v;
        }

        /// <summary>Bits of the binary codes the reliability workloads store (<see cref="Code"/>).</summary>
        public const int CodeBits = 128;

        /// <summary>The binary code stored under <paramref name="id"/> in a binary-code index: <see cref="CodeBits"/> bits.</summary>
        public static ulong[] Code(string id)
        {
            ulong h = Next(Hash(id) ^ 0xC0DEUL);
            var c = new ulong[CodeBits / 64];
            for (int i = 0; i < c.Length; i++)
            {
                h = Next(h);
                c[i] = h;
            }
            return c;
        }

        /// <summary>Ids whose payload is <see cref="ZeroPayloadBytes"/> zero bytes (see <see cref="Payload"/>).</summary>
        public const string ZeroPrefix = "zero-";

        /// <summary>Length of the all-zero payload of the <see cref="ZeroPrefix"/> ids.</summary>
        public const int ZeroPayloadBytes = 1100;

        /// <summary>
        /// The reliability workloads' ids: <see cref="Universe"/> and ten <see cref="ZeroPrefix"/> ids,
        /// whose log records are mostly zero bytes (the kind of record a torn-write rule could take for
        /// a never-written sector).
        /// </summary>
        public static IReadOnlyList<string> WideUniverse { get; } = [.. Universe, .. Enumerable.Range(0, 10).Select(i => $"{ZeroPrefix}{i}")];

        /// <summary>
        /// The payload stored under <paramref name="id"/>: 0 to 299 bytes (a tenth of the ids have none),
        /// or <see cref="ZeroPayloadBytes"/> zero bytes for the ids that start with <see cref="ZeroPrefix"/>.
        /// </summary>
        public static byte[] Payload(string id)
        {
            if (id.StartsWith(ZeroPrefix, StringComparison.Ordinal)) return new byte[ZeroPayloadBytes];
            ulong h = Next(Hash(id) ^ 0x5DEECE66DUL);
            int length = h % 10 == 0 ? 0 : (int)((h >> 8) % 300);
            var p = new byte[length];
            for (int i = 0; i < p.Length; i++)
            {
                h = Next(h);
                p[i] = (byte)h;
            }
            return p;
        }

        private static ulong Hash(string id)
        {
            ulong h = 14695981039346656037UL; // FNV-1a over the UTF-8 bytes
            foreach (byte b in Encoding.UTF8.GetBytes(id))
            {
                h ^= b;
                h *= 1099511628211UL;
            }
            return h;
        }

        private static ulong Next(ulong x)
        {
            // splitmix64 step
            x += 0x9E3779B97F4A7C15UL;
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            return x ^ (x >> 31);
        }
    }

    internal static class Modes
    {
        private static VectorIndex OpenWriter(string folder, long sealThreshold) =>
            VectorIndex.Exists(folder)
                ? VectorIndex.Open(folder, new OpenOptions
                {
                    Durability = Durability.PerWrite,
                    SealThresholdBytes = sealThreshold > 0 ? sealThreshold : null,
                })
                : VectorIndex.Create(folder, new IndexOptions
                {
                    Dimensions = CrashItems.Dimensions,
                    Metric = Metric.Euclidean,
                    Durability = Durability.PerWrite,
                    SealThresholdBytes = sealThreshold > 0 ? sealThreshold : 64L << 20,
                });

        public static int Write(StreamWriter o, string folder, int seed, long sealThreshold, string mode, int start)
        {
            var rng = new Random(seed);
            using VectorIndex index = OpenWriter(folder, sealThreshold);
            o.WriteLine($"READY {index.Count}");
            if (mode != "mixed" && mode != "append") throw new ArgumentException($"Unknown write mode '{mode}'.");
            for (int n = start; ; n++)
            {
                if (mode == "append")
                {
                    string id = CrashItems.AppendId(n);
                    o.WriteLine($"DO U {id} END");
                    index.Upsert(id, CrashItems.Vector(id), CrashItems.Payload(id));
                    o.WriteLine($"ACK U {id} END");
                    continue;
                }
                double r = rng.NextDouble();
                if (r < 0.62)
                {
                    string id = CrashItems.Universe[rng.Next(CrashItems.UniverseSize)];
                    o.WriteLine($"DO U {id} END");
                    index.Upsert(id, CrashItems.Vector(id), CrashItems.Payload(id));
                    o.WriteLine($"ACK U {id} END");
                }
                else if (r < 0.85)
                {
                    string id = CrashItems.Universe[rng.Next(CrashItems.UniverseSize)];
                    o.WriteLine($"DO D {id} END");
                    bool deleted = index.Delete(id);
                    o.WriteLine($"ACK D {id} END {deleted}");
                }
                else if (r < 0.995)
                {
                    string[] ids = Enumerable.Range(0, rng.Next(2, 7))
                        .Select(_ => CrashItems.Universe[rng.Next(CrashItems.UniverseSize)]).Distinct().ToArray();
                    var rows = new float[ids.Length, CrashItems.Dimensions];
                    for (int i = 0; i < ids.Length; i++)
                    {
                        float[] v = CrashItems.Vector(ids[i]);
                        for (int j = 0; j < v.Length; j++) rows[i, j] = v[j];
                    }
                    string list = string.Join(',', ids);
                    o.WriteLine($"DO B {list} END");
                    index.UpsertBatch(ids, rows, ids.Select(id => (byte[]?)CrashItems.Payload(id)).ToArray());
                    o.WriteLine($"ACK B {list} END");
                }
                else
                {
                    o.WriteLine("DO C - END");
                    index.Compact();
                    o.WriteLine("ACK C - END");
                }
            }
        }

        public static int Hold(StreamWriter o, string folder)
        {
            using (VectorIndex index = OpenWriter(folder, 0))
            {
                o.WriteLine("READY");
                Console.In.ReadLine();
            }
            o.WriteLine("CLOSED");
            return 0;
        }

        public static int TryOpen(StreamWriter o, string folder, bool readOnly)
        {
            try
            {
                using VectorIndex index = VectorIndex.Open(folder, new OpenOptions { ReadOnly = readOnly });
                o.WriteLine($"OPENED {index.Count}");
                return 0;
            }
            catch (IndexLockedException e)
            {
                o.WriteLine($"LOCKED {e.Message.ReplaceLineEndings(" ")}");
                return 3;
            }
        }
    }
}

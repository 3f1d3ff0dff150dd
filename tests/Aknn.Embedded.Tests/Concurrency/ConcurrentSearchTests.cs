using System.Buffers.Binary;
using System.Text;
using Aknn.Embedded.Tests.Support;
using Xunit.Abstractions;

namespace Aknn.Embedded.Tests.Concurrency;

/// <summary>
/// Readers never wait for the writer and always see a consistent snapshot: every search, get and
/// count a reader makes while a writer upserts, deletes, seals and compacts must equal brute force
/// over the state after some prefix of the writes — a prefix no shorter than the writes completed
/// before the read began and no longer than the writes started when it ended.
/// </summary>
public class ConcurrentSearchTests(ITestOutputHelper output)
{
    private const int Dims = 3;
    private const int PoolSize = 48;

    private static string Id(int key) => $"item-{key:D2}";

    /// <summary>
    /// A fixed, seeded sequence of writes and the state after each prefix of it. Vectors lie on
    /// an integer grid, so every distance is exact and results can be compared with brute force
    /// exactly, ties (ordered by id) included. Payloads encode the write number.
    /// </summary>
    private sealed class Plan
    {
        public Plan(int writes, int seed)
        {
            var rng = new Random(seed);
            Count = writes;
            Key = new int[writes];
            IsDelete = new bool[writes];
            Vectors = new float[writes][];
            Payloads = new byte[writes][];
            Live = new int[writes + 1][];
            LiveCount = new int[writes + 1];
            var state = new int[PoolSize];
            Array.Fill(state, -1);
            Live[0] = (int[])state.Clone();
            for (int i = 0; i < writes; i++)
            {
                Key[i] = rng.Next(PoolSize);
                IsDelete[i] = rng.Next(5) == 0;
                Vectors[i] = [rng.Next(-10, 11), rng.Next(-10, 11), rng.Next(-10, 11)];
                Payloads[i] = i % 5 == 0 ? [] : BitConverter.GetBytes(i);
                state[Key[i]] = IsDelete[i] ? -1 : i;
                Live[i + 1] = (int[])state.Clone();
                LiveCount[i + 1] = state.Count(v => v >= 0);
            }
        }

        public int Count { get; }
        public int[] Key { get; }
        public bool[] IsDelete { get; }
        public float[][] Vectors { get; }
        public byte[][] Payloads { get; }

        /// <summary>Live[k][key]: the write whose value <paramref name="key"/> holds after the first k writes, or −1.</summary>
        public int[][] Live { get; }

        public int[] LiveCount { get; }

        /// <summary>Brute force after k writes: (id, distance, payload) sorted by distance then UTF-8 id bytes.</summary>
        public List<(string Id, float Distance, byte[] Payload)> Nearest(int k, float[] query, string? exclude)
        {
            var all = new List<(string Id, float Distance, byte[] Payload)>();
            for (int key = 0; key < PoolSize; key++)
            {
                int w = Live[k][key];
                if (w < 0 || Id(key) == exclude) continue;
                double sq = 0;
                for (int d = 0; d < Dims; d++) sq += ((double)query[d] - Vectors[w][d]) * ((double)query[d] - Vectors[w][d]);
                all.Add((Id(key), (float)Math.Sqrt(sq), Payloads[w]));
            }
            all.Sort((a, b) =>
            {
                int c = a.Distance.CompareTo(b.Distance);
                return c != 0 ? c : Encoding.UTF8.GetBytes(a.Id).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b.Id));
            });
            return all;
        }
    }

    private static bool SameHits(IReadOnlyList<Hit> hits, List<(string Id, float Distance, byte[] Payload)> expected)
    {
        if (hits.Count != expected.Count) return false;
        for (int i = 0; i < hits.Count; i++)
        {
            if (hits[i].Id != expected[i].Id || hits[i].Distance != expected[i].Distance) return false;
            byte[]? want = expected[i].Payload.Length == 0 ? null : expected[i].Payload;
            if (want is null ? hits[i].Payload is not null : hits[i].Payload is null || !hits[i].Payload!.AsSpan().SequenceEqual(want)) return false;
        }
        return true;
    }

    private static string Describe(IEnumerable<Hit> hits) => string.Join(", ", hits.Select(h => $"{h.Id}:{h.Distance}"));

    [Fact]
    public void Readers_see_a_prefix_of_the_writes_while_a_writer_upserts_deletes_seals_and_compacts()
    {
        using var tmp = new TempFolder();
        var plan = new Plan(writes: 30000, seed: 20240611);
        using var index = VectorIndex.Create(tmp.Index(), new IndexOptions
        {
            Dimensions = Dims,
            Durability = Durability.Batched(TimeSpan.FromMilliseconds(5)),
            SealThresholdBytes = 4096,
        });

        long started = 0, completed = 0;
        var writerDone = new ManualResetEventSlim();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var deadline = DateTime.UtcNow.AddSeconds(8);
        int compactions = 0, reads = 0;

        var writer = new Thread(() =>
        {
            try
            {
                for (int i = 0; i < plan.Count && DateTime.UtcNow < deadline && errors.IsEmpty; i++)
                {
                    Volatile.Write(ref started, i + 1);
                    string id = Id(plan.Key[i]);
                    if (plan.IsDelete[i]) index.Delete(id);
                    else index.Upsert(id, plan.Vectors[i], plan.Payloads[i]);
                    Volatile.Write(ref completed, i + 1);
                }
            }
            catch (Exception e)
            {
                errors.Enqueue("writer: " + e);
            }
            finally
            {
                writerDone.Set();
            }
        });

        var compactor = new Thread(() =>
        {
            try
            {
                while (!writerDone.Wait(5))
                {
                    index.Compact();
                    Interlocked.Increment(ref compactions);
                }
            }
            catch (Exception e)
            {
                errors.Enqueue("compactor: " + e);
            }
        });

        Thread Reader(int seed) => new(() =>
        {
            var rng = new Random(seed);
            try
            {
                while (!writerDone.IsSet && errors.IsEmpty)
                {
                    long lo = Volatile.Read(ref completed);
                    int op = rng.Next(5);
                    float[] query = [rng.Next(-11, 12), rng.Next(-11, 12), rng.Next(-11, 12)];
                    int k = rng.Next(1, 16);
                    int key = rng.Next(PoolSize);
                    Func<int, bool> consistent;
                    string observed;
                    switch (op)
                    {
                        case 0:
                        {
                            var hits = index.Search(query, new SearchOptions { K = k, IncludePayload = true });
                            consistent = p => SameHits(hits, plan.Nearest(p, query, null).Take(k).ToList());
                            observed = $"Search K={k}: {Describe(hits)}";
                            break;
                        }
                        case 1:
                        {
                            float radius = rng.Next(0, 8);
                            var hits = index.SearchRadius(query, radius, new SearchOptions { IncludePayload = true });
                            consistent = p => SameHits(hits, plan.Nearest(p, query, null).Where(h => h.Distance <= radius).ToList());
                            observed = $"SearchRadius r={radius}: {Describe(hits)}";
                            break;
                        }
                        case 2:
                        {
                            IReadOnlyList<Hit>? hits = null;
                            try { hits = index.SearchById(Id(key), new SearchOptions { K = k, IncludePayload = true }); }
                            catch (KeyNotFoundException) { }
                            consistent = p =>
                            {
                                int w = plan.Live[p][key];
                                if (hits is null || w < 0) return hits is null && w < 0;
                                return SameHits(hits, plan.Nearest(p, plan.Vectors[w], Id(key)).Take(k).ToList());
                            };
                            observed = hits is null ? $"SearchById {Id(key)}: not found" : $"SearchById {Id(key)} K={k}: {Describe(hits)}";
                            break;
                        }
                        case 3:
                        {
                            bool found = index.TryGet(Id(key), out StoredItem? item);
                            consistent = p =>
                            {
                                int w = plan.Live[p][key];
                                if (!found || w < 0) return !found && w < 0;
                                return item!.Vector.AsSpan().SequenceEqual(plan.Vectors[w]) && item.Payload.AsSpan().SequenceEqual(plan.Payloads[w]);
                            };
                            observed = found ? $"TryGet {Id(key)}: [{string.Join(",", item!.Vector)}] payload {Convert.ToHexString(item.Payload)}" : $"TryGet {Id(key)}: not found";
                            break;
                        }
                        default:
                        {
                            long count = index.Count;
                            consistent = p => plan.LiveCount[p] == count;
                            observed = $"Count {count}";
                            break;
                        }
                    }
                    Interlocked.MemoryBarrier();
                    long hi = Volatile.Read(ref started);
                    bool ok = false;
                    for (long p = lo; p <= hi && !ok; p++) ok = consistent((int)p);
                    if (!ok) errors.Enqueue($"reader {seed}: no prefix of {lo}..{hi} writes explains [{observed}]");
                    Interlocked.Increment(ref reads);
                }
            }
            catch (Exception e)
            {
                errors.Enqueue($"reader {seed}: {e}");
            }
        });

        var readers = Enumerable.Range(1, 3).Select(Reader).ToList();
        writer.Start();
        compactor.Start();
        readers.ForEach(r => r.Start());
        Assert.True(writer.Join(TimeSpan.FromSeconds(60)), "the writer did not finish");
        Assert.True(compactor.Join(TimeSpan.FromSeconds(60)), "the compactor did not finish");
        foreach (var r in readers) Assert.True(r.Join(TimeSpan.FromSeconds(60)), "a reader did not finish");

        var stats = index.GetStatistics();
        output.WriteLine($"{completed} writes, {reads} reads, {compactions} compactions, final state {stats}");
        Assert.True(errors.IsEmpty, string.Join(Environment.NewLine, errors.Take(5)));
        Assert.True(compactions > 0, "no compaction ran while the writer wrote");
        Assert.True(reads > 100, $"only {reads} reads ran while the writer wrote");

        // The final state equals the model after every completed write, before and after a reopen.
        int n = (int)completed;
        Assert.Equal(plan.LiveCount[n], index.Count);
        for (int key = 0; key < PoolSize; key++)
        {
            int w = plan.Live[n][key];
            Assert.Equal(w >= 0, index.TryGet(Id(key), out var item));
            if (w >= 0) Assert.Equal(plan.Vectors[w], item!.Vector);
        }
        float[] q = [1, 2, 3];
        Assert.True(SameHits(index.Search(q, new SearchOptions { K = PoolSize, IncludePayload = true }), plan.Nearest(n, q, null)));
    }

    [Fact]
    public void A_search_running_across_a_compaction_keeps_its_snapshot_and_segments()
    {
        using var tmp = new TempFolder();
        var rng = new Random(7);
        using var index = VectorIndex.Create(tmp.Index(), new IndexOptions
        {
            Dimensions = 2,
            Metric = Metric.Manhattan,
            Durability = Durability.Manual,
            SealThresholdBytes = 4096,
        });
        var model = new Dictionary<string, float[]>();
        for (int i = 0; i < 400; i++)
        {
            string id = $"v{rng.Next(300):D3}";
            float[] v = [rng.Next(-50, 51), rng.Next(-50, 51)];
            index.Upsert(id, v, Encoding.UTF8.GetBytes(id));
            model[id] = v;
            if (i % 7 == 0 && model.Count > 0)
            {
                string victim = model.Keys.ElementAt(rng.Next(model.Count));
                Assert.True(index.Delete(victim));
                model.Remove(victim);
            }
        }
        var before = index.GetStatistics();
        Assert.True(before.SegmentCount >= 3, $"{before.SegmentCount} segments");
        Assert.True(before.DeletedRows > 0);
        string[] oldSegments = Directory.GetFiles(tmp.Index(), "*.seg");

        float[] query = [3, -4];
        List<(string Id, float Distance)> Expected(Dictionary<string, float[]> m) => m
            .Select(kv => (kv.Key, Distance: Math.Abs(query[0] - kv.Value[0]) + Math.Abs(query[1] - kv.Value[1])))
            .OrderBy(x => x.Distance).ThenBy(x => x.Key, StringComparer.Ordinal).ToList();
        var expectedBefore = Expected(model);

        using var inFilter = new ManualResetEventSlim();
        using var resume = new ManualResetEventSlim();
        int calls = 0;
        IReadOnlyList<Hit>? hits = null;
        Exception? failure = null;
        var paused = new SearchOptions
        {
            K = 1000,
            IncludePayload = true,
            Filter = (id, payload) =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    inFilter.Set();
                    if (!resume.Wait(TimeSpan.FromSeconds(30))) throw new TimeoutException("the test never resumed the search");
                }
                return payload.SequenceEqual(Encoding.UTF8.GetBytes(id));
            },
        };
        var search = new Thread(() =>
        {
            try { hits = index.Search(query, paused); }
            catch (Exception e) { failure = e; }
        });
        search.Start();

        Assert.True(inFilter.Wait(TimeSpan.FromSeconds(30)), "the search never reached its filter");
        try
        {
            // While the search is paused inside its scan: compact, write, delete, and compact again.
            index.Compact();
            foreach (string id in model.Keys.Take(40).ToList())
            {
                index.Delete(id);
                model.Remove(id);
            }
            for (int i = 0; i < 60; i++)
            {
                string id = $"w{i:D3}";
                float[] v = [i, -i];
                index.Upsert(id, v, Encoding.UTF8.GetBytes(id));
                model[id] = v;
            }
            index.Compact();
            var after = index.GetStatistics();
            Assert.Equal(1, after.SegmentCount);
            Assert.Equal(0, after.DeletedRows);

            // The paused search still holds the old segments: their files stay until it lets go.
            Assert.All(oldSegments, f => Assert.True(File.Exists(f), $"{Path.GetFileName(f)} was deleted while a search still used it"));
        }
        finally
        {
            resume.Set();
        }

        Assert.True(search.Join(TimeSpan.FromSeconds(30)), "the search did not finish");
        Assert.Null(failure);
        Assert.NotNull(hits);
        Assert.Equal(expectedBefore.Select(e => e.Id), hits.Select(h => h.Id));
        Assert.Equal(expectedBefore.Select(e => e.Distance), hits.Select(h => h.Distance));
        Assert.All(hits, h => Assert.Equal(Encoding.UTF8.GetBytes(h.Id), h.Payload));

        // Once the search let go, the compacted-away files are gone, and new searches see the new state.
        Assert.All(oldSegments, f => Assert.False(File.Exists(f), $"{Path.GetFileName(f)} outlived the last search that used it"));
        var now = index.Search(query, new SearchOptions { K = 1000 });
        var expectedNow = Expected(model);
        Assert.Equal(expectedNow.Select(e => e.Id), now.Select(h => h.Id));
        Assert.Equal(expectedNow.Select(e => e.Distance), now.Select(h => h.Distance));
    }

    [Fact]
    public void Disposing_the_index_while_searches_run_never_serves_freed_memory()
    {
        // Searches racing a dispose either finish with a complete result or fail with
        // ObjectDisposedException; they never crash or return partial results.
        using var tmp = new TempFolder();
        var rng = new Random(3);
        var index = VectorIndex.Create(tmp.Index(), new IndexOptions { Dimensions = 8, Durability = Durability.Manual, SealThresholdBytes = 4096 });
        for (int i = 0; i < 600; i++) index.Upsert($"r{i:D4}", Data.Vector(rng, 8));
        index.Compact();
        int total = (int)index.Count;
        using var go = new ManualResetEventSlim();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var readers = Enumerable.Range(0, 3).Select(s => new Thread(() =>
        {
            var r = new Random(s);
            go.Wait();
            try
            {
                while (true)
                {
                    var hits = index.Search(Data.Vector(r, 8), new SearchOptions { K = 1000 });
                    if (hits.Count != total) errors.Enqueue($"a search returned {hits.Count} of {total} rows");
                }
            }
            catch (ObjectDisposedException)
            {
            }
            catch (Exception e)
            {
                errors.Enqueue(e.ToString());
            }
        })).ToList();
        readers.ForEach(t => t.Start());
        go.Set();
        Thread.Sleep(200);
        index.Dispose();
        foreach (var t in readers) Assert.True(t.Join(TimeSpan.FromSeconds(30)));
        Assert.True(errors.IsEmpty, string.Join(Environment.NewLine, errors.Take(3)));
    }
}

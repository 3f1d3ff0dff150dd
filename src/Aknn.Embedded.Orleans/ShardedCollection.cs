using System.Runtime.ExceptionServices;
using Aknn.Embedded.Orleans.Client;
using Aknn.Embedded.Orleans.Contracts;
using Aknn.Embedded.Orleans.Routing;
using CommunityToolkit.HighPerformance;

namespace Aknn.Embedded.Orleans;

/// <summary>
/// A vector collection split into a fixed number of shards, each a <see cref="VectorIndex"/> hosted by
/// a grain on the silo that holds its files. An id belongs to shard XxHash3(UTF-8 id) mod
/// <see cref="ShardCount"/>; writes go to that shard, searches go to every shard in parallel and
/// their best K are merged exactly (same ids, distances and order as one index holding every row).
/// </summary>
/// <remarks>
/// Inputs are validated here, before anything is sent, with the core's exception types. A shard that
/// cannot be reached makes a write throw <see cref="ShardUnavailableException"/> (naming the shard and
/// its silo) and a search return partial results naming the missing shards (or throw, by
/// <see cref="DistributedSearchOptions.AllowPartialResults"/>). Instances are thread-safe.
/// </remarks>
public sealed class ShardedCollection
{
    private readonly IGrainFactory _grains;
    private readonly CollectionSpec _spec;
    private readonly IShardGrain[] _shards;
    private readonly IShardMapGrain _map;
    private string[] _owners;
    private long _writeCalls;

    private ShardedCollection(IGrainFactory grains, ShardMapState map)
    {
        _grains = grains;
        _spec = map.Spec!;
        _owners = map.Owners;
        _map = grains.GetGrain<IShardMapGrain>(_spec.Name);
        _shards = Enumerable.Range(0, _spec.ShardCount).Select(i => grains.GetGrain<IShardGrain>(ShardRouter.ShardKey(_spec.Name, i))).ToArray();
    }

    /// <summary>Creates a collection (or opens it, when one with the same options exists) and assigns its shards round-robin to the active silos.</summary>
    /// <param name="grains">The cluster client (or a grain factory inside a silo).</param>
    /// <param name="name">1 to 64 ASCII letters, digits, '-' or '_'.</param>
    /// <param name="options">Shard count, dimensions, metric and model.</param>
    /// <returns>The collection.</returns>
    /// <exception cref="ArgumentException">The name is not allowed, or an option is out of range.</exception>
    /// <exception cref="InvalidOperationException">A collection of that name exists with other options, or no silo is active.</exception>
    public static async Task<ShardedCollection> CreateAsync(IGrainFactory grains, string name, ShardedCollectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(options);
        InputGuard.CollectionName(name);
        options.Validate();
        var spec = new CollectionSpec(name, options.ShardCount, options.Dimensions, options.Metric, options.Model,
            options.LshTables, options.LshBitsPerTable, options.LshProbes, options.Seed);
        ShardMapState map = await grains.GetGrain<IShardMapGrain>(name).Create(spec);
        return new ShardedCollection(grains, map);
    }

    /// <summary>Opens an existing collection.</summary>
    /// <param name="grains">The cluster client (or a grain factory inside a silo).</param>
    /// <param name="name">The collection's name.</param>
    /// <returns>The collection.</returns>
    /// <exception cref="KeyNotFoundException">There is no collection of that name.</exception>
    public static async Task<ShardedCollection> OpenAsync(IGrainFactory grains, string name)
    {
        ArgumentNullException.ThrowIfNull(grains);
        InputGuard.CollectionName(name);
        ShardMapState map = await grains.GetGrain<IShardMapGrain>(name).Get()
            ?? throw new KeyNotFoundException($"There is no collection '{name}' in this cluster; create it with ShardedCollection.CreateAsync.");
        return new ShardedCollection(grains, map);
    }

    /// <summary>The collection's name.</summary>
    public string Name => _spec.Name;

    /// <summary>Number of shards, fixed at creation.</summary>
    public int ShardCount => _spec.ShardCount;

    /// <summary>Vector components, or code length in bits for Hamming collections.</summary>
    public int Dimensions => _spec.Dimensions;

    /// <summary>The distance metric.</summary>
    public Metric Metric => _spec.Metric;

    /// <summary>How long a write waits for its shard before throwing <see cref="ShardUnavailableException"/>. Default 30 seconds.</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The grain calls made by writes so far (a batch makes one per shard it touches).</summary>
    internal long WriteCalls => Interlocked.Read(ref _writeCalls);

    /// <summary>The shard that stores <paramref name="id"/>.</summary>
    /// <param name="id">An item id.</param>
    /// <returns>0 to <see cref="ShardCount"/> − 1.</returns>
    public int ShardOf(string id)
    {
        InputGuard.Id(id, nameof(id));
        return ShardRouter.ShardOf(id, ShardCount);
    }

    /// <summary>The name of the silo that holds each shard, as the shard map says now.</summary>
    /// <returns>One silo name per shard.</returns>
    public async Task<IReadOnlyList<string>> GetShardOwnersAsync()
    {
        ShardMapState map = await _map.Get() ?? throw new KeyNotFoundException($"The collection '{Name}' no longer exists.");
        _owners = map.Owners;
        return map.Owners;
    }

    // ------------------------------------------------------------------ writes

    /// <summary>Inserts or replaces the float vector stored under <paramref name="id"/>, on its shard.</summary>
    /// <param name="id">1 to 512 UTF-8 bytes.</param>
    /// <param name="vector">Exactly <see cref="Dimensions"/> finite components.</param>
    /// <param name="payload">Optional bytes returned with the item.</param>
    /// <exception cref="DimensionMismatchException">The vector has the wrong length.</exception>
    /// <exception cref="InvalidVectorException">NaN, infinity, a zero vector under cosine, or a Hamming collection.</exception>
    /// <exception cref="InvalidIdException">The id is empty, too long or invalid Unicode.</exception>
    /// <exception cref="ShardUnavailableException">The shard's silo could not be reached.</exception>
    public async Task UpsertAsync(string id, ReadOnlyMemory<float> vector, byte[]? payload = null)
    {
        InputGuard.Id(id, nameof(id));
        InputGuard.Vector(vector.Span, Dimensions, Metric, nameof(vector));
        InputGuard.Payload(payload, nameof(payload));
        float[] copy = vector.ToArray();
        await Write(ShardRouter.ShardOf(id, ShardCount), g => g.Upsert(id, copy, null, payload));
    }

    /// <summary>Inserts or replaces the binary code stored under <paramref name="id"/> (Hamming collections).</summary>
    /// <param name="id">1 to 512 UTF-8 bytes.</param>
    /// <param name="code">Exactly <see cref="Dimensions"/>/64 words.</param>
    /// <param name="payload">Optional bytes returned with the item.</param>
    /// <exception cref="DimensionMismatchException">The code has the wrong number of words.</exception>
    /// <exception cref="InvalidVectorException">The collection stores float vectors.</exception>
    /// <exception cref="InvalidIdException">The id is empty, too long or invalid Unicode.</exception>
    /// <exception cref="ShardUnavailableException">The shard's silo could not be reached.</exception>
    public async Task UpsertCodeAsync(string id, ReadOnlyMemory<ulong> code, byte[]? payload = null)
    {
        InputGuard.Id(id, nameof(id));
        InputGuard.Code(code.Span, Dimensions, Metric, nameof(code));
        InputGuard.Payload(payload, nameof(payload));
        ulong[] copy = code.ToArray();
        await Write(ShardRouter.ShardOf(id, ShardCount), g => g.Upsert(id, null, copy, payload));
    }

    /// <summary>
    /// Inserts or replaces many float vectors: every row is validated first, then the rows are grouped
    /// by shard and each shard gets one call, all shards in parallel. Within a shard a later duplicate
    /// id wins.
    /// </summary>
    /// <param name="ids">One id per row.</param>
    /// <param name="vectors">Rows of <see cref="Dimensions"/> components.</param>
    /// <param name="payloads">Null, or one payload (or null) per row.</param>
    /// <exception cref="ShardUnavailableException">A shard could not be reached: its rows were not applied (the other shards' rows were).</exception>
    public Task UpsertBatchAsync(IReadOnlyList<string> ids, ReadOnlyMemory2D<float> vectors, IReadOnlyList<byte[]?>? payloads = null)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (vectors.Height != ids.Count)
            throw new ArgumentException($"There are {ids.Count} ids but {vectors.Height} vector rows; pass one id per row.", nameof(ids));
        ReadOnlySpan2D<float> rows = vectors.Span;
        for (int i = 0; i < ids.Count; i++) InputGuard.Vector(rows.GetRowSpan(i), Dimensions, Metric, nameof(vectors), i);
        int width = Dimensions;
        return WriteBatch(ids, payloads, (group, slice) =>
        {
            var data = new float[group.Length * width];
            ReadOnlySpan2D<float> all = vectors.Span;
            for (int j = 0; j < group.Length; j++) all.GetRowSpan(group[j]).CopyTo(data.AsSpan(j * width, width));
            return g => g.UpsertBatch(slice.Ids, data, null, slice.Payloads);
        });
    }

    /// <summary>Inserts or replaces many binary codes (Hamming collections), grouped by shard as <see cref="UpsertBatchAsync"/> does.</summary>
    /// <param name="ids">One id per row.</param>
    /// <param name="codes">Rows of <see cref="Dimensions"/>/64 words.</param>
    /// <param name="payloads">Null, or one payload (or null) per row.</param>
    /// <exception cref="ShardUnavailableException">A shard could not be reached: its rows were not applied (the other shards' rows were).</exception>
    public Task UpsertCodeBatchAsync(IReadOnlyList<string> ids, ReadOnlyMemory2D<ulong> codes, IReadOnlyList<byte[]?>? payloads = null)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (codes.Height != ids.Count)
            throw new ArgumentException($"There are {ids.Count} ids but {codes.Height} code rows; pass one id per row.", nameof(ids));
        ReadOnlySpan2D<ulong> rows = codes.Span;
        for (int i = 0; i < ids.Count; i++) InputGuard.Code(rows.GetRowSpan(i), Dimensions, Metric, nameof(codes));
        int width = Dimensions / 64;
        return WriteBatch(ids, payloads, (group, slice) =>
        {
            var data = new ulong[group.Length * width];
            ReadOnlySpan2D<ulong> all = codes.Span;
            for (int j = 0; j < group.Length; j++) all.GetRowSpan(group[j]).CopyTo(data.AsSpan(j * width, width));
            return g => g.UpsertBatch(slice.Ids, null, data, slice.Payloads);
        });
    }

    /// <summary>The rows of a batch that go to one shard.</summary>
    private sealed record Slice(string[] Ids, byte[]?[]? Payloads);

    private async Task WriteBatch(IReadOnlyList<string> ids, IReadOnlyList<byte[]?>? payloads,
        Func<int[], Slice, Func<IShardGrain, Task<WriteStatus>>> call)
    {
        if (payloads is not null && payloads.Count != ids.Count)
            throw new ArgumentException($"There are {ids.Count} ids but {payloads.Count} payloads; pass one payload (or null) per row, or no list.", nameof(payloads));
        for (int i = 0; i < ids.Count; i++)
        {
            InputGuard.Id(ids[i], nameof(ids), i);
            InputGuard.Payload(payloads?[i], nameof(payloads));
        }
        int[][] groups = GroupByShard(ids, ShardCount);
        var tasks = new List<Task>();
        for (int shard = 0; shard < groups.Length; shard++)
        {
            int[] group = groups[shard];
            if (group.Length == 0) continue;
            var slice = new Slice(group.Select(r => ids[r]).ToArray(), payloads is null ? null : group.Select(r => payloads[r]).ToArray());
            tasks.Add(Write(shard, call(group, slice)));
        }
        await Task.WhenAll(tasks);
    }

    /// <summary>Row numbers of a batch per shard, in batch order (so a later duplicate id still wins).</summary>
    internal static int[][] GroupByShard(IReadOnlyList<string> ids, int shardCount)
    {
        var lists = new List<int>[shardCount];
        for (int s = 0; s < shardCount; s++) lists[s] = [];
        for (int i = 0; i < ids.Count; i++) lists[ShardRouter.ShardOf(ids[i], shardCount)].Add(i);
        return lists.Select(l => l.ToArray()).ToArray();
    }

    /// <summary>Deletes the item stored under <paramref name="id"/>.</summary>
    /// <param name="id">The item's id.</param>
    /// <returns>Whether an item was deleted.</returns>
    /// <exception cref="InvalidIdException">The id is empty, too long or invalid Unicode.</exception>
    /// <exception cref="ShardUnavailableException">The shard's silo could not be reached.</exception>
    public async Task<bool> DeleteAsync(string id)
    {
        InputGuard.Id(id, nameof(id));
        return await Write(ShardRouter.ShardOf(id, ShardCount), g => g.Delete(id)) == WriteStatus.Applied;
    }

    private async Task<WriteStatus> Write(int shard, Func<IShardGrain, Task<WriteStatus>> call)
    {
        // A write that waited on a shard while it moved comes back as Moved, unapplied; sent again,
        // it reaches the shard's new activation on the new silo.
        for (int attempt = 0; attempt < 5; attempt++)
        {
            WriteStatus status;
            try
            {
                Interlocked.Increment(ref _writeCalls);
                status = await Call(shard, call, WriteTimeout);
            }
            catch (Exception e) when (IsUnreachable(e))
            {
                string silo = await OwnerNameAsync(shard);
                throw new ShardUnavailableException(shard, silo, Unreachable(shard, silo, e) +
                    " The write was not applied there, unless it timed out after reaching the shard; writes are idempotent, so retry it once the silo is back.", e);
            }
            if (status != WriteStatus.Moved) return status;
        }
        throw new ShardUnavailableException(shard, await OwnerNameAsync(shard),
            $"Shard {shard} of collection '{Name}' kept moving while a write was sent to it; the write was not applied. Retry it.");
    }

    // ------------------------------------------------------------------ reads

    /// <summary>Reads the item stored under <paramref name="id"/> from its shard.</summary>
    /// <param name="id">The item's id.</param>
    /// <returns>The item with its vector or code and payload, or null when none is stored.</returns>
    /// <exception cref="ShardUnavailableException">The shard's silo could not be reached.</exception>
    public async Task<StoredItem?> GetAsync(string id)
    {
        InputGuard.Id(id, nameof(id));
        int shard = ShardRouter.ShardOf(id, ShardCount);
        WireItem? item = await Read(shard, g => g.Get(id), WriteTimeout);
        return item is null ? null : new StoredItem(id, item.Vector, item.Code, item.Payload);
    }

    /// <summary>Number of live items in every shard together.</summary>
    /// <returns>The count.</returns>
    /// <exception cref="ShardUnavailableException">A shard could not be reached (a count cannot be partial).</exception>
    public async Task<long> CountAsync()
    {
        var counts = await Task.WhenAll(Enumerable.Range(0, ShardCount).Select(s => Read(s, g => g.Count(), WriteTimeout)));
        return counts.Sum();
    }

    private async Task<T> Read<T>(int shard, Func<IShardGrain, Task<T>> call, TimeSpan timeout)
    {
        try
        {
            return await Call(shard, call, timeout);
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            string silo = await OwnerNameAsync(shard);
            throw new ShardUnavailableException(shard, silo, Unreachable(shard, silo, e), e);
        }
    }

    /// <summary>The <see cref="DistributedSearchOptions.K"/> stored vectors nearest to <paramref name="query"/>, from every shard, nearest first; ties by id.</summary>
    /// <param name="query">A vector of <see cref="Dimensions"/> finite components.</param>
    /// <param name="options">K, model and failure options; null for K = 10.</param>
    /// <returns>The merged hits, and the shards that did not answer.</returns>
    /// <exception cref="DimensionMismatchException">The query has the wrong length.</exception>
    /// <exception cref="InvalidVectorException">NaN, infinity, or a Hamming collection.</exception>
    /// <exception cref="ShardUnavailableException">A shard did not answer and partial results are not allowed.</exception>
    public Task<DistributedSearchResults> SearchAsync(ReadOnlyMemory<float> query, DistributedSearchOptions? options = null)
    {
        options ??= DistributedSearchOptions.Default;
        options.Validate();
        InputGuard.Vector(query.Span, Dimensions, Metric, nameof(query));
        float[] q = query.ToArray();
        ShardQuery sq = ToShardQuery(options, null);
        return FanOut(g => g.Search(q, null, sq), options.K, options);
    }

    /// <summary>The <see cref="DistributedSearchOptions.K"/> stored codes nearest to <paramref name="code"/> in Hamming distance, from every shard.</summary>
    /// <param name="code">A code of <see cref="Dimensions"/>/64 words.</param>
    /// <param name="options">K, model and failure options; null for K = 10.</param>
    /// <returns>The merged hits, and the shards that did not answer.</returns>
    /// <exception cref="DimensionMismatchException">The code has the wrong number of words.</exception>
    /// <exception cref="InvalidVectorException">The collection stores float vectors.</exception>
    /// <exception cref="ShardUnavailableException">A shard did not answer and partial results are not allowed.</exception>
    public Task<DistributedSearchResults> SearchCodeAsync(ReadOnlyMemory<ulong> code, DistributedSearchOptions? options = null)
    {
        options ??= DistributedSearchOptions.Default;
        options.Validate();
        InputGuard.Code(code.Span, Dimensions, Metric, nameof(code));
        ulong[] c = code.ToArray();
        ShardQuery sq = ToShardQuery(options, null);
        return FanOut(g => g.Search(null, c, sq), options.K, options);
    }

    /// <summary>
    /// The nearest neighbours of a stored item: its vector or code is read from its shard, then every
    /// shard is searched with it. The item itself is left out unless <see cref="DistributedSearchOptions.IncludeSelf"/> is set.
    /// </summary>
    /// <param name="id">The stored item's id.</param>
    /// <param name="options">K, model and failure options; null for K = 10.</param>
    /// <returns>The merged hits, and the shards that did not answer.</returns>
    /// <exception cref="KeyNotFoundException">No item is stored under <paramref name="id"/>.</exception>
    /// <exception cref="ShardUnavailableException">The item's own shard did not answer, or another one did and partial results are not allowed.</exception>
    public async Task<DistributedSearchResults> SearchByIdAsync(string id, DistributedSearchOptions? options = null)
    {
        options ??= DistributedSearchOptions.Default;
        options.Validate();
        InputGuard.Id(id, nameof(id));
        int shard = ShardRouter.ShardOf(id, ShardCount);
        WireItem item = await Read(shard, g => g.Get(id), options.ShardTimeout)
            ?? throw new KeyNotFoundException($"No item with id '{id}' is stored in collection '{Name}' (its shard is {shard}).");
        ShardQuery sq = ToShardQuery(options, options.IncludeSelf ? null : id);
        return Metric == Metric.Hamming
            ? await FanOut(g => g.Search(null, item.Code, sq), options.K, options)
            : await FanOut(g => g.Search(item.Vector, null, sq), options.K, options);
    }

    /// <summary>Every stored vector within <paramref name="radius"/> of <paramref name="query"/>, from every shard, nearest first. K is ignored.</summary>
    /// <param name="query">A vector of <see cref="Dimensions"/> finite components.</param>
    /// <param name="radius">The largest distance to include.</param>
    /// <param name="options">Payload and failure options; null for the defaults.</param>
    /// <returns>The merged hits, and the shards that did not answer.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="radius"/> is NaN, or negative under Euclidean or Manhattan distance.</exception>
    /// <exception cref="ShardUnavailableException">A shard did not answer and partial results are not allowed.</exception>
    public Task<DistributedSearchResults> SearchRadiusAsync(ReadOnlyMemory<float> query, float radius, DistributedSearchOptions? options = null)
    {
        options ??= DistributedSearchOptions.Default;
        options.Validate();
        InputGuard.Vector(query.Span, Dimensions, Metric, nameof(query));
        if (float.IsNaN(radius) || (radius < 0 && Metric is Metric.Euclidean or Metric.Manhattan))
            throw new ArgumentOutOfRangeException(nameof(radius), radius, $"The radius must be a number, and not negative under {Metric} distance, which is never negative.");
        float[] q = query.ToArray();
        ShardQuery sq = ToShardQuery(options, null);
        return FanOut(g => g.SearchRadius(q, null, radius, sq), int.MaxValue, options);
    }

    /// <summary>Every stored code within Hamming distance <paramref name="radius"/> of <paramref name="code"/>, from every shard, nearest first.</summary>
    /// <param name="code">A code of <see cref="Dimensions"/>/64 words.</param>
    /// <param name="radius">The largest number of differing bits to include (0 or more).</param>
    /// <param name="options">Payload and failure options; null for the defaults.</param>
    /// <returns>The merged hits, and the shards that did not answer.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="radius"/> is negative.</exception>
    /// <exception cref="ShardUnavailableException">A shard did not answer and partial results are not allowed.</exception>
    public Task<DistributedSearchResults> SearchCodeRadiusAsync(ReadOnlyMemory<ulong> code, int radius, DistributedSearchOptions? options = null)
    {
        options ??= DistributedSearchOptions.Default;
        options.Validate();
        InputGuard.Code(code.Span, Dimensions, Metric, nameof(code));
        ArgumentOutOfRangeException.ThrowIfNegative(radius);
        ulong[] c = code.ToArray();
        ShardQuery sq = ToShardQuery(options, null);
        return FanOut(g => g.SearchRadius(null, c, radius, sq), int.MaxValue, options);
    }

    private static ShardQuery ToShardQuery(DistributedSearchOptions o, string? excludeId) =>
        new(o.K, o.Candidates, o.Probes, o.Exact, o.IncludePayload, excludeId);

    private async Task<DistributedSearchResults> FanOut(Func<IShardGrain, Task<List<WireHit>>> call, int k, DistributedSearchOptions options)
    {
        var tasks = new Task<List<WireHit>>[ShardCount];
        for (int s = 0; s < ShardCount; s++) tasks[s] = Call(s, call, options.ShardTimeout);
        try
        {
            await Task.WhenAll(tasks);
        }
        catch
        {
            // Each shard's outcome is looked at below.
        }
        var answered = new List<List<WireHit>>(ShardCount);
        var missing = new List<MissingShard>();
        for (int s = 0; s < ShardCount; s++)
        {
            if (tasks[s].IsCompletedSuccessfully)
            {
                answered.Add(tasks[s].Result);
                continue;
            }
            Exception e = tasks[s].Exception?.InnerException ?? new TaskCanceledException();
            if (!IsUnreachable(e)) ExceptionDispatchInfo.Throw(e);
            missing.Add(new MissingShard(s, await OwnerNameAsync(s), e.Message));
        }
        if (missing.Count > 0 && !options.AllowPartialResults)
        {
            MissingShard first = missing[0];
            throw new ShardUnavailableException(first.Shard, first.Silo,
                $"{missing.Count} of {ShardCount} shards of collection '{Name}' did not answer: " +
                string.Join("; ", missing.Select(m => $"shard {m.Shard} on silo '{m.Silo}' ({m.Reason})")) +
                ". Bring their silos back, or search with AllowPartialResults = true to get the other shards' hits.");
        }
        bool approximate = _spec.ModelKind == ShardModelKind.Lsh && !options.Exact;
        return new DistributedSearchResults(HitOrder.Merge(answered, k), missing, approximate);
    }

    // ------------------------------------------------------------------ shard moves

    /// <summary>
    /// Moves a shard to another silo (for example a new machine): writes to the shard pause, its
    /// files are copied silo to silo over grain calls while searches go on against them, the shard
    /// map is switched, and the paused writes go to the new silo. The old folder is kept, renamed
    /// <c>shard-NNNN.moved-…</c>, until an operator deletes it.
    /// </summary>
    /// <param name="shard">The shard number.</param>
    /// <param name="targetSilo">The name of an active silo.</param>
    /// <returns>The bytes copied (0 when the shard is already there).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shard"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="targetSilo"/> is not an active silo.</exception>
    public async Task<long> MoveShardAsync(int shard, string targetSilo)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, ShardCount);
        ArgumentException.ThrowIfNullOrEmpty(targetSilo);
        IReadOnlyList<string> owners = await GetShardOwnersAsync();
        if (owners[shard] == targetSilo) return 0;
        string[] active = await _map.ActiveSilos();
        if (!active.Contains(targetSilo, StringComparer.Ordinal))
            throw new ArgumentException($"'{targetSilo}' is not an active silo; active silos: {string.Join(", ", active)}.", nameof(targetSilo));
        IShardGrain source = _shards[shard];
        string[] files = await source.BeginMove();
        long bytes;
        try
        {
            bytes = await _grains.GetGrain<IShardTransferGrain>(ShardRouter.TransferKey(Name, shard, targetSilo)).Pull(files);
            await _map.SetOwner(shard, targetSilo);
        }
        catch
        {
            await source.AbortMove();
            throw;
        }
        await source.CompleteMove();
        await GetShardOwnersAsync();
        return bytes;
    }

    // ------------------------------------------------------------------ failures

    /// <summary>
    /// Calls a shard; when the call met an activation on a silo the map does not name (just after a
    /// move), sends it again after a short pause, within the timeout, so that it is placed by the map.
    /// </summary>
    private async Task<T> Call<T>(int shard, Func<IShardGrain, Task<T>> call, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await call(_shards[shard]).WaitAsync(timeout);
            }
            catch (Exception e) when (IsRelocated(e) && attempt < 20 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10 * (attempt + 1));
            }
        }
    }

    /// <summary>Says why a shard was not reached; the placement director's own message already names the shard, its silo and what to do.</summary>
    private string Unreachable(int shard, string silo, Exception e) => e is ShardUnavailableException
        ? e.Message
        : $"Shard {shard} of collection '{Name}' on silo '{silo}' could not be reached ({e.Message}).";

    private static bool IsRelocated(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is ShardRelocatedException) return true;
        return false;
    }

    /// <summary>Whether an exception means the shard could not be reached (rather than a bad request or a damaged index, which are rethrown as they are).</summary>
    private static bool IsUnreachable(Exception e) =>
        e is ShardUnavailableException or TimeoutException or OrleansException or TaskCanceledException;

    private async Task<string> OwnerNameAsync(int shard)
    {
        try
        {
            IReadOnlyList<string> owners = await GetShardOwnersAsync().WaitAsync(TimeSpan.FromSeconds(5));
            return owners[shard];
        }
        catch (Exception)
        {
            return _owners[shard];
        }
    }
}

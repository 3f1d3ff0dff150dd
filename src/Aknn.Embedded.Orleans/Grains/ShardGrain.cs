using Orleans.Concurrency;
using Aknn.Embedded.Orleans.Contracts;
using Aknn.Embedded.Orleans.Hosting;
using Aknn.Embedded.Orleans.Placement;
using Aknn.Embedded.Orleans.Routing;
using CommunityToolkit.HighPerformance;

namespace Aknn.Embedded.Orleans.Grains;

/// <summary>
/// One shard: a <see cref="VectorIndex"/> in this silo's data folder. Reentrant, because the index is
/// thread-safe (searches run on snapshots and never wait for writes), so concurrent searches of a
/// fan-out need not queue behind each other.
/// </summary>
[ShardPlacement, Reentrant]
internal sealed class ShardGrain(ShardHostOptions host, ILocalSiloDetails silo, IGrainFactory grains) : Grain, IShardGrain
{
    private VectorIndex? _index;
    private CollectionSpec _spec = null!;
    private string _collection = "";
    private int _shard;
    private string _folder = "";

    /// <summary>Set while the shard's files are copied to another silo: writes wait on it.</summary>
    private TaskCompletionSource<bool>? _moving;
    private bool _moved;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_collection, _shard, _) = ShardRouter.Parse(this.GetPrimaryKeyString());
        ShardMapState map = await grains.GetGrain<IShardMapGrain>(_collection).Get()
            ?? throw new InvalidOperationException($"There is no collection '{_collection}'.");
        _spec = map.Spec!;
        // Never open (and so create) a shard on a silo the map does not name: an empty index there
        // would answer searches with nothing and take writes that belong elsewhere.
        if (map.Owners[_shard] != silo.Name)
            throw new ShardRelocatedException($"Shard {_shard} of '{_collection}' belongs on silo '{map.Owners[_shard]}', not '{silo.Name}'; resend the call.");
        _folder = ShardRouter.ShardFolder(host.DataFolder, _collection, _shard);
        _index = OpenWriter();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _index?.Dispose();
        _index = null;
        return Task.CompletedTask;
    }

    private VectorIndex OpenWriter() => VectorIndex.OpenOrCreate(_folder, new IndexOptions
    {
        Dimensions = _spec.Dimensions,
        Metric = _spec.Metric,
        Model = _spec.ToIndexModel(),
        Durability = host.Durability,
    });

    private VectorIndex Index => _index ?? throw new InvalidOperationException($"Shard {_shard} of '{_collection}' is closed.");

    /// <summary>Holds a write while the shard moves; false when it moved away and the caller must resend.</summary>
    private async Task<bool> MayWrite()
    {
        if (_moving is { } moving) await moving.Task;
        return !_moved;
    }

    public async Task<WriteStatus> Upsert(string id, float[]? vector, ulong[]? code, byte[]? payload)
    {
        if (!await MayWrite()) return WriteStatus.Moved;
        if (code is not null) Index.UpsertCode(id, code, payload);
        else Index.Upsert(id, vector, payload);
        return WriteStatus.Applied;
    }

    public async Task<WriteStatus> UpsertBatch(string[] ids, float[]? vectors, ulong[]? codes, byte[]?[]? payloads)
    {
        if (!await MayWrite()) return WriteStatus.Moved;
        if (codes is not null)
            Index.UpsertCodeBatch(ids, new ReadOnlySpan2D<ulong>(codes, ids.Length, Index.Dimensions / 64), payloads);
        else
            Index.UpsertBatch(ids, new ReadOnlySpan2D<float>(vectors!, ids.Length, Index.Dimensions), payloads);
        return WriteStatus.Applied;
    }

    public async Task<WriteStatus> Delete(string id)
    {
        if (!await MayWrite()) return WriteStatus.Moved;
        return Index.Delete(id) ? WriteStatus.Applied : WriteStatus.NotFound;
    }

    public Task<WireItem?> Get(string id) => Task.FromResult(
        Index.TryGet(id, out StoredItem? item) ? new WireItem(item.Vector, item.Code, item.Payload) : null);

    public Task<long> Count() => Task.FromResult(Index.Count);

    public Task<List<WireHit>> Search(float[]? vector, ulong[]? code, ShardQuery query)
    {
        SearchOptions options = query.ToSearchOptions();
        SearchResults results = code is not null ? Index.SearchCode(code, options) : Index.Search(vector, options);
        return Task.FromResult(results.Select(h => new WireHit(h.Id, h.Distance, h.Payload)).ToList());
    }

    public Task<List<WireHit>> SearchRadius(float[]? vector, ulong[]? code, double radius, ShardQuery query)
    {
        SearchOptions options = query.ToSearchOptions();
        IReadOnlyList<Hit> hits = code is not null ? Index.SearchCodeRadius(code, (int)radius, options) : Index.SearchRadius(vector, (float)radius, options);
        return Task.FromResult(hits.Select(h => new WireHit(h.Id, h.Distance, h.Payload)).ToList());
    }

    public Task<string> SiloName() => Task.FromResult(silo.Name);

    public Task<string[]> BeginMove()
    {
        if (_moving is not null) throw new InvalidOperationException($"Shard {_shard} of '{_collection}' is already moving.");
        _moving = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Closing the writer makes every write durable and leaves the files still; searches go on
        // against a read-only view of the same files while they are copied.
        Index.Dispose();
        _index = VectorIndex.Open(_folder, new OpenOptions { ReadOnly = true });
        string[] files = Directory.GetFiles(_folder)
            .Select(Path.GetFileName)
            .Where(n => n is not null && n != "LOCK")
            .Select(n => n!)
            .ToArray();
        return Task.FromResult(files);
    }

    public async Task<FileChunk> ReadFile(string name, long offset, int length)
    {
        if (name.Contains('/') || name.Contains('\\') || name == "..")
            throw new ArgumentException($"'{name}' is not a file name of the shard folder.", nameof(name));
        await using var file = new FileStream(Path.Combine(_folder, name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        file.Position = offset;
        var buffer = new byte[Math.Min(length, Math.Max(0, file.Length - offset))];
        await file.ReadExactlyAsync(buffer);
        return new FileChunk(buffer, offset + buffer.Length >= file.Length);
    }

    public Task CompleteMove()
    {
        _moved = true;
        _moving?.TrySetResult(true);
        _index?.Dispose();
        _index = null;
        // The copy on the new silo is the shard now; the old folder is kept under another name
        // rather than deleted, so an operator can still recover it if the new disk fails early.
        string retired = _folder + ".moved-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        Directory.Move(_folder, retired);
        // Migrate rather than deactivate: a plain deactivation leaves callers' cached address
        // pointing here, and the next call would re-activate the shard on this silo (without asking
        // the placement director); a migration asks the director, which reads the new owner from
        // the map, and leaves a forwarding address for calls already on their way.
        this.MigrateOnIdle();
        return Task.CompletedTask;
    }

    public Task AbortMove()
    {
        _index?.Dispose();
        _index = OpenWriter();
        _moving?.TrySetResult(true);
        _moving = null;
        return Task.CompletedTask;
    }
}

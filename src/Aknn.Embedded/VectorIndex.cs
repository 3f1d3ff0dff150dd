using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using Aknn.Embedded.Search;
using Aknn.Embedded.Storage;
using CommunityToolkit.HighPerformance;

namespace Aknn.Embedded;

/// <summary>
/// An embedded vector index stored in a local folder: float vectors or binary codes with string
/// ids and optional payloads, searched exactly by distance.
/// </summary>
/// <remarks>
/// <para>Writes are visible to the next search as soon as the call returns, and durable according
/// to the <see cref="Durability"/> mode. Searches and reads are thread-safe and never wait for a
/// writer: each one sees a consistent snapshot. Writes from several threads are serialised.</para>
/// <para>One writer at a time may open a folder (in any process); further processes may open it
/// with <see cref="OpenOptions.ReadOnly"/>.</para>
/// </remarks>
public sealed partial class VectorIndex : IDisposable
{
    /// <summary>Longest id, in UTF-8 bytes.</summary>
    public const int MaxIdBytes = 512;

    /// <summary>
    /// Largest magnitude of a vector component (10^15). Beyond it squared distances and norms can
    /// overflow float32, so larger components are rejected rather than searched wrongly.
    /// </summary>
    public const float MaxComponentMagnitude = 1e15f;

    /// <summary>Largest payload, in bytes (16 MiB).</summary>
    public const int MaxPayloadBytes = 16 << 20;

    private readonly IndexEngine _engine;
    private readonly int _words;
    private readonly SearchPlanner _planner;

    private VectorIndex(IndexEngine engine, ComputeMode compute)
    {
        _engine = engine;
        _words = engine.Metric == Metric.Hamming ? engine.Dimensions / 64 : 0;
        _planner = new SearchPlanner(engine, CreateComputeSelector(compute));
    }

    /// <summary>Creates a new index in <paramref name="folder"/>, which must not exist or be empty.</summary>
    /// <param name="folder">The index folder.</param>
    /// <param name="options">Dimensions, metric, model and durability; all but durability are stored.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="IOException">The folder already holds an index or other files.</exception>
    /// <exception cref="IndexLockedException">Another writer holds the folder.</exception>
    public static VectorIndex Create(string folder, IndexOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(options);
        return new VectorIndex(IndexLoader.Create(folder, options), options.Compute);
    }

    /// <summary>Opens an existing index, replaying its log after a crash.</summary>
    /// <param name="folder">The index folder.</param>
    /// <param name="options">Read-only mode and durability; null for the defaults.</param>
    /// <exception cref="NotAnIndexException">The folder holds no index.</exception>
    /// <exception cref="UnsupportedFormatVersionException">A newer library version wrote the index.</exception>
    /// <exception cref="IndexCorruptedException">A file is damaged beyond a torn log tail.</exception>
    /// <exception cref="IndexLockedException">Another writer holds the folder.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="OpenOptions.SealThresholdBytes"/> is under 4096 bytes.</exception>
    public static VectorIndex Open(string folder, OpenOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        options ??= new OpenOptions();
        options.Validate();
        return new VectorIndex(IndexLoader.Open(folder, options), options.Compute);
    }

    /// <summary>Opens the index in <paramref name="folder"/> if there is one, otherwise creates it with <paramref name="options"/>.</summary>
    /// <param name="folder">The index folder.</param>
    /// <param name="options">Used when creating; when opening, the stored schema must match its metric and dimensions.</param>
    public static VectorIndex OpenOrCreate(string folder, IndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Exists(folder)) return Create(folder, options);
        var index = Open(folder, new OpenOptions { Durability = options.Durability, Compute = options.Compute });
        if (index.Metric != options.Metric || index.Dimensions != options.Dimensions)
        {
            index.Dispose();
            throw new InvalidOperationException($"The index at '{folder}' stores {index.Dimensions}-dimensional {index.Metric} data, not {options.Dimensions}-dimensional {options.Metric}. Use another folder or rebuild the index.");
        }
        return index;
    }

    /// <summary>Whether <paramref name="folder"/> holds an index (a MANIFEST file).</summary>
    /// <param name="folder">The folder to look at.</param>
    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, Manifest.FileName));

    /// <summary>The index folder.</summary>
    public string Folder => _engine.Folder;

    /// <summary>The distance metric.</summary>
    public Metric Metric => _engine.Metric;

    /// <summary>Vector components, or code length in bits for <see cref="Metric.Hamming"/>.</summary>
    public int Dimensions => _engine.Dimensions;

    /// <summary>The search model, as stored when the index was created.</summary>
    public IndexModel Model => _engine.Model;

    /// <summary>Whether the index was opened read-only.</summary>
    public bool IsReadOnly => _engine.ReadOnly;

    /// <summary>Number of live items.</summary>
    public long Count
    {
        get
        {
            using var lease = SnapshotLease.Acquire(_engine);
            return lease.Snapshot.LiveCount;
        }
    }

    // ------------------------------------------------------------------ writes

    /// <summary>Inserts or replaces the float vector stored under <paramref name="id"/>.</summary>
    /// <param name="id">1 to 512 UTF-8 bytes.</param>
    /// <param name="vector">Exactly <see cref="Dimensions"/> finite components (non-zero for cosine).</param>
    /// <param name="payload">Optional bytes returned with the item, up to 16 MiB.</param>
    /// <exception cref="DimensionMismatchException">The vector has the wrong length.</exception>
    /// <exception cref="InvalidVectorException">NaN, infinity, a zero vector under cosine, or a float vector for a Hamming index.</exception>
    /// <exception cref="InvalidIdException">The id is empty, too long or invalid Unicode.</exception>
    /// <exception cref="PayloadTooLargeException">The payload exceeds 16 MiB.</exception>
    /// <exception cref="StorageFullException">The disk refused the write; nothing was applied.</exception>
    public void Upsert(string id, ReadOnlySpan<float> vector, ReadOnlySpan<byte> payload = default)
    {
        byte[] idUtf8 = ValidateId(id, nameof(id));
        ValidateFloats(vector, nameof(vector));
        ValidatePayload(payload.Length, nameof(payload));
        _engine.Upsert(id, idUtf8, MemoryMarshal.AsBytes(vector), payload);
    }

    /// <summary>Inserts or replaces the binary code stored under <paramref name="id"/> (Hamming indexes).</summary>
    /// <param name="id">1 to 512 UTF-8 bytes.</param>
    /// <param name="code">Exactly <see cref="Dimensions"/>/64 words; bit i of the code is bit (i % 64) of word i / 64.</param>
    /// <param name="payload">Optional bytes returned with the item, up to 16 MiB.</param>
    /// <exception cref="DimensionMismatchException">The code has the wrong number of words.</exception>
    /// <exception cref="InvalidVectorException">The index stores float vectors.</exception>
    /// <exception cref="InvalidIdException">The id is empty, too long or invalid Unicode.</exception>
    /// <exception cref="PayloadTooLargeException">The payload exceeds 16 MiB.</exception>
    public void UpsertCode(string id, ReadOnlySpan<ulong> code, ReadOnlySpan<byte> payload = default)
    {
        byte[] idUtf8 = ValidateId(id, nameof(id));
        ValidateCode(code, nameof(code));
        ValidatePayload(payload.Length, nameof(payload));
        _engine.Upsert(id, idUtf8, MemoryMarshal.AsBytes(code), payload);
    }

    /// <summary>
    /// Inserts or replaces many float vectors: row i of <paramref name="vectors"/> under
    /// <paramref name="ids"/>[i]. Every input is validated before anything is written; the rows are
    /// then applied in order (a later duplicate id wins). After a crash the batch is recovered as a
    /// prefix of its rows, as far as durability reached.
    /// </summary>
    /// <param name="ids">One id per row.</param>
    /// <param name="vectors">Rows of <see cref="Dimensions"/> components.</param>
    /// <param name="payloads">Null, or one payload (or null) per row.</param>
    /// <param name="progress">Receives the number of rows written so far.</param>
    /// <param name="cancellationToken">Stops between groups of rows; the rows already written stay.</param>
    public void UpsertBatch(IReadOnlyList<string> ids, ReadOnlySpan2D<float> vectors, IReadOnlyList<byte[]?>? payloads = null,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
        => WriteBatch(BuildWrites(ids, payloads, CopyVectors(ids, vectors), Dimensions * sizeof(float)), progress, cancellationToken);

    /// <summary>Inserts or replaces many binary codes (Hamming indexes); see the float overload for the rules.</summary>
    /// <param name="ids">One id per row.</param>
    /// <param name="codes">Rows of <see cref="Dimensions"/>/64 words.</param>
    /// <param name="payloads">Null, or one payload (or null) per row.</param>
    /// <param name="progress">Receives the number of rows written so far.</param>
    /// <param name="cancellationToken">Stops between groups of rows; the rows already written stay.</param>
    public void UpsertCodeBatch(IReadOnlyList<string> ids, ReadOnlySpan2D<ulong> codes, IReadOnlyList<byte[]?>? payloads = null,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
        => WriteBatch(BuildWrites(ids, payloads, CopyCodes(ids, codes), _words * sizeof(ulong)), progress, cancellationToken);

    /// <summary>
    /// Fills an empty index with many float vectors in one pass: the rows are written straight into
    /// one segment file (no log records, nothing to seal or compact later), which is much faster than
    /// <see cref="UpsertBatch"/> for an initial load. Inputs are validated as for <see cref="UpsertBatch"/>
    /// (a later duplicate id wins). The rows are durable when it returns; after a crash during the
    /// load the index is empty. Other writes wait meanwhile; searches go on.
    /// </summary>
    /// <param name="ids">One id per row.</param>
    /// <param name="vectors">Rows of <see cref="Dimensions"/> components.</param>
    /// <param name="payloads">Null, or one payload (or null) per row.</param>
    /// <param name="progress">Receives the number of rows written so far.</param>
    /// <param name="cancellationToken">Cancels the load; the index stays empty.</param>
    /// <exception cref="InvalidOperationException">The index is not empty (it has been written to).</exception>
    public void BulkLoad(IReadOnlyList<string> ids, ReadOnlySpan2D<float> vectors, IReadOnlyList<byte[]?>? payloads = null,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
        => Load(ids, payloads, CopyVectors(ids, vectors), Dimensions * sizeof(float), progress, cancellationToken);

    /// <summary>Fills an empty Hamming index with many binary codes in one pass; see <see cref="BulkLoad"/> for the rules.</summary>
    /// <param name="ids">One id per row.</param>
    /// <param name="codes">Rows of <see cref="Dimensions"/>/64 words.</param>
    /// <param name="payloads">Null, or one payload (or null) per row.</param>
    /// <param name="progress">Receives the number of rows written so far.</param>
    /// <param name="cancellationToken">Cancels the load; the index stays empty.</param>
    /// <exception cref="InvalidOperationException">The index is not empty (it has been written to).</exception>
    public void BulkLoadCodes(IReadOnlyList<string> ids, ReadOnlySpan2D<ulong> codes, IReadOnlyList<byte[]?>? payloads = null,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
        => Load(ids, payloads, CopyCodes(ids, codes), _words * sizeof(ulong), progress, cancellationToken);

    private void Load(IReadOnlyList<string> ids, IReadOnlyList<byte[]?>? payloads, byte[] data, int rowBytes, IProgress<long>? progress, CancellationToken cancel)
    {
        CheckPayloadCount(ids, payloads);
        BuildStages.Mark("validate and copy vectors");
        var rows = BulkRows.Pack(ids, payloads, data, rowBytes);
        _engine.BulkLoad(rows, progress is null ? null : n => progress.Report(n), cancel);
    }

    /// <summary>Validates a batch's float rows against its ids (before anything is written) and copies the rows back to back.</summary>
    private byte[] CopyVectors(IReadOnlyList<string> ids, ReadOnlySpan2D<float> vectors)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (Metric == Metric.Hamming) throw WrongKind(nameof(vectors));
        if (vectors.Height != ids.Count)
            throw new ArgumentException($"There are {ids.Count} ids but {vectors.Height} vector rows; pass one id per row.", nameof(ids));
        if (vectors.Width != Dimensions) throw new DimensionMismatchException(Dimensions, vectors.Width, "components", nameof(vectors));
        int rowBytes = Dimensions * sizeof(float);
        // Every byte is written by the copy below.
        byte[] data = AllocateRows(ids.Count, rowBytes, nameof(vectors));
        for (int i = 0; i < ids.Count; i++)
        {
            ReadOnlySpan<float> row = vectors.GetRowSpan(i);
            ValidateFloats(row, nameof(vectors), i);
            MemoryMarshal.AsBytes(row).CopyTo(data.AsSpan(i * rowBytes, rowBytes));
        }
        return data;
    }

    /// <summary>Validates a batch's codes against its ids (before anything is written) and copies the codes back to back.</summary>
    private byte[] CopyCodes(IReadOnlyList<string> ids, ReadOnlySpan2D<ulong> codes)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (Metric != Metric.Hamming) throw WrongKind(nameof(codes));
        if (codes.Height != ids.Count)
            throw new ArgumentException($"There are {ids.Count} ids but {codes.Height} code rows; pass one id per row.", nameof(ids));
        if (codes.Width != _words) throw new DimensionMismatchException(_words, codes.Width, "64-bit words", nameof(codes));
        int rowBytes = _words * sizeof(ulong);
        byte[] data = AllocateRows(ids.Count, rowBytes, nameof(codes));
        if (codes.TryGetSpan(out ReadOnlySpan<ulong> all)) MemoryMarshal.AsBytes(all).CopyTo(data);
        else for (int i = 0; i < ids.Count; i++) MemoryMarshal.AsBytes(codes.GetRowSpan(i)).CopyTo(data.AsSpan(i * rowBytes, rowBytes));
        return data;
    }

    /// <summary>
    /// The buffer a batch's rows are copied into (uninitialised: the copy writes every byte), or a
    /// clear error when they would not fit in one array.
    /// </summary>
    private static byte[] AllocateRows(int rows, int rowBytes, string paramName)
    {
        long bytes = (long)rows * rowBytes;
        if (bytes > Array.MaxLength)
            throw new ArgumentException($"The {rows:N0} rows of this call take {bytes:N0} bytes, more than one call can hold ({Array.MaxLength:N0}); " +
                "pass them in several calls (BulkLoad the first part, then UpsertBatch the rest).", paramName);
        return LargeArrays.Uninitialized<byte>((int)bytes);
    }

    private static void CheckPayloadCount(IReadOnlyList<string> ids, IReadOnlyList<byte[]?>? payloads)
    {
        if (payloads is not null && payloads.Count != ids.Count)
            throw new ArgumentException($"There are {ids.Count} ids but {payloads.Count} payloads; pass one payload (or null) per row, or no list.", nameof(payloads));
    }

    /// <summary>Validates the ids and payloads of a batch whose rows <see cref="CopyVectors"/> or <see cref="CopyCodes"/> copied, and pairs them up.</summary>
    private static IndexEngine.Write[] BuildWrites(IReadOnlyList<string> ids, IReadOnlyList<byte[]?>? payloads, byte[] data, int rowBytes)
    {
        CheckPayloadCount(ids, payloads);
        var writes = new IndexEngine.Write[ids.Count];
        for (int i = 0; i < ids.Count; i++)
        {
            byte[] idUtf8 = ValidateId(ids[i], nameof(ids), i);
            byte[]? payload = payloads?[i];
            ValidatePayload(payload?.Length ?? 0, nameof(payloads));
            writes[i] = new IndexEngine.Write(ids[i], idUtf8, data.AsMemory(i * rowBytes, rowBytes), payload ?? default(ReadOnlyMemory<byte>), false);
        }
        return writes;
    }

    private void WriteBatch(IndexEngine.Write[] writes, IProgress<long>? progress, CancellationToken cancel)
    {
        long done = 0;
        _engine.WriteMany(writes, n => progress?.Report(done += n), cancel);
    }

    /// <summary>Deletes the item stored under <paramref name="id"/>.</summary>
    /// <param name="id">The item's id.</param>
    /// <returns><see langword="true"/> if an item was deleted; <see langword="false"/> if none was stored.</returns>
    public bool Delete(string id)
    {
        byte[] idUtf8 = ValidateId(id, nameof(id));
        return _engine.Delete(id, idUtf8);
    }

    /// <summary>
    /// Makes every write so far durable (fdatasync of the log). Under <see cref="Durability.Manual"/>
    /// this is the only durability point besides disposing.
    /// </summary>
    public void Commit() => _engine.Commit();

    /// <summary>
    /// Merges all segments into one and drops deleted rows, reclaiming their space. Searches and
    /// writes continue while it runs; the merged segment replaces the old ones atomically.
    /// </summary>
    /// <param name="progress">Receives rows written out of the total.</param>
    /// <param name="cancellationToken">Cancels the merge; the index is left as it was.</param>
    public void Compact(IProgress<CompactionProgress>? progress = null, CancellationToken cancellationToken = default) =>
        _engine.Compact(progress, cancellationToken);

    // ------------------------------------------------------------------ reads

    /// <summary>Reads the item stored under <paramref name="id"/>.</summary>
    /// <param name="id">The item's id.</param>
    /// <param name="item">The item with its vector or code and payload, when found.</param>
    /// <returns>Whether the id is stored.</returns>
    public bool TryGet(string id, [NotNullWhen(true)] out StoredItem? item)
    {
        byte[] idUtf8 = ValidateId(id, nameof(id));
        using var lease = SnapshotLease.Acquire(_engine);
        if (!RowLookup.TryLocate(lease.Snapshot, id, idUtf8, out RowLocation at))
        {
            item = null;
            return false;
        }
        ReadOnlySpan<byte> bytes = at.Vector();
        item = Metric == Metric.Hamming
            ? new StoredItem(id, [], MemoryMarshal.Cast<byte, ulong>(bytes).ToArray(), at.Payload().ToArray())
            : new StoredItem(id, MemoryMarshal.Cast<byte, float>(bytes).ToArray(), [], at.Payload().ToArray());
        return true;
    }

    /// <summary>Whether <paramref name="id"/> is stored.</summary>
    /// <param name="id">The item's id.</param>
    public bool Contains(string id)
    {
        byte[] idUtf8 = ValidateId(id, nameof(id));
        using var lease = SnapshotLease.Acquire(_engine);
        return RowLookup.TryLocate(lease.Snapshot, id, idUtf8, out _);
    }

    /// <summary>
    /// The <see cref="SearchOptions.K"/> stored vectors nearest to <paramref name="query"/>, nearest
    /// first; equal distances are ordered by id (ordinal order of the UTF-8 bytes).
    /// </summary>
    /// <param name="query">A vector of <see cref="Dimensions"/> finite components.</param>
    /// <param name="options">K, filter and payload options; null for K = 10.</param>
    public SearchResults Search(ReadOnlySpan<float> query, SearchOptions? options = null)
    {
        ValidateFloats(query, nameof(query));
        return Nearest(SearchQuery.Nearest(Metric, MemoryMarshal.AsBytes(query), options));
    }

    /// <summary>
    /// The <paramref name="k"/> stored vectors nearest to <paramref name="query"/>, nearest first, with
    /// every other option at its default; the count comes first, as in USearch and
    /// Microsoft.Extensions.VectorData.
    /// </summary>
    /// <param name="query">A vector of <see cref="Dimensions"/> finite components.</param>
    /// <param name="k">Number of results, 1 to <see cref="SearchOptions.MaxK"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is out of range.</exception>
    public SearchResults Search(ReadOnlySpan<float> query, int k) => Search(query, new SearchOptions { K = k });

    /// <summary>The <see cref="SearchOptions.K"/> stored codes nearest to <paramref name="code"/> in Hamming distance.</summary>
    /// <param name="code">A code of <see cref="Dimensions"/>/64 words.</param>
    /// <param name="options">K, filter and payload options; null for K = 10.</param>
    public SearchResults SearchCode(ReadOnlySpan<ulong> code, SearchOptions? options = null)
    {
        ValidateCode(code, nameof(code));
        return Nearest(SearchQuery.Nearest(Metric, MemoryMarshal.AsBytes(code), options));
    }

    /// <summary>The <paramref name="k"/> stored codes nearest to <paramref name="code"/> in Hamming distance, other options at their defaults.</summary>
    /// <param name="code">A code of <see cref="Dimensions"/>/64 words.</param>
    /// <param name="k">Number of results, 1 to <see cref="SearchOptions.MaxK"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is out of range.</exception>
    public SearchResults SearchCode(ReadOnlySpan<ulong> code, int k) => SearchCode(code, new SearchOptions { K = k });

    /// <summary>
    /// The nearest neighbours of a stored item, using its stored vector as the query. The item
    /// itself is left out unless <see cref="SearchOptions.IncludeSelf"/> is set.
    /// </summary>
    /// <param name="id">The stored item's id.</param>
    /// <param name="options">K, filter and payload options; null for K = 10.</param>
    /// <exception cref="KeyNotFoundException">No item is stored under <paramref name="id"/>.</exception>
    public SearchResults SearchById(string id, SearchOptions? options = null)
    {
        byte[] idUtf8 = ValidateId(id, nameof(id));
        options ??= SearchOptions.Default;
        options.Validate();
        using var lease = SnapshotLease.Acquire(_engine);
        if (!RowLookup.TryLocate(lease.Snapshot, id, idUtf8, out RowLocation at))
            throw new KeyNotFoundException($"No item with id '{id}' is stored in the index at '{Folder}'.");
        var query = SearchQuery.Nearest(Metric, at.Vector(), options, options.IncludeSelf ? null : idUtf8);
        return _planner.Nearest(lease.Snapshot, query);
    }

    /// <summary>
    /// Every stored vector within <paramref name="radius"/> of <paramref name="query"/> (distance ≤ radius,
    /// in the units of <see cref="Metric"/>), nearest first. <see cref="SearchOptions.K"/> is ignored.
    /// </summary>
    /// <param name="query">A vector of <see cref="Dimensions"/> finite components.</param>
    /// <param name="radius">The largest distance to include.</param>
    /// <param name="options">Filter and payload options (validated as for <see cref="Search(ReadOnlySpan{float}, SearchOptions?)"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="radius"/> is NaN, or negative under Euclidean or Manhattan
    /// distance, which are never negative (dot-product distances can be, and cosine ones by a rounding error); or an option is out of range.</exception>
    public IReadOnlyList<Hit> SearchRadius(ReadOnlySpan<float> query, float radius, SearchOptions? options = null)
    {
        ValidateFloats(query, nameof(query));
        return Within(SearchQuery.Within(Metric, MemoryMarshal.AsBytes(query), radius, options));
    }

    /// <summary>Every stored code within Hamming distance <paramref name="radius"/> of <paramref name="code"/>, nearest first.</summary>
    /// <param name="code">A code of <see cref="Dimensions"/>/64 words.</param>
    /// <param name="radius">The largest number of differing bits to include (0 or more).</param>
    /// <param name="options">Filter and payload options (validated as for <see cref="SearchCode(ReadOnlySpan{ulong}, SearchOptions?)"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="radius"/> is negative, or an option is out of range.</exception>
    public IReadOnlyList<Hit> SearchCodeRadius(ReadOnlySpan<ulong> code, int radius, SearchOptions? options = null)
    {
        ValidateCode(code, nameof(code));
        return Within(SearchQuery.Within(Metric, MemoryMarshal.AsBytes(code), radius, options));
    }

    private SearchResults Nearest(SearchQuery query)
    {
        using var lease = SnapshotLease.Acquire(_engine);
        return _planner.Nearest(lease.Snapshot, query);
    }

    private List<Hit> Within(SearchQuery query)
    {
        using var lease = SnapshotLease.Acquire(_engine);
        return _planner.Within(lease.Snapshot, query);
    }

    /// <summary>
    /// Groups the stored codes into near-duplicates: every pair within Hamming distance
    /// <paramref name="radius"/> is found (exactly, by a multi-index hashing self-join rather than
    /// one query per code) and the groups are the connected components of those pairs. Runs on a
    /// snapshot: writes made meanwhile are not included.
    /// </summary>
    /// <param name="radius">The largest number of differing bits that joins two codes (for example 8 for 64-bit pHash, 31 for PDQ).</param>
    /// <param name="options">Whether to list the pairs as well; null for groups only.</param>
    /// <param name="progress">Receives progress reports ("reading", "indexing", "joining"); may be null.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <exception cref="InvalidOperationException">The index does not store binary codes.</exception>
    /// <exception cref="OperationCanceledException">The search was cancelled.</exception>
    public DuplicateReport FindDuplicates(int radius, DuplicateOptions? options = null, IProgress<DuplicateProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        RequireCodes(nameof(FindDuplicates));
        SearchQuery.CheckRadius(Metric, radius);
        using var lease = SnapshotLease.Acquire(_engine);
        return DuplicateJoin.Run(lease.Snapshot, _words, radius, options ?? DuplicateOptions.Default, progress, cancellationToken);
    }

    /// <summary>
    /// Near-duplicates of some stored items only, for example the ones just added: the pairs within
    /// <paramref name="radius"/> that involve at least one of <paramref name="ids"/>, and the groups
    /// those pairs form. Costs one radius search per id, so nothing stored earlier is compared again.
    /// </summary>
    /// <param name="ids">Ids of stored items.</param>
    /// <param name="radius">The largest number of differing bits that joins two codes.</param>
    /// <param name="options">Whether to list the pairs as well; null for groups only.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <exception cref="KeyNotFoundException">An id is not stored.</exception>
    /// <exception cref="InvalidOperationException">The index does not store binary codes.</exception>
    public DuplicateReport FindDuplicatesOf(IEnumerable<string> ids, int radius, DuplicateOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        RequireCodes(nameof(FindDuplicatesOf));
        SearchQuery.CheckRadius(Metric, radius);
        using var lease = SnapshotLease.Acquire(_engine);
        return DuplicateJoin.Of(lease.Snapshot, ids, radius, options ?? DuplicateOptions.Default, cancellationToken);
    }

    private void RequireCodes(string operation)
    {
        if (Metric != Metric.Hamming)
            throw new InvalidOperationException($"{operation} groups binary codes; this index stores float vectors ({Metric}). Create the index with Metric.Hamming to store perceptual hashes.");
    }

    /// <summary>Copies of up to <paramref name="max"/> live rows (raw row bytes), spread evenly over the index; for the tuner.</summary>
    internal byte[][] SampleLiveRows(int max)
    {
        using var lease = SnapshotLease.Acquire(_engine);
        Snapshot s = lease.Snapshot;
        long stride = Math.Max(1, (s.LiveCount + max - 1) / Math.Max(1, max));
        var rows = new List<byte[]>();
        long seen = 0;
        foreach (RowSource source in s.Sources)
        {
            for (int r = 0; r < source.Count && rows.Count < max; r++)
                if (!source.IsDeleted(r) && seen++ % stride == 0) rows.Add(source.Vector(r).ToArray());
        }
        return [.. rows];
    }

    /// <summary>The fitted LSH model, or null; for tests.</summary>
    internal Bucketing.LshModel? LshModel => _engine.Lsh;

    /// <summary>For tests: how many of the given (table, key) buckets hold each live row.</summary>
    internal Dictionary<string, int> LshBucketCounts(List<(int Table, uint Key)> keys)
    {
        using var lease = SnapshotLease.Acquire(_engine);
        var query = SearchQuery.Nearest(Metric, new byte[_engine.Schema.RowBytes], null);
        return _planner.LshBucketCounts(lease.Snapshot, query, keys);
    }

    /// <summary>For tests: runs <paramref name="inspect"/> on a snapshot held for the call.</summary>
    internal T Inspect<T>(Func<Snapshot, T> inspect)
    {
        using var lease = SnapshotLease.Acquire(_engine);
        return inspect(lease.Snapshot);
    }

    /// <summary>Waits until a seal running in the background has finished; for tests that inspect segments.</summary>
    internal void WaitForBackgroundWork() => _engine.WaitForBackgroundWork();

    /// <summary>Counts, segments, tail size and disk use.</summary>
    public IndexStatistics GetStatistics() => _engine.Statistics();

    /// <summary>
    /// Checks every checksum of every segment now. Searches check each section lazily on first use;
    /// call this to find damage up front (for example after copying an index).
    /// </summary>
    /// <exception cref="IndexCorruptedException">A segment is damaged.</exception>
    public void Verify() => _engine.Verify();

    /// <summary>
    /// Closes the index: makes every write durable, seals a large tail into a segment so the next
    /// open is fast, unmaps the segments once the last search is done, and releases the writer lock.
    /// </summary>
    public void Dispose() => _engine.Dispose();

    // ------------------------------------------------------------------ validation (the rules live in ItemRules)

    private static byte[] ValidateId(string? id, string param, int row = -1) => ItemRules.ValidateId(id, param, row);

    private static void ValidatePayload(long length, string param) => ItemRules.ValidatePayload(length, param);

    private InvalidVectorException WrongKind(string param) => ItemRules.WrongKind(Dimensions, Metric, param);

    private void ValidateFloats(ReadOnlySpan<float> v, string param, int row = -1) => ItemRules.ValidateVector(v, Dimensions, Metric, param, row);

    private void ValidateCode(ReadOnlySpan<ulong> code, string param) => ItemRules.ValidateCode(code, Dimensions, Metric, param);
}

using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Aknn.Embedded.VectorData.Filters;
using Aknn.Embedded.VectorData.Model;
using Aknn.Embedded.VectorData.Payload;
using Aknn.Embedded.VectorData.Scoring;
using CommunityToolkit.HighPerformance;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace Aknn.Embedded.VectorData;

/// <summary>
/// A collection of records in an <see cref="AknnVectorStore"/>: one Aknn.Embedded index whose item
/// ids are the record keys, whose vectors are the record's vector property, and whose payloads hold
/// the data properties as a MessagePack map keyed by storage name.
/// </summary>
/// <typeparam name="TKey">The key type: <see cref="string"/>, <see cref="Guid"/>, <see cref="int"/> or <see cref="long"/> (<see cref="object"/> for the dynamic collection).</typeparam>
/// <typeparam name="TRecord">The record type (<see cref="Dictionary{TKey, TValue}"/> for the dynamic collection).</typeparam>
/// <remarks>
/// Writes are visible to the next search or get as soon as the call returns, and durable according
/// to <see cref="AknnVectorStoreOptions.Durability"/>. Filters run inside the index's own filter, so a
/// rejected row costs no result slot and no LSH candidate.
/// </remarks>
public sealed class AknnCollection<TKey, TRecord> : VectorStoreCollection<TKey, TRecord>
    where TKey : notnull
    where TRecord : class
{
    private readonly AknnVectorStore _store;
    private readonly CollectionModel _model;
    private readonly VectorPropertyModel _vector;
    private readonly DistanceMapping _distance;
    private readonly IndexModel _indexModel;
    private readonly bool _bits;
    private readonly KeyCodec _keys;
    private readonly PayloadCodec _payloads;

    internal AknnCollection(AknnVectorStore store, string name, CollectionModel model)
    {
        _store = store;
        Name = name;
        _model = model;
        _vector = model.VectorProperty;
        _bits = AknnModelBuilder.IsBitVectorType(_vector.EmbeddingType);
        _distance = DistanceMapping.For(_vector.DistanceFunction, _bits)
            ?? throw new NotSupportedException($"Vector property '{_vector.ModelName}' asks for distance function '{_vector.DistanceFunction}', which Aknn.Embedded does not offer; supported: {DistanceMapping.Supported}.");
        if (_bits != (_distance.Metric == Metric.Hamming))
            throw new NotSupportedException(_bits
                ? $"Vector property '{_vector.ModelName}' holds bits ({_vector.EmbeddingType.Name}), which are compared by HammingDistance only, not {_distance.Function}."
                : $"Vector property '{_vector.ModelName}' holds floats ({_vector.EmbeddingType.Name}); HammingDistance needs a bit vector (BitArray or BinaryEmbedding).");
        if (_bits && _vector.Dimensions % 64 != 0)
            throw new NotSupportedException($"Vector property '{_vector.ModelName}' has {_vector.Dimensions} bits; Aknn.Embedded stores bit vectors in 64-bit words, so the length must be a multiple of 64.");
        _indexModel = _vector.IndexKind switch
        {
            null or AknnIndexKind.Flat => _bits ? IndexModel.MultiIndexHashing() : IndexModel.Exact,
            AknnIndexKind.Lsh => IndexModel.Lsh(store.Options.LshTables, store.Options.LshBitsPerTable, store.Options.LshProbes),
            _ => throw new NotSupportedException($"Vector property '{_vector.ModelName}' asks for index kind '{_vector.IndexKind}', which Aknn.Embedded does not offer; supported: {AknnIndexKind.Supported}."),
        };
        _keys = new KeyCodec(model.KeyProperty.Type, model.KeyProperty.ModelName);
        _payloads = new PayloadCodec(model.DataProperties);
    }

    /// <inheritdoc/>
    public override string Name { get; }

    // ------------------------------------------------------------------ collection

    /// <inheritdoc/>
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) => Task.FromResult(_store.Exists(Name));

    /// <summary>Creates the collection's index if it does not exist; an existing one must hold the same metric and dimensions.</summary>
    /// <param name="cancellationToken">Not used.</param>
    /// <exception cref="InvalidOperationException">The stored index holds other dimensions or another metric.</exception>
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        VectorIndex index = _store.Index(Name, new IndexOptions
        {
            Dimensions = _vector.Dimensions,
            Metric = _distance.Metric,
            Model = _indexModel,
            Durability = _store.Options.Durability,
            Compute = _store.Options.Compute,
        })!;
        CheckSchema(index);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default) => _store.EnsureCollectionDeletedAsync(Name, cancellationToken);

    // ------------------------------------------------------------------ writes

    /// <inheritdoc/>
    public override Task UpsertAsync(TRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return UpsertAsync([record], cancellationToken);
    }

    /// <summary>Inserts or replaces records; a batch is validated whole before anything is written.</summary>
    /// <param name="records">The records.</param>
    /// <param name="cancellationToken">Cancels embedding generation and the write.</param>
    /// <exception cref="InvalidOperationException">The collection does not exist (call <see cref="EnsureCollectionExistsAsync"/>).</exception>
    /// <exception cref="ArgumentException">A record has no key, no vector, or a vector of the wrong length.</exception>
    public override async Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        IReadOnlyList<TRecord> list = records as IReadOnlyList<TRecord> ?? [.. records];
        if (list.Count == 0) return;
        VectorIndex index = RequireIndex();

        // Properties whose type is not a vector (text, say) are embedded now, in one generator call.
        IReadOnlyList<Embedding>? generated = null;
        if (_vector.Type != _vector.EmbeddingType)
            generated = await _vector.GenerateEmbeddingsAsync(list.Select(r => _vector.GetValueAsObject(r)), cancellationToken).ConfigureAwait(false);

        var ids = new string[list.Count];
        var payloads = new byte[list.Count][];
        int dims = _vector.Dimensions;
        float[]? floats = _bits ? null : new float[list.Count * dims];
        ulong[]? codes = _bits ? new ulong[list.Count * dims / 64] : null;
        for (int i = 0; i < list.Count; i++)
        {
            TRecord record = list[i] ?? throw new ArgumentException($"Record {i} of the batch is null.", nameof(records));
            ids[i] = _keys.ToId(KeyOf(record), nameof(records));
            payloads[i] = _payloads.Write(record);
            object? vector = generated is not null ? generated[i] : _vector.GetValueAsObject(record);
            if (_bits)
            {
                ulong[] code = VectorCodec.Code(vector, dims, nameof(records)) ?? throw NoVector(ids[i], vector);
                code.CopyTo(codes!, i * (dims / 64));
            }
            else
            {
                ReadOnlyMemory<float> v = VectorCodec.Floats(vector) ?? throw NoVector(ids[i], vector);
                if (v.Length != dims)
                    throw new ArgumentException($"The vector of record '{ids[i]}' has {v.Length} dimensions, but property '{_vector.ModelName}' is declared with {dims}.", nameof(records));
                v.Span.CopyTo(floats.AsSpan(i * dims));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (list.Count == 1)
        {
            if (_bits) index.UpsertCode(ids[0], codes, payloads[0]);
            else index.Upsert(ids[0], floats, payloads[0]);
        }
        else if (_bits)
        {
            index.UpsertCodeBatch(ids, new ReadOnlySpan2D<ulong>(codes!, list.Count, dims / 64), payloads, cancellationToken: cancellationToken);
        }
        else
        {
            index.UpsertBatch(ids, new ReadOnlySpan2D<float>(floats!, list.Count, dims), payloads, cancellationToken: cancellationToken);
        }
    }

    /// <inheritdoc/>
    public override Task DeleteAsync(TKey key, CancellationToken cancellationToken = default)
    {
        string id = _keys.ToId(key);
        RequireIndex().Delete(id);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task DeleteAsync(IEnumerable<TKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        string[] ids = [.. keys.Select(k => _keys.ToId(k, nameof(keys)))]; // all validated before any is deleted
        VectorIndex index = RequireIndex();
        foreach (string id in ids) index.Delete(id);
        return Task.CompletedTask;
    }

    // ------------------------------------------------------------------ reads

    /// <inheritdoc/>
    public override Task<TRecord?> GetAsync(TKey key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        string id = _keys.ToId(key);
        bool vectors = WantVectors(options?.IncludeVectors ?? false);
        return Task.FromResult(RequireIndex().TryGet(id, out StoredItem? item) ? ToRecord(item.Id, item.Payload, vectors ? item : null) : null);
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<TRecord> GetAsync(IEnumerable<TKey> keys, RecordRetrievalOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        string[] ids = [.. keys.Select(k => _keys.ToId(k, nameof(keys)))];
        bool vectors = WantVectors(options?.IncludeVectors ?? false);
        VectorIndex index = RequireIndex();
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (string id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (index.TryGet(id, out StoredItem? item)) yield return ToRecord(item.Id, item.Payload, vectors ? item : null);
        }
    }

    /// <summary>
    /// The records that pass <paramref name="filter"/>, streamed from one snapshot of the collection;
    /// in storage order, or sorted by <see cref="FilteredRecordRetrievalOptions{TRecord}.OrderBy"/>.
    /// </summary>
    /// <param name="filter">The condition; see <see cref="SearchAsync"/> for what it may use.</param>
    /// <param name="top">The most records to return (1 or more).</param>
    /// <param name="options">Skip, order and whether to include vectors.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <exception cref="NotSupportedException">The filter uses an expression the connector cannot evaluate.</exception>
    public override async IAsyncEnumerable<TRecord> GetAsync(Expression<Func<TRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new FilteredRecordRetrievalOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, nameof(options.Skip));
        bool vectors = WantVectors(options.IncludeVectors);
        CompiledFilter compiled = FilterCompiler.Compile(filter, _model, _keys, _payloads);
        var order = options.OrderBy?.Invoke(new FilteredRecordRetrievalOptions<TRecord>.OrderByDefinition()).Values ?? [];
        var sortBy = order.Select(s => (Property: _model.GetDataOrKeyProperty(s.PropertySelector), s.Ascending)).ToList();
        VectorIndex index = RequireIndex();
        await Task.CompletedTask.ConfigureAwait(false);

        IEnumerable<StoredItem> items = index.EnumerateItems(vectors, compiled.Matches, cancellationToken);
        if (sortBy.Count == 0)
        {
            foreach (StoredItem item in items.Skip(options.Skip).Take(top))
                yield return ToRecord(item.Id, item.Payload, vectors ? item : null);
            yield break;
        }

        // Ordering needs every matching record; only the sort keys and the records are kept.
        var records = items.Select(item => ToRecord(item.Id, item.Payload, vectors ? item : null)).ToList();
        IOrderedEnumerable<TRecord>? sorted = null;
        foreach (var (property, ascending) in sortBy)
        {
            Func<TRecord, object?> keyOf = r => property.GetValueAsObject(r);
            sorted = sorted is null
                ? ascending ? records.OrderBy(keyOf, Comparer<object?>.Default) : records.OrderByDescending(keyOf, Comparer<object?>.Default)
                : ascending ? sorted.ThenBy(keyOf, Comparer<object?>.Default) : sorted.ThenByDescending(keyOf, Comparer<object?>.Default);
        }
        foreach (TRecord record in sorted!.Skip(options.Skip).Take(top))
            yield return record;
    }

    // ------------------------------------------------------------------ search

    /// <summary>
    /// The <paramref name="top"/> records nearest to <paramref name="searchValue"/>, nearest first, each
    /// with its score in the convention of the vector property's distance function (a similarity
    /// for CosineSimilarity and DotProductSimilarity, a distance for the others).
    /// </summary>
    /// <typeparam name="TInput">
    /// <see cref="ReadOnlyMemory{T}"/> of float, float[] or <see cref="Embedding{T}"/> of float (BitArray or
    /// <see cref="BinaryEmbedding"/> for bit vectors); any other type (a string, say) when the vector property has an embedding generator for it.
    /// </typeparam>
    /// <param name="searchValue">The query vector, or the value to embed.</param>
    /// <param name="top">The number of results (1 or more).</param>
    /// <param name="options">
    /// Skip, ScoreThreshold, IncludeVectors, VectorProperty and Filter. The filter may use ==, !=, &lt;,
    /// &lt;=, &gt;, &gt;=, &amp;&amp;, ||, !, Contains on arrays and lists, null checks and captured variables over the
    /// key and data properties; it is compiled once per call and evaluated on each row's payload
    /// inside the index, so rejected rows are never results or LSH candidates.
    /// </param>
    /// <param name="cancellationToken">Cancels embedding generation and the enumeration.</param>
    /// <exception cref="NotSupportedException">The filter uses an expression the connector cannot evaluate (the message names it).</exception>
    /// <exception cref="InvalidOperationException">The input type is not a vector and no embedding generator accepts it.</exception>
    public override async IAsyncEnumerable<VectorSearchResult<TRecord>> SearchAsync<TInput>(TInput searchValue, int top, VectorSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new VectorSearchOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, nameof(options.Skip));
        _model.GetVectorPropertyOrSingle(options); // checks VectorProperty names this collection's vector property
        bool vectors = WantVectors(options.IncludeVectors);
        CompiledFilter? compiled = options.Filter is null ? null : FilterCompiler.Compile(options.Filter, _model, _keys, _payloads);

        object query = searchValue;
        if (VectorCodec.Floats(query) is null && VectorCodec.Code(query, _vector.Dimensions, nameof(searchValue)) is null)
        {
            if (_vector.EmbeddingGenerationDispatcher is null)
                throw new InvalidOperationException(VectorDataStrings.InvalidSearchInputAndNoEmbeddingGeneratorWasConfigured(typeof(TInput), AknnModelBuilder.SupportedVectorTypes));
            query = await _vector.GenerateEmbeddingAsync(searchValue, cancellationToken).ConfigureAwait(false);
        }

        VectorIndex index = RequireIndex();
        int k = checked(top + options.Skip);
        var searchOptions = new SearchOptions
        {
            K = k,
            IncludePayload = true,
            Filter = compiled is null ? null : compiled.Matches,
            Candidates = _indexModel.Kind == IndexModelKind.Exact || _store.Options.LshCandidates is not { } c ? null : Math.Max(c, k),
        };
        SearchResults hits;
        if (_bits)
        {
            ulong[] code = VectorCodec.Code(query, _vector.Dimensions, nameof(searchValue))
                ?? throw new InvalidOperationException($"The query for bit vector property '{_vector.ModelName}' must be a BitArray or BinaryEmbedding, not a {query.GetType().Name}.");
            hits = index.SearchCode(code, searchOptions);
        }
        else
        {
            ReadOnlyMemory<float> v = VectorCodec.Floats(query)
                ?? throw new InvalidOperationException($"The query for float vector property '{_vector.ModelName}' must be a float vector, not a {query.GetType().Name}.");
            hits = index.Search(v.Span, searchOptions);
        }

        for (int i = options.Skip; i < hits.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Hit hit = hits[i];
            double score = _distance.Score(hit.Distance);
            // Hits come nearest first, so the first one past the threshold ends the results.
            if (options.ScoreThreshold is { } threshold && !_distance.Passes(score, threshold)) yield break;
            StoredItem? item = null;
            if (vectors) index.TryGet(hit.Id, out item);
            yield return new VectorSearchResult<TRecord>(ToRecord(hit.Id, hit.Payload ?? [], item), score);
        }
    }

    /// <summary>
    /// Returns <see cref="VectorStoreCollectionMetadata"/>, the underlying <see cref="VectorIndex"/> (for
    /// statistics, compaction or commits), or the collection itself when asked for its own type.
    /// </summary>
    /// <param name="serviceType">The requested type.</param>
    /// <param name="serviceKey">Must be null.</param>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(VectorStoreCollectionMetadata))
            return new VectorStoreCollectionMetadata { VectorStoreSystemName = AknnVectorStore.SystemName, VectorStoreName = _store.Folder, CollectionName = Name };
        if (serviceType == typeof(VectorIndex)) return _store.Index(Name, null);
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    // ------------------------------------------------------------------ helpers

    private VectorIndex RequireIndex()
    {
        VectorIndex index = _store.Index(Name, null)
            ?? throw new InvalidOperationException($"The collection '{Name}' does not exist in '{_store.Folder}'; call EnsureCollectionExistsAsync first.");
        CheckSchema(index);
        return index;
    }

    private void CheckSchema(VectorIndex index)
    {
        if (index.Metric != _distance.Metric || index.Dimensions != _vector.Dimensions)
            throw new InvalidOperationException(
                $"The collection '{Name}' stores {index.Dimensions}-dimensional {index.Metric} vectors, but property '{_vector.ModelName}' declares {_vector.Dimensions} dimensions with {_distance.Function} ({_distance.Metric}). Use the stored settings or another collection name.");
    }

    private bool WantVectors(bool includeVectors)
    {
        if (includeVectors && _vector.Type != _vector.EmbeddingType)
            throw new NotSupportedException(VectorDataStrings.IncludeVectorsNotSupportedWithEmbeddingGeneration);
        return includeVectors;
    }

    /// <summary>The record's key, generating a Guid for an auto-generated key left empty.</summary>
    private object? KeyOf(TRecord record)
    {
        object? key = _model.KeyProperty.GetValueAsObject(record);
        if (_model.KeyProperty.IsAutoGenerated && key is Guid g && g == Guid.Empty)
        {
            key = Guid.NewGuid();
            _model.KeyProperty.SetValueAsObject(record, key);
        }
        return key;
    }

    private TRecord ToRecord(string id, byte[] payload, StoredItem? withVector)
    {
        TRecord record = _model.CreateRecord<TRecord>();
        _model.KeyProperty.SetValueAsObject(record, _keys.FromId(id));
        _payloads.Read(payload, record);
        if (withVector is not null)
        {
            object vector = _bits
                ? VectorCodec.FromCode(withVector.Code, _vector.Dimensions, _vector.Type)
                : VectorCodec.FromFloats(withVector.Vector, _vector.Type);
            _vector.SetValueAsObject(record, vector);
        }
        return record;
    }

    private ArgumentException NoVector(string id, object? value) => new(value is null
        ? $"Record '{id}' has no vector in property '{_vector.ModelName}'; every record needs one."
        : $"Record '{id}' holds a {value.GetType().Name} in vector property '{_vector.ModelName}'; expected {AknnModelBuilder.SupportedVectorTypes}.", "records");
}

using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace Aknn.Embedded.VectorData;

/// <summary>
/// A Microsoft.Extensions.VectorData store kept in a local folder: one Aknn.Embedded index per
/// collection, in a subfolder named after the collection. Embedded and durable; no server.
/// </summary>
/// <remarks>
/// <para>The store owns the indexes its collections open: collection objects for the same name share
/// one open index, and disposing the store closes them all (making every write durable). One
/// process at a time may write to a folder (the index's lock file keeps a second one out).</para>
/// <para>Collection names are folder names: 1 to 128 characters among letters, digits, '-', '_' and
/// '.', not starting with '.'.</para>
/// </remarks>
public sealed class AknnVectorStore : VectorStore
{
    internal const string SystemName = "aknn-embedded";
    private const int MaxNameLength = 128;

    private readonly Dictionary<string, VectorIndex> _open = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>Opens (or starts) a store in <paramref name="folder"/>; the folder is created when the first collection is.</summary>
    /// <param name="folder">The store's folder.</param>
    /// <param name="options">Durability, the default embedding generator and LSH settings; null for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is null or empty.</exception>
    public AknnVectorStore(string folder, AknnVectorStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Folder = Path.GetFullPath(folder);
        Options = options ?? new AknnVectorStoreOptions();
    }

    /// <summary>The store's folder (full path).</summary>
    public string Folder { get; }

    /// <summary>The options the store was created with.</summary>
    public AknnVectorStoreOptions Options { get; }

    /// <summary>Gets a collection of typed records described by attributes or by <paramref name="definition"/>.</summary>
    /// <typeparam name="TKey">The key type: <see cref="string"/>, <see cref="Guid"/>, <see cref="int"/> or <see cref="long"/>.</typeparam>
    /// <typeparam name="TRecord">The record type.</typeparam>
    /// <param name="name">The collection name (a folder name; see the remarks on <see cref="AknnVectorStore"/>).</param>
    /// <param name="definition">Overrides the attributes; null to use them.</param>
    /// <exception cref="ArgumentException">The name cannot be a folder name.</exception>
    /// <exception cref="NotSupportedException">The record type uses a key, data or vector type, distance function or index kind that is not supported, or has several vector properties.</exception>
    public override AknnCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null)
    {
        if (typeof(TRecord) == typeof(Dictionary<string, object?>))
            throw new NotSupportedException(VectorDataStrings.GetCollectionWithDictionaryNotSupported);
        ValidateName(name);
        CollectionModel model = new Model.AknnModelBuilder().Build(typeof(TRecord), typeof(TKey), definition, Options.EmbeddingGenerator);
        return new AknnCollection<TKey, TRecord>(this, name, model);
    }

    /// <summary>Gets a collection of <see cref="Dictionary{TKey, TValue}"/> records described by <paramref name="definition"/>.</summary>
    /// <param name="name">The collection name.</param>
    /// <param name="definition">The record schema: a key, data properties and one vector property.</param>
    /// <exception cref="ArgumentException">The name cannot be a folder name.</exception>
    /// <exception cref="NotSupportedException">The definition uses an unsupported type, distance function or index kind, or several vector properties.</exception>
    public override AknnCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ValidateName(name);
        CollectionModel model = new Model.AknnModelBuilder().BuildDynamic(definition, Options.EmbeddingGenerator);
        return new AknnCollection<object, Dictionary<string, object?>>(this, name, model);
    }

    /// <summary>The names of the collections stored in the folder, in ordinal order.</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        if (!Directory.Exists(Folder)) yield break;
        var names = Directory.EnumerateDirectories(Folder)
            .Where(VectorIndex.Exists)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (string name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }
    }

    /// <summary>Whether a collection of this name is stored.</summary>
    /// <param name="name">The collection name.</param>
    /// <param name="cancellationToken">Not used: the check is a file lookup.</param>
    /// <exception cref="ArgumentException">The name cannot be a folder name.</exception>
    public override Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        ValidateName(name);
        return Task.FromResult(Exists(name));
    }

    /// <summary>Deletes the collection and its files, if it exists; collection objects for it then fail with <see cref="ObjectDisposedException"/>.</summary>
    /// <param name="name">The collection name.</param>
    /// <param name="cancellationToken">Not used.</param>
    /// <exception cref="ArgumentException">The name cannot be a folder name.</exception>
    public override Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default)
    {
        ValidateName(name);
        DeleteCollection(name);
        return Task.CompletedTask;
    }

    /// <summary>Returns <see cref="VectorStoreMetadata"/>, or the store itself when asked for its own type.</summary>
    /// <param name="serviceType">The requested type.</param>
    /// <param name="serviceKey">Must be null.</param>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(VectorStoreMetadata)) return new VectorStoreMetadata { VectorStoreSystemName = SystemName, VectorStoreName = Folder };
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Closes every index the store opened, making their writes durable.</summary>
    /// <param name="disposing">Whether called from <see cref="IDisposable.Dispose"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                _disposed = true;
                foreach (VectorIndex index in _open.Values) index.Dispose();
                _open.Clear();
            }
        }
        base.Dispose(disposing);
    }

    // ------------------------------------------------------------------ for collections

    internal string PathOf(string name) => Path.Combine(Folder, name);

    internal bool Exists(string name)
    {
        lock (_gate)
            return _open.ContainsKey(name) || VectorIndex.Exists(PathOf(name));
    }

    /// <summary>The open index of a collection, opened (or created, when <paramref name="create"/> is given) on first use.</summary>
    /// <returns>The index, or null when the collection does not exist and <paramref name="create"/> is null.</returns>
    internal VectorIndex? Index(string name, IndexOptions? create)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_open.TryGetValue(name, out VectorIndex? index)) return index;
            string path = PathOf(name);
            if (VectorIndex.Exists(path))
            {
                index = VectorIndex.Open(path, new OpenOptions { Durability = Options.Durability, Compute = Options.Compute });
            }
            else
            {
                if (create is null) return null;
                Directory.CreateDirectory(Folder);
                index = VectorIndex.Create(path, create);
            }
            _open[name] = index;
            return index;
        }
    }

    private void DeleteCollection(string name)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_open.Remove(name, out VectorIndex? index)) index.Dispose();
            string path = PathOf(name);
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
    }

    private static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        bool valid = name.Length is > 0 and <= MaxNameLength && name[0] != '.'
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
        if (!valid)
            throw new ArgumentException(
                $"The collection name '{name}' cannot be used as a folder name: use 1 to {MaxNameLength} characters among letters, digits, '-', '_' and '.', not starting with '.'.", nameof(name));
    }
}

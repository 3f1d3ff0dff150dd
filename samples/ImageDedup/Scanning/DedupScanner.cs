using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics;
using Aknn.Embedded;
using ImageDedup.Decoding;
using ImageDedup.Hashing;

namespace ImageDedup.Scanning;

/// <summary>
/// Finds near-duplicate images in a folder. <see cref="ScanAsync"/> brings the hash index up to
/// date with the folder (hashing only new and changed files, dropping entries of files that are
/// gone); <see cref="FindGroups"/> then asks the index for groups of hashes within the radius.
/// </summary>
/// <remarks>
/// The index is an Aknn.Embedded <see cref="VectorIndex"/> of <see cref="Metric.Hamming"/> codes
/// (256 bits for PDQ, 64 for pHash) keyed by relative path (see <see cref="ItemIds"/>), with a
/// <see cref="FileRecord"/> as each entry's payload. The scanner holds the index's writer lock
/// until it is disposed, so two scans of the same cache cannot interleave.
/// </remarks>
public sealed class DedupScanner : IDisposable
{
    private readonly ImageMagickDecoder _decoder;
    private readonly VectorIndex _index;
    private readonly int _workers;

    private DedupScanner(string folder, HashKind hash, int radius, string indexRoot, string indexFolder, ImageMagickDecoder decoder, VectorIndex index, int workers)
    {
        Folder = folder;
        Hash = hash;
        Radius = radius;
        IndexRoot = indexRoot;
        IndexFolder = indexFolder;
        _decoder = decoder;
        _index = index;
        _workers = workers;
    }

    /// <summary>The scanned folder, as a full path.</summary>
    public string Folder { get; }

    /// <summary>The perceptual hash in use.</summary>
    public HashKind Hash { get; }

    /// <summary>The largest Hamming distance that joins two images.</summary>
    public int Radius { get; }

    /// <summary>The cache folder (holding one index per hash kind).</summary>
    public string IndexRoot { get; }

    /// <summary>The index folder for <see cref="Hash"/>.</summary>
    public string IndexFolder { get; }

    /// <summary>The ImageMagick executable that decodes the images.</summary>
    public string MagickExecutable => _decoder.Executable;

    /// <summary>
    /// Checks the settings, finds ImageMagick and opens (or creates) the index. Nothing is
    /// written before ImageMagick has been found.
    /// </summary>
    /// <param name="settings">What to scan and how.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The radius or the number of workers is out of range.</exception>
    /// <exception cref="ImageMagickNotFoundException">ImageMagick is missing; the message says how to install it.</exception>
    /// <exception cref="InvalidOperationException">The index folder belongs to something else.</exception>
    /// <exception cref="AknnException">The index is locked by another scan, or damaged.</exception>
    public static DedupScanner Open(DedupSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(settings.Folder));
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"The folder '{settings.Folder}' does not exist.");
        int bits = settings.Hash.Bits();
        int radius = settings.Radius ?? settings.Hash.DefaultRadius();
        if (radius < 0 || radius > bits)
            throw new ArgumentOutOfRangeException(nameof(settings), radius, $"The radius must lie between 0 and {bits} for {bits}-bit {settings.Hash.Name()} hashes.");
        if (settings.Workers < 1)
            throw new ArgumentOutOfRangeException(nameof(settings), settings.Workers, "At least one worker is needed.");

        ImageMagickDecoder decoder = ImageMagickDecoder.Create(settings.MagickExecutable);
        string root = Path.GetFullPath(settings.IndexRoot ?? IndexLocation.DefaultRoot(folder));
        string indexFolder = IndexLocation.Prepare(root, folder, settings.Hash);
        var index = VectorIndex.OpenOrCreate(indexFolder, new IndexOptions { Dimensions = bits, Metric = Metric.Hamming });
        return new DedupScanner(folder, settings.Hash, radius, root, indexFolder, decoder, index, settings.Workers);
    }

    /// <summary>
    /// Brings the index up to date with the folder: hashes new and changed files (by size and
    /// modification time) in parallel, deletes entries of files that are gone, and commits.
    /// </summary>
    /// <param name="progress">Receives "listing" and "hashing" progress; may be called from several threads.</param>
    /// <param name="failed">Called once for each file that cannot be decoded or hashed (from worker threads); the scan goes on.</param>
    /// <param name="cancellationToken">
    /// Stops the scan: no new file is started, decoders in flight are killed, what was hashed is
    /// committed, and the summary comes back with <see cref="ScanSummary.WasCancelled"/> set.
    /// </param>
    public async Task<ScanSummary> ScanAsync(IProgress<ScanProgress>? progress = null, Action<FileFailure>? failed = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        List<ImageFile> files;
        try
        {
            files = ImageFiles.Find(Folder, IndexRoot, n => progress?.Report(new ScanProgress("listing", n, 0)), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new ScanSummary(0, 0, 0, 0, [], WasCancelled: true, clock.Elapsed);
        }

        Dictionary<string, FileRecord?> stored = LoadStored();
        var present = new HashSet<string>(StringComparer.Ordinal);
        var work = new List<(ImageFile File, string Id)>();
        int reused = 0;
        foreach (ImageFile file in files)
        {
            string id = ItemIds.For(file.RelativePath);
            present.Add(id);
            if (stored.TryGetValue(id, out FileRecord? record) && record is not null && record.Matches(file)) reused++;
            else work.Add((file, id));
        }
        int removed = 0;
        foreach (string id in stored.Keys)
        {
            if (!present.Contains(id) && _index.Delete(id)) removed++;
        }

        var failures = new ConcurrentBag<FileFailure>();
        var interrupted = new ConcurrentBag<FileFailure>();
        int hashed = 0, done = 0;
        bool cancelled = false;
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _workers, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(work, parallel, async (item, token) =>
            {
                FileFailure? failure = await HashOneAsync(item.File, item.Id, token);
                if (failure is null)
                {
                    Interlocked.Increment(ref hashed);
                }
                else
                {
                    // A stale entry for a file that now fails must not stand in for it.
                    if (stored.ContainsKey(item.Id)) _index.Delete(item.Id);
                    if (failure.Reason.Length > 0)
                    {
                        failures.Add(failure);
                        failed?.Invoke(failure);
                    }
                    else
                    {
                        interrupted.Add(failure with { Reason = "ImageMagick was stopped by a signal" });
                    }
                }
                progress?.Report(new ScanProgress("hashing", Interlocked.Increment(ref done), work.Count));
            });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            cancelled = true;
        }
        finally
        {
            _index.Commit();
        }

        // A decoder killed by a signal is the Ctrl+C that reached it with the scan's own
        // cancellation; without one it is a real failure (for example the OOM killer).
        cancelled |= cancellationToken.IsCancellationRequested;
        if (!cancelled)
        {
            foreach (FileFailure failure in interrupted)
            {
                failures.Add(failure);
                failed?.Invoke(failure);
            }
        }
        var sortedFailures = failures.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        return new ScanSummary(files.Count, hashed, reused, removed, sortedFailures, cancelled, clock.Elapsed);
    }

    /// <summary>Decodes, hashes and stores one file; returns null on success, or the failure (an empty reason when the decoder was interrupted).</summary>
    private async Task<FileFailure?> HashOneAsync(ImageFile file, string id, CancellationToken cancellationToken)
    {
        ImageHash hash;
        try
        {
            DecodedImage image = await _decoder.DecodeAsync(file.FullPath, cancellationToken);
            hash = ImageHasher.Compute(Hash, image);
        }
        catch (ImageDecodeException e)
        {
            return new FileFailure(file.RelativePath, e.Interrupted ? "" : e.Message);
        }
        catch (ArgumentException e)
        {
            return new FileFailure(file.RelativePath, "the image could not be hashed: " + e.Message);
        }
        var record = new FileRecord(file.RelativePath, file.Size, file.ModifiedUtc.Ticks, hash.Quality, hash.Hex);
        _index.UpsertCode(id, hash.Code, record.ToUtf8());
        return null;
    }

    /// <summary>Every entry of the index: id and record (null where the payload is not a record of this program).</summary>
    private Dictionary<string, FileRecord?> LoadStored()
    {
        // Streams the live items of one snapshot (ids and payloads; the codes are not needed here).
        var stored = new Dictionary<string, FileRecord?>((int)Math.Min(_index.Count, int.MaxValue), StringComparer.Ordinal);
        foreach (StoredItem item in _index.EnumerateItems()) stored[item.Id] = FileRecord.TryParse(item.Payload);
        return stored;
    }

    /// <summary>
    /// Groups the images in the index whose hashes lie within <see cref="Radius"/> of each other
    /// (connected components: members may be further apart, linked through others), largest
    /// group first. Call it after <see cref="ScanAsync"/> so that the index matches the folder.
    /// </summary>
    /// <param name="progress">Receives "grouping" progress.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    public IReadOnlyList<ImageGroup> FindGroups(IProgress<ScanProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        IProgress<DuplicateProgress>? forward = progress is null
            ? null
            : new SynchronousProgress<DuplicateProgress>(p => progress.Report(new ScanProgress("grouping", p.Done, p.Total)));
        DuplicateReport report = _index.FindDuplicates(Radius, progress: forward, cancellationToken: cancellationToken);
        var groups = new List<ImageGroup>(report.Groups.Count);
        foreach (DuplicateGroup group in report.Groups)
        {
            var members = new List<GroupMember>(group.Count);
            ulong[]? first = null;
            foreach (string id in group.Ids)
            {
                if (!_index.TryGet(id, out StoredItem? item)) continue;
                first ??= item.Code;
                FileRecord record = FileRecord.TryParse(item.Payload) ?? new FileRecord(id, 0, 0, null, "");
                members.Add(new GroupMember(
                    record.Path,
                    record.Size,
                    new DateTime(record.ModifiedTicks, DateTimeKind.Utc),
                    Distance(first, item.Code),
                    record.Quality,
                    record.Hash));
            }
            if (members.Count > 1) groups.Add(new ImageGroup(members));
        }
        return groups;
    }

    private static int Distance(ulong[] a, ulong[] b)
    {
        int d = 0;
        for (int i = 0; i < a.Length; i++) d += BitOperations.PopCount(a[i] ^ b[i]);
        return d;
    }

    /// <summary>Closes the index (committing everything) and releases its writer lock.</summary>
    public void Dispose() => _index.Dispose();

    /// <summary>An <see cref="IProgress{T}"/> that calls its handler on the reporting thread (unlike <see cref="Progress{T}"/>).</summary>
    private sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}

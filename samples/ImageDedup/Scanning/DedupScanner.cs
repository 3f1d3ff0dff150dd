using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics;
using Aknn.Embedded;
using CommunityToolkit.HighPerformance;
using ImageDedup.Decoding;
using ImageDedup.Hashing;

namespace ImageDedup.Scanning;

/// <summary>
/// Finds near-duplicate images in a folder. <see cref="ScanAsync"/> brings the hash index up to
/// date with the folder (hashing only new and changed files, dropping entries of files that are
/// gone); <see cref="FindGroups"/> then asks the index for pairs of hashes within the radius and
/// joins the files they belong to into groups, each with a keeper.
/// </summary>
/// <remarks>
/// The index is an Aknn.Embedded <see cref="VectorIndex"/> of <see cref="Metric.Hamming"/> codes
/// (256 bits for PDQ, 64 for pHash). Each file has one code for its full frame, keyed by its
/// relative path (see <see cref="ItemIds"/>), and with crop hashes on, one code per crop region,
/// keyed by the path, '#' and the region's name; each code's payload is a <see cref="FileRecord"/>.
/// The scanner holds the index's writer lock until it is disposed, so two scans of the same cache
/// cannot interleave.
/// </remarks>
public sealed class DedupScanner : IDisposable
{
    private readonly SkiaImageDecoder _decoder;
    private readonly VectorIndex _index;
    private readonly int _workers;
    private readonly IReadOnlyList<CropRegion> _regions;
    private readonly string _regionNames;
    private readonly object _writeLock = new();

    /// <summary>
    /// How many hashed files are written to the index in one batch. Larger batches cost less per
    /// row; what is lost to a crash before the final commit is hashed again by the next scan.
    /// </summary>
    private const int WriteBatchFiles = 64;

    private DedupScanner(string folder, DedupSettings settings, int radius, string indexRoot, string indexFolder, VectorIndex index)
    {
        Folder = folder;
        Hash = settings.Hash;
        Radius = radius;
        IndexRoot = indexRoot;
        IndexFolder = indexFolder;
        IncludeLowQuality = settings.IncludeLowQuality;
        _decoder = new SkiaImageDecoder(settings.DecodeMinimumSide);
        _index = index;
        _workers = settings.Workers;
        _regions = settings.CropHashes ? CropRegions.Default : CropRegions.FullFrameOnly;
        _regionNames = CropRegions.Names(_regions);
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

    /// <summary>Whether low-quality PDQ hashes may link images (see <see cref="DedupSettings.IncludeLowQuality"/>).</summary>
    public bool IncludeLowQuality { get; }

    /// <summary>The regions hashed per image (the full frame first).</summary>
    public IReadOnlyList<CropRegion> Regions => _regions;

    /// <summary>Checks the settings and opens (or creates) the index.</summary>
    /// <param name="settings">What to scan and how.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The radius, the number of workers or the decode size is out of range.</exception>
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
        if (settings.DecodeMinimumSide < 0)
            throw new ArgumentOutOfRangeException(nameof(settings), settings.DecodeMinimumSide, "The decode size must be 0 (full resolution) or a number of pixels.");

        string root = Path.GetFullPath(settings.IndexRoot ?? IndexLocation.DefaultRoot(folder));
        string indexFolder = IndexLocation.Prepare(root, folder, settings.Hash);
        var index = VectorIndex.OpenOrCreate(indexFolder, new IndexOptions
        {
            Dimensions = bits,
            Metric = Metric.Hamming,
            // A scan is redone from the files after a crash (only what changed is hashed again),
            // so its writes need no flush of their own: one commit at the end of the scan.
            Durability = Durability.Manual,
        });
        return new DedupScanner(folder, settings, radius, root, indexFolder, index);
    }

    /// <summary>
    /// Brings the index up to date with the folder: hashes new and changed files (by size and
    /// modification time) in parallel, deletes entries of files that are gone, and commits.
    /// </summary>
    /// <param name="progress">Receives "listing" and "hashing" progress; may be called from several threads.</param>
    /// <param name="failed">Called once for each file that cannot be decoded or hashed (from worker threads); the scan goes on.</param>
    /// <param name="cancellationToken">
    /// Stops the scan: no new file is started, what was hashed is committed, and the summary comes
    /// back with <see cref="ScanSummary.WasCancelled"/> set.
    /// </param>
    public Task<ScanSummary> ScanAsync(IProgress<ScanProgress>? progress = null, Action<FileFailure>? failed = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Scan(progress, failed, cancellationToken), CancellationToken.None);

    private ScanSummary Scan(IProgress<ScanProgress>? progress, Action<FileFailure>? failed, CancellationToken cancellationToken)
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
        var work = new List<(ImageFile File, string[] Ids)>();
        int reused = 0;
        foreach (ImageFile file in files)
        {
            string[] ids = CodeIds(file.RelativePath);
            present.UnionWith(ids);
            bool current = stored.TryGetValue(ids[0], out FileRecord? record) && record is not null && record.Matches(file)
                && record.Regions == _regionNames && ids.All(stored.ContainsKey);
            if (current) reused++;
            else work.Add((file, ids));
        }
        var gone = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, record) in stored)
        {
            if (present.Contains(id)) continue;
            if (_index.Delete(id) && record is not null && record.Region == CropRegion.Full.Name) gone.Add(record.Path);
        }

        var failures = new ConcurrentBag<FileFailure>();
        int hashed = 0, done = 0;
        long decodeTicks = 0, hashTicks = 0, storeTicks = 0;
        bool cancelled = false;
        var pending = new List<HashedFile>(WriteBatchFiles);
        var pendingLock = new object();
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _workers, CancellationToken = cancellationToken };
            Parallel.ForEach(work, parallel, item =>
            {
                HashedFile? result = HashOne(item.File, item.Ids, ref decodeTicks, ref hashTicks, out FileFailure? failure);
                if (result is not null)
                {
                    Interlocked.Increment(ref hashed);
                    // Whoever fills the batch writes it, while the other workers go on hashing.
                    List<HashedFile>? full = null;
                    lock (pendingLock)
                    {
                        pending.Add(result);
                        if (pending.Count >= WriteBatchFiles)
                        {
                            full = pending;
                            pending = new List<HashedFile>(WriteBatchFiles);
                        }
                    }
                    if (full is not null) Store(full, ref storeTicks);
                }
                else
                {
                    // Stale entries for a file that now fails must not stand in for it.
                    lock (_writeLock)
                    {
                        foreach (string id in item.Ids) _index.Delete(id);
                    }
                    failures.Add(failure!);
                    failed?.Invoke(failure!);
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
            // What was hashed before a cancellation or an error is kept.
            Store(pending, ref storeTicks);
            long start = Stopwatch.GetTimestamp();
            _index.Commit();
            storeTicks += Stopwatch.GetTimestamp() - start;
        }

        var sortedFailures = failures.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        return new ScanSummary(files.Count, hashed, reused, gone.Count, sortedFailures, cancelled, clock.Elapsed,
            ToTimeSpan(decodeTicks),
            ToTimeSpan(hashTicks), ToTimeSpan(storeTicks));
    }

    /// <summary>The ids of a file's codes: its full frame's first, then one per crop region.</summary>
    private string[] CodeIds(string relativePath)
    {
        var ids = new string[_regions.Count];
        ids[0] = ItemIds.For(relativePath);
        // "x.jpg#tl90" never ends with an image extension, so it cannot be the id of another file.
        for (int i = 1; i < ids.Length; i++) ids[i] = ItemIds.For(relativePath + "#" + _regions[i].Name);
        return ids;
    }

    private static TimeSpan ToTimeSpan(long ticks) => TimeSpan.FromTicks(ticks * TimeSpan.TicksPerSecond / Stopwatch.Frequency);

    /// <summary>
    /// Decodes and hashes one file and prepares its index rows (codes and payloads, serialised here
    /// on the worker rather than in the writer); returns null and the failure when it cannot.
    /// </summary>
    private HashedFile? HashOne(ImageFile file, string[] ids, ref long decodeTicks, ref long hashTicks, out FileFailure? failure)
    {
        failure = null;
        long start = Stopwatch.GetTimestamp();
        DecodedImage image;
        try
        {
            image = _decoder.Decode(file.FullPath, ArrayPool<byte>.Shared);
        }
        catch (ImageDecodeException e)
        {
            failure = new FileFailure(file.RelativePath, e.Message);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failure = new FileFailure(file.RelativePath, "the file cannot be read: " + e.Message);
            return null;
        }
        long decoded = Stopwatch.GetTimestamp();
        Interlocked.Add(ref decodeTicks, decoded - start);

        ImageHash[] hashes;
        try
        {
            hashes = ImageHasher.ComputeAll(Hash, image, _regions);
        }
        catch (ArgumentException e)
        {
            failure = new FileFailure(file.RelativePath, "the image could not be hashed: " + e.Message);
            return null;
        }
        finally
        {
            // The pixels were rented for this file only (a scan would otherwise allocate a large array per image).
            ArrayPool<byte>.Shared.Return(image.Pixels);
        }

        int words = hashes[0].Code.Length;
        var codes = new ulong[hashes.Length * words];
        var payloads = new byte[hashes.Length][];
        for (int i = 0; i < hashes.Length; i++)
        {
            hashes[i].Code.CopyTo(codes, i * words);
            // The full frame's record describes the file; a crop's record only names its file,
            // region and quality (its code is read back from the index, see FindGroups).
            FileRecord record = i == 0
                ? new FileRecord(file.RelativePath, file.Size, file.ModifiedUtc.Ticks, hashes[i].Quality, hashes[i].Hex,
                    image.SourceWidth, image.SourceHeight, hashes[i].Region.Name, _regionNames)
                : FileRecord.ForCrop(file.RelativePath, hashes[i].Region.Name, hashes[i].Quality);
            payloads[i] = record.ToUtf8();
        }
        Interlocked.Add(ref hashTicks, Stopwatch.GetTimestamp() - decoded);
        return new HashedFile(ids, codes, payloads);
    }

    /// <summary>Writes the rows of several hashed files in one batch (one log record group instead of one per code).</summary>
    private void Store(List<HashedFile> batch, ref long storeTicks)
    {
        if (batch.Count == 0) return;
        long start = Stopwatch.GetTimestamp();
        int words = Hash.Bits() / 64;
        int rows = 0;
        foreach (HashedFile f in batch) rows += f.Ids.Length;
        var ids = new string[rows];
        var payloads = new byte[rows][];
        var codes = new ulong[rows * words];
        int row = 0;
        foreach (HashedFile f in batch)
        {
            f.Ids.CopyTo(ids, row);
            f.Payloads.CopyTo(payloads, row);
            f.Codes.CopyTo(codes, row * words);
            row += f.Ids.Length;
        }
        lock (_writeLock)
        {
            _index.UpsertCodeBatch(ids, new ReadOnlySpan2D<ulong>(codes, rows, words), payloads);
        }
        Interlocked.Add(ref storeTicks, Stopwatch.GetTimestamp() - start);
    }

    /// <summary>One file's index rows, ready to write: ids, codes (one after another) and payloads.</summary>
    private sealed record HashedFile(string[] Ids, ulong[] Codes, byte[][] Payloads);

    /// <summary>Every entry of the index: id and record (null where the payload is not a record of this program).</summary>
    private Dictionary<string, FileRecord?> LoadStored()
    {
        // Streams the live items of one snapshot (ids and payloads; the codes are not needed here).
        var stored = new Dictionary<string, FileRecord?>((int)Math.Min(_index.Count, int.MaxValue), StringComparer.Ordinal);
        foreach (StoredItem item in _index.EnumerateItems()) stored[item.Id] = FileRecord.TryParse(item.Payload);
        return stored;
    }

    /// <summary>
    /// Groups the images in the index: two images join when a hash of one (full frame or crop)
    /// lies within <see cref="Radius"/> of a hash of the other, and groups are the connected
    /// components of those links (members may be further apart, linked through others), largest
    /// first. PDQ hashes of quality below <see cref="DedupSettings.MinimumQuality"/> link nothing
    /// unless <see cref="IncludeLowQuality"/> is set. Each group's keeper is the member with the
    /// most pixels, then the largest file, then the oldest, then the first path. Call it after
    /// <see cref="ScanAsync"/> so that the index matches the folder.
    /// </summary>
    /// <param name="progress">Receives "grouping" progress.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    public GroupingResult FindGroups(IProgress<ScanProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        // The files and their codes, from the payloads.
        var files = new Dictionary<string, StoredFile>(StringComparer.Ordinal);
        var codeFile = new Dictionary<string, (StoredFile File, int? Quality)>(StringComparer.Ordinal);
        foreach (StoredItem item in _index.EnumerateItems(includeVectors: true, cancellationToken: cancellationToken))
        {
            FileRecord? record = FileRecord.TryParse(item.Payload);
            if (record is null) continue;
            if (!files.TryGetValue(record.Path, out StoredFile? file)) files[record.Path] = file = new StoredFile(record.Path);
            if (record.Region == CropRegion.Full.Name) file.Full = record;
            file.Codes.Add(item.Code);
            codeFile[item.Id] = (file, record.Quality);
        }

        IProgress<DuplicateProgress>? forward = progress is null
            ? null
            : new SynchronousProgress<DuplicateProgress>(p => progress.Report(new ScanProgress("grouping", p.Done, p.Total)));
        DuplicateReport report = _index.FindDuplicates(Radius, new DuplicateOptions { IncludePairs = true }, forward, cancellationToken);

        var parent = new Dictionary<StoredFile, StoredFile>();
        var linked = new HashSet<StoredFile>();
        StoredFile Root(StoredFile f)
        {
            while (parent.TryGetValue(f, out StoredFile? up) && up != f) f = up;
            return f;
        }
        foreach (DuplicatePair pair in report.Pairs)
        {
            if (!codeFile.TryGetValue(pair.First, out var a) || !codeFile.TryGetValue(pair.Second, out var b)) continue;
            if (a.File == b.File || a.File.Full is null || b.File.Full is null) continue;
            if (!IncludeLowQuality && (IsLow(a.Quality) || IsLow(b.Quality))) continue;
            linked.Add(a.File);
            linked.Add(b.File);
            StoredFile ra = Root(a.File), rb = Root(b.File);
            if (ra == rb) continue;
            // Union by path order, so that the component's root does not depend on pair order.
            if (string.CompareOrdinal(ra.Path, rb.Path) < 0) parent[rb] = ra;
            else parent[ra] = rb;
        }

        var components = new Dictionary<StoredFile, List<StoredFile>>();
        foreach (StoredFile file in linked)
        {
            StoredFile root = Root(file);
            if (!components.TryGetValue(root, out var list)) components[root] = list = [];
            list.Add(file);
        }

        var groups = new List<ImageGroup>(components.Count);
        foreach (List<StoredFile> members in components.Values)
        {
            if (members.Count < 2) continue;
            StoredFile keeper = members.OrderByDescending(f => (long)f.Full!.Width * f.Full.Height)
                .ThenByDescending(f => f.Full!.Size)
                .ThenBy(f => f.Full!.ModifiedTicks)
                .ThenBy(f => f.Path, StringComparer.Ordinal)
                .First();
            var list = members
                .Select(f => Member(f, f == keeper ? 0 : Distance(f, keeper), f == keeper))
                .OrderByDescending(m => m.IsKeeper)
                .ThenBy(m => m.Distance)
                .ThenBy(m => m.Path, StringComparer.Ordinal)
                .ToList();
            groups.Add(new ImageGroup(list));
        }
        groups.Sort((x, y) => x.Count != y.Count ? y.Count.CompareTo(x.Count) : string.CompareOrdinal(x.Keeper.Path, y.Keeper.Path));

        var low = files.Values.Where(f => f.Full is not null && IsLow(f.Full.Quality)).Select(f => f.Path).Order(StringComparer.Ordinal).ToList();
        return new GroupingResult(groups, low, IncludeLowQuality);
    }

    private static bool IsLow(int? quality) => quality is int q && q < DedupSettings.MinimumQuality;

    private static GroupMember Member(StoredFile file, int distance, bool keeper)
    {
        FileRecord r = file.Full!;
        return new GroupMember(r.Path, r.Size, new DateTime(r.ModifiedTicks, DateTimeKind.Utc), r.Width, r.Height, distance, r.Quality, r.Hash ?? string.Empty, keeper);
    }

    /// <summary>The smallest distance between any code of <paramref name="a"/> and any code of <paramref name="b"/>.</summary>
    private static int Distance(StoredFile a, StoredFile b)
    {
        int best = int.MaxValue;
        foreach (ulong[] x in a.Codes)
        {
            foreach (ulong[] y in b.Codes)
            {
                if (x.Length != y.Length) continue;
                int d = 0;
                for (int i = 0; i < x.Length; i++) d += BitOperations.PopCount(x[i] ^ y[i]);
                best = Math.Min(best, d);
            }
        }
        return best == int.MaxValue ? 0 : best;
    }

    /// <summary>Closes the index (committing everything) and releases its writer lock.</summary>
    public void Dispose() => _index.Dispose();

    /// <summary>A file in the index: its full-frame record and every code stored for it.</summary>
    private sealed class StoredFile(string path)
    {
        public string Path { get; } = path;

        public FileRecord? Full { get; set; }

        public List<ulong[]> Codes { get; } = [];
    }

    /// <summary>An <see cref="IProgress{T}"/> that calls its handler on the reporting thread (unlike <see cref="Progress{T}"/>).</summary>
    private sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}

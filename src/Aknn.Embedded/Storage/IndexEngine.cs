using System.Buffers;
using System.Globalization;
using System.Text;

namespace Aknn.Embedded.Storage;

/// <summary>
/// The storage engine behind <see cref="VectorIndex"/>: the log, the in-memory tail, the
/// segments, the manifest and the snapshots searches read. One writer at a time (the
/// <c>_write</c> lock in-process, the LOCK file across processes); readers never take a lock.
/// </summary>
internal sealed class IndexEngine : IDisposable
{
    /// <summary>Records are appended to the log in groups of at most this many bytes.</summary>
    private const int MaxGroupBytes = 4 << 20;

    /// <summary>On dispose the tail is sealed only when it holds at least this much, so reopening stays fast without littering tiny segments.</summary>
    private const long SealOnCloseBytes = 1 << 20;

    private readonly object _write = new();
    private readonly object _flush = new();
    private readonly object _compaction = new();
    private readonly IFaultInjector? _faults;
    private readonly WriterLock? _lock;
    private readonly Durability _durability;
    private readonly Timer? _flusher;
    private Manifest _manifest;
    private LogFile? _log;
    private Tail _tail;
    private List<Segment> _segments;
    private Snapshot _snapshot;
    private long _seq;
    private long _live;
    private bool _disposed;
    private long _sealRetryBytes;

    private IndexEngine(string folder, Manifest manifest, WriterLock? writerLock, Durability durability, long sealThreshold, IFaultInjector? faults)
    {
        Folder = folder;
        _manifest = manifest;
        _lock = writerLock;
        _durability = durability;
        SealThreshold = sealThreshold;
        _faults = faults;
        Schema = new SegmentSchema(manifest.Metric, manifest.Model, manifest.Dimensions, RowBytesOf(manifest.Metric, manifest.Dimensions), manifest.Fingerprint());
        _tail = NewTail();
        _segments = [];
        _snapshot = new Snapshot(new SegmentSet([]), _tail, [], 0, 0, 0);
        if (writerLock is not null && durability.Kind == DurabilityKind.Batched)
            _flusher = new Timer(_ => FlushInBackground(), null, durability.Interval, durability.Interval);
    }

    private Tail NewTail() =>
        new(Schema.RowBytes, Metric == Metric.Cosine, (int)Math.Min(int.MaxValue, SealThreshold / (Schema.RowBytes + 64)));

    public string Folder { get; }
    public SegmentSchema Schema { get; }
    public long SealThreshold { get; }
    public bool ReadOnly => _lock is null;
    public Metric Metric => Schema.Metric;
    public int Dimensions => Schema.Dimensions;
    public DateTime CreatedUtc => _manifest.CreatedUtc;

    /// <summary>A failure that left the on-disk state uncertain (a failed fsync); all later writes are refused.</summary>
    public Exception? Fault { get; private set; }

    public static int RowBytesOf(Metric metric, int dimensions) => metric == Metric.Hamming ? dimensions / 8 : dimensions * sizeof(float);

    private static string SegmentName(long n) => $"seg-{n:D6}.seg";
    private static string LogName(long n) => $"log-{n:D6}.wal";
    private static string DeletionName(long segment, long n) => $"seg-{segment:D6}-{n:D6}.del";

    // ---------------------------------------------------------------- create / open

    public static IndexEngine Create(string folder, IndexOptions options)
    {
        options.Validate();
        if (File.Exists(folder))
            throw new IOException($"Cannot create an index at '{folder}': a file with that name exists. Choose a folder path.");
        if (Directory.Exists(folder))
        {
            if (File.Exists(Path.Combine(folder, Manifest.FileName)))
                throw new IOException($"An index already exists at '{folder}'. Open it with VectorIndex.Open, or delete the folder to start over.");
            if (Directory.EnumerateFileSystemEntries(folder).Any(e => !IsLeftByInterruptedCreate(e)))
                throw new IOException($"Cannot create an index in '{folder}': the folder is not empty. Choose a new or empty folder.");
        }
        Directory.CreateDirectory(folder);
        var writerLock = WriterLock.Acquire(folder);
        try
        {
            // Under the lock: another process may have created the index meanwhile. Otherwise clear
            // what a Create that crashed or hit a full disk left behind (it never wrote a MANIFEST).
            if (File.Exists(Path.Combine(folder, Manifest.FileName)))
                throw new IOException($"An index already exists at '{folder}'. Open it with VectorIndex.Open, or delete the folder to start over.");
            foreach (string path in Directory.EnumerateFiles(folder))
                if (IsLeftByInterruptedCreate(path) && Path.GetFileName(path) != WriterLock.FileName) File.Delete(path);
            var manifest = new Manifest
            {
                Metric = options.Metric,
                Dimensions = options.Dimensions,
                Model = options.Model.Kind,
                SealThresholdBytes = options.SealThresholdBytes,
                CreatedUtc = DateTime.UtcNow,
                Generation = 1,
                NextFileNumber = 2,
                LogFile = LogName(1),
            };
            var engine = new IndexEngine(folder, manifest, writerLock, options.Durability, options.SealThresholdBytes, options.Faults);
            try
            {
                engine._log = LogFile.Create(Path.Combine(folder, manifest.LogFile), 1, options.Faults);
                manifest.Write(folder, options.Faults);
            }
            catch (IOException e)
            {
                engine.Dispose();
                throw new StorageFullException(Path.Combine(folder, Manifest.FileName), e);
            }
            catch
            {
                engine.Dispose();
                throw;
            }
            return engine;
        }
        catch
        {
            writerLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether a file can only be a leftover of a Create that never finished: the lock file, the
    /// temporary manifest, or the first log while it holds no record (nothing can be written
    /// before the MANIFEST exists).
    /// </summary>
    private static bool IsLeftByInterruptedCreate(string path)
    {
        string name = Path.GetFileName(path);
        return name == WriterLock.FileName || name == Manifest.FileName + ".tmp"
            || (name == LogName(1) && File.Exists(path) && new FileInfo(path).Length <= LogFormat.HeaderSize);
    }

    public static IndexEngine Open(string folder, OpenOptions options)
    {
        if (!Directory.Exists(folder))
            throw new NotAnIndexException(folder, File.Exists(folder) ? "it is a file, not an index folder" : "the folder does not exist");
        if (options.ReadOnly)
        {
            // A writer may seal or compact while we open and delete a file we were about to read: try again.
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    return OpenOnce(folder, options, null);
                }
                catch (FileNotFoundException) when (attempt < 20)
                {
                    Thread.Sleep(5);
                }
                catch (FileNotFoundException e)
                {
                    throw MissingFile(folder, e);
                }
            }
        }
        if (!File.Exists(Path.Combine(folder, Manifest.FileName)))
            throw new NotAnIndexException(folder, "the folder has no MANIFEST file");
        var writerLock = WriterLock.Acquire(folder);
        try
        {
            return OpenOnce(folder, options, writerLock);
        }
        catch (FileNotFoundException e)
        {
            writerLock.Dispose();
            throw MissingFile(folder, e);
        }
        catch
        {
            writerLock.Dispose();
            throw;
        }
    }

    /// <summary>A file the manifest lists is gone: the index is damaged, not merely unreadable.</summary>
    private static IndexCorruptedException MissingFile(string folder, FileNotFoundException e) =>
        new(e.FileName ?? folder, 0, "the file is missing although the MANIFEST lists it (deleted, or not copied with the rest of the index folder)");

    private static IndexEngine OpenOnce(string folder, OpenOptions options, WriterLock? writerLock)
    {
        Manifest manifest = Manifest.Read(folder);
        string manifestPath = Path.Combine(folder, Manifest.FileName);
        if (!Enum.IsDefined(manifest.Metric) || manifest.Dimensions <= 0 || manifest.Dimensions > IndexOptions.MaxDimensions)
            throw new IndexCorruptedException(manifestPath, 0, "the manifest describes an invalid schema");
        if (manifest.Model != IndexModelKind.Exact)
            throw new UnsupportedFormatVersionException(manifestPath, manifest.FormatVersion + 1, Manifest.Version);
        var engine = new IndexEngine(folder, manifest, writerLock, options.Durability, options.SealThresholdBytes ?? manifest.SealThresholdBytes, options.Faults);
        try
        {
            engine.Recover();
            return engine;
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    private void Recover()
    {
        foreach (ManifestSegment ms in _manifest.Segments)
        {
            var seg = Segment.Open(Path.Combine(Folder, ms.File), ms.Id, Schema);
            _segments.Add(seg);
            if (seg.RowCount != ms.Rows)
                throw new IndexCorruptedException(seg.Path, SegmentFormat.OffRowCount, $"the segment holds {seg.RowCount} rows but the manifest lists {ms.Rows}");
            if (ms.DeletionFile is not null)
            {
                seg.LoadDeletions(DeletionFile.Read(Path.Combine(Folder, ms.DeletionFile), ms.Id, seg.RowCount));
                seg.DeletionFile = ms.DeletionFile;
            }
            _live += seg.RowCount - seg.DeletedCount(0);
        }
        _seq = _manifest.LastSealedSequence;
        string logPath = Path.Combine(Folder, _manifest.LogFile);
        long generation = long.Parse(_manifest.LogFile.AsSpan(4, 6), CultureInfo.InvariantCulture);
        long valid = LogReplay.Replay(logPath, generation, Schema.RowBytes, (in LogFormat.Record r) =>
        {
            if (r.Sequence <= _seq) return; // already sealed into a segment
            string id = Encoding.UTF8.GetString(r.Id);
            if (r.Kind == LogRecordKind.Upsert) ApplyUpsert(r.Sequence, id, r.Id.ToArray(), r.Vector, r.Payload);
            else ApplyDelete(r.Sequence, id, r.Id.ToArray());
        });
        if (!ReadOnly)
        {
            _log = LogFile.OpenForAppend(logPath, valid, _faults);
            RemoveOrphans();
        }
        Publish(new SegmentSet([.. _segments]));
    }

    /// <summary>Deletes files a crash left behind: segments, deletion files and logs the manifest does not list.</summary>
    private void RemoveOrphans()
    {
        var keep = new HashSet<string>(StringComparer.Ordinal) { Manifest.FileName, WriterLock.FileName, _manifest.LogFile };
        foreach (var s in _manifest.Segments)
        {
            keep.Add(s.File);
            if (s.DeletionFile is not null) keep.Add(s.DeletionFile);
        }
        foreach (string path in Directory.EnumerateFiles(Folder))
        {
            string name = Path.GetFileName(path);
            bool ours = name.EndsWith(".tmp", StringComparison.Ordinal)
                || (name.StartsWith("seg-", StringComparison.Ordinal) && (name.EndsWith(".seg", StringComparison.Ordinal) || name.EndsWith(".del", StringComparison.Ordinal)))
                || (name.StartsWith("log-", StringComparison.Ordinal) && name.EndsWith(".wal", StringComparison.Ordinal));
            if (ours && !keep.Contains(name))
            {
                try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    // ---------------------------------------------------------------- snapshots

    /// <summary>Acquires the current snapshot; pair with <see cref="Release"/>.</summary>
    public Snapshot Acquire()
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Snapshot s = Volatile.Read(ref _snapshot);
            if (s.Segments.TryAcquire()) return s;
        }
    }

    public static void Release(Snapshot s) => s.Segments.Release();

    public long Count => Volatile.Read(ref _snapshot).LiveCount;

    private void PublishTail() =>
        Volatile.Write(ref _snapshot, new Snapshot(_snapshot.Segments, _tail, _tail.Chunks, _tail.Count, _seq, _live));

    private void Publish(SegmentSet set)
    {
        Snapshot old = _snapshot;
        Volatile.Write(ref _snapshot, new Snapshot(set, _tail, _tail.Chunks, _tail.Count, _seq, _live));
        if (!ReferenceEquals(old.Segments, set)) old.Segments.Release();
    }

    // ---------------------------------------------------------------- writes

    private void CheckWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (ReadOnly) throw new IndexReadOnlyException(Folder);
        if (Fault is not null)
            throw new AknnException($"The index at '{Folder}' stopped accepting writes after a storage failure ({Fault.Message}). Dispose it and open it again: recovery restores the last durable state.", Fault);
    }

    /// <summary>One upsert or delete, already validated.</summary>
    public readonly record struct Write(string Id, byte[] IdUtf8, ReadOnlyMemory<byte> Vector, ReadOnlyMemory<byte> Payload, bool IsDelete);

    public void Upsert(string id, byte[] idUtf8, ReadOnlySpan<byte> vector, ReadOnlySpan<byte> payload)
    {
        lock (_write)
        {
            CheckWritable();
            long seq = _seq + 1;
            int size = LogFormat.UpsertSize(idUtf8.Length, vector.Length, payload.Length);
            byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                LogFormat.Encode(buffer.AsSpan(0, size), LogRecordKind.Upsert, seq, idUtf8, vector, payload);
                _log!.Append(buffer.AsSpan(0, size));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            ApplyUpsert(seq, id, idUtf8, vector, payload);
            PublishTail();
            AfterWrite();
        }
    }

    /// <summary>Applies writes in order, logging them in groups; each group is appended whole or not at all.</summary>
    public void WriteMany(IReadOnlyList<Write> writes, Action<int>? done = null, CancellationToken cancel = default)
    {
        lock (_write)
        {
            CheckWritable();
            int i = 0;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxGroupBytes);
            try
            {
                while (i < writes.Count)
                {
                    cancel.ThrowIfCancellationRequested();
                    // Encode a group of records that fits the buffer (one oversized record gets a buffer of its own).
                    int start = i, used = 0;
                    long seq = _seq;
                    var logged = new List<(int Index, long Seq)>();
                    while (i < writes.Count)
                    {
                        Write w = writes[i];
                        int size = w.IsDelete ? LogFormat.DeleteSize(w.IdUtf8.Length) : LogFormat.UpsertSize(w.IdUtf8.Length, w.Vector.Length, w.Payload.Length);
                        if (size > buffer.Length - used)
                        {
                            if (used > 0) break;
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = ArrayPool<byte>.Shared.Rent(size);
                        }
                        LogFormat.Encode(buffer.AsSpan(used, size), w.IsDelete ? LogRecordKind.Delete : LogRecordKind.Upsert, ++seq, w.IdUtf8, w.Vector.Span, w.Payload.Span);
                        logged.Add((i, seq));
                        used += size;
                        i++;
                    }
                    try
                    {
                        _log!.Append(buffer.AsSpan(0, used));
                    }
                    catch (StorageFullException e) when (start > 0)
                    {
                        throw new StorageFullException(e.FilePath, e.InnerException!,
                            $"The first {start} rows of the batch were applied; rows {start} and later were not. Free disk space and write the rest again.");
                    }
                    foreach (var (index, s) in logged)
                    {
                        Write w = writes[index];
                        if (w.IsDelete) ApplyDelete(s, w.Id, w.IdUtf8);
                        else ApplyUpsert(s, w.Id, w.IdUtf8, w.Vector.Span, w.Payload.Span);
                    }
                    PublishTail();
                    AfterWrite();
                    done?.Invoke(i - start);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    public bool Delete(string id, byte[] idUtf8)
    {
        lock (_write)
        {
            CheckWritable();
            if (!TryLocateCurrent(id, idUtf8, out _)) return false;
            long seq = _seq + 1;
            int size = LogFormat.DeleteSize(idUtf8.Length);
            Span<byte> record = size <= 1024 ? stackalloc byte[size] : new byte[size];
            LogFormat.Encode(record, LogRecordKind.Delete, seq, idUtf8, default, default);
            _log!.Append(record);
            ApplyDelete(seq, id, idUtf8);
            PublishTail();
            AfterWrite();
            return true;
        }
    }

    private bool TryLocateCurrent(string id, byte[] idUtf8, out RowLocation location) =>
        RowLookup.TryLocate(_segments, _tail, _tail.Count, _seq, id, idUtf8, out location);

    private void ApplyUpsert(long seq, string id, byte[] idUtf8, ReadOnlySpan<byte> vector, ReadOnlySpan<byte> payload)
    {
        if (RemoveLive(seq, id, idUtf8)) _live--;
        _tail.Append(id, idUtf8, vector, payload);
        _live++;
        _seq = seq;
    }

    private void ApplyDelete(long seq, string id, byte[] idUtf8)
    {
        if (RemoveLive(seq, id, idUtf8)) _live--;
        _seq = seq;
    }

    /// <summary>Marks the live row of <paramref name="id"/>, if any, deleted at <paramref name="seq"/>.</summary>
    private bool RemoveLive(long seq, string id, byte[] idUtf8)
    {
        if (!TryLocateCurrent(id, idUtf8, out RowLocation at)) return false;
        if (at.Segment is null) _tail.MarkDeleted(at.Row, seq);
        else at.Segment.MarkDeleted(at.Row, seq);
        return true;
    }

    private void AfterWrite()
    {
        if (_durability.Kind == DurabilityKind.PerWrite) SyncLog();
        if (_tail.Bytes >= SealThreshold + _sealRetryBytes)
        {
            try
            {
                Seal();
                _sealRetryBytes = 0;
            }
            catch (Exception e) when (e is IOException or StorageFullException or UnauthorizedAccessException)
            {
                // The writes themselves are safe in the log; sealing is retried once the tail grows by another quarter.
                _sealRetryBytes += Math.Max(SealThreshold / 4, 1);
            }
        }
    }

    private void SyncLog()
    {
        try
        {
            lock (_flush) _log!.Sync();
        }
        catch (IOException e)
        {
            // After a failed fsync the kernel may have dropped the dirty pages: the state on disk is unknown.
            Fault = e;
            throw new AknnException($"Flushing the log '{_log!.Path}' to disk failed ({e.Message}). The index refuses further writes; dispose it and open it again.", e);
        }
    }

    private void FlushInBackground()
    {
        try
        {
            lock (_flush)
            {
                if (_disposed || _log is null || !_log.HasUnsyncedData) return;
                _log.Sync();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            Fault ??= e;
        }
    }

    public void Commit()
    {
        lock (_write)
        {
            CheckWritable();
            SyncLog();
        }
    }

    // ---------------------------------------------------------------- seal

    /// <summary>Writes the tail's live rows into a new segment and starts a new log. Writer lock held.</summary>
    private void Seal()
    {
        if (_tail.Count == 0) return;
        long seq = _seq;
        ISegmentSource rows = _tail.LiveRows(seq);
        var next = CloneManifest();
        var created = new List<string>();
        Segment? fresh = null;
        LogFile? newLog = null;
        try
        {
            if (rows.Count > 0)
            {
                long segId = next.NextFileNumber++;
                string segPath = Path.Combine(Folder, SegmentName(segId));
                created.Add(segPath);
                SegmentWriter.Write(segPath, segId, _manifest.LastSealedSequence + 1, seq, Schema, rows, _faults);
                fresh = Segment.Open(segPath, segId, Schema);
                next.Segments.Add(new ManifestSegment { Id = segId, File = SegmentName(segId), Rows = rows.Count });
            }
            var newDeletionFiles = PersistDeletions(next, created);
            long logId = next.NextFileNumber++;
            string logPath = Path.Combine(Folder, LogName(logId));
            created.Add(logPath);
            newLog = LogFile.Create(logPath, logId, _faults);
            next.LogFile = LogName(logId);
            next.LastSealedSequence = seq;
            next.Write(Folder, _faults);

            // The manifest now names the new files: switch over.
            string oldLog = _log!.Path;
            lock (_flush)
            {
                _log.Dispose();
                _log = newLog;
            }
            TryDelete(oldLog);
            CommitDeletionFiles(newDeletionFiles);
            _manifest = next;
            if (fresh is not null) _segments.Add(fresh);
            _tail = NewTail();
            Publish(new SegmentSet([.. _segments]));
        }
        catch
        {
            fresh?.Release();
            newLog?.Dispose();
            foreach (string path in created) TryDelete(path);
            throw;
        }
    }

    private Manifest CloneManifest() => new()
    {
        Metric = _manifest.Metric,
        Dimensions = _manifest.Dimensions,
        Model = _manifest.Model,
        SealThresholdBytes = _manifest.SealThresholdBytes,
        CreatedUtc = _manifest.CreatedUtc,
        Generation = _manifest.Generation + 1,
        NextFileNumber = _manifest.NextFileNumber,
        LastSealedSequence = _manifest.LastSealedSequence,
        LogFile = _manifest.LogFile,
        Segments = _manifest.Segments.Select(s => new ManifestSegment { Id = s.Id, File = s.File, Rows = s.Rows, DeletionFile = s.DeletionFile }).ToList(),
    };

    /// <summary>Writes a new deletion file for every segment with unpersisted deletions and points <paramref name="next"/> at it.</summary>
    private List<(Segment Segment, string File)> PersistDeletions(Manifest next, List<string> created)
    {
        var written = new List<(Segment, string)>();
        foreach (Segment seg in _segments)
        {
            ManifestSegment? entry = next.Segments.Find(s => s.Id == seg.Id);
            if (!seg.DeletionsDirty || seg.DeletedAt is null || entry is null) continue;
            string name = DeletionName(seg.Id, next.NextFileNumber++);
            created.Add(Path.Combine(Folder, name));
            DeletionFile.Write(Path.Combine(Folder, name), seg.Id, seg.DeletedAt, _faults);
            entry.DeletionFile = name;
            written.Add((seg, name));
        }
        return written;
    }

    private void CommitDeletionFiles(List<(Segment Segment, string File)> written)
    {
        foreach (var (seg, name) in written)
        {
            if (seg.DeletionFile is not null) TryDelete(Path.Combine(Folder, seg.DeletionFile));
            seg.DeletionFile = name;
            seg.DeletionsDirty = false;
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    // ---------------------------------------------------------------- compaction

    /// <summary>
    /// Merges every segment into one without deleted rows. Searches and writes go on meanwhile:
    /// the merge reads a fixed set of segments, and deletions that land on them while it runs are
    /// carried over to the merged segment before it replaces them.
    /// </summary>
    public void Compact(IProgress<CompactionProgress>? progress, CancellationToken cancel)
    {
        lock (_compaction)
        {
            Segment[] inputs;
            long s0, segId;
            lock (_write)
            {
                CheckWritable();
                Seal();
                inputs = [.. _segments];
                s0 = _seq;
                bool anyDeleted = inputs.Any(s => s.DeletedCount(s0) > 0);
                if (inputs.Length == 0 || (inputs.Length == 1 && !anyDeleted))
                {
                    progress?.Report(new CompactionProgress(0, 0));
                    return;
                }
                segId = _manifest.NextFileNumber;
                _manifest.NextFileNumber++;
                foreach (var s in inputs) s.TryAcquire();
            }
            Segment? merged = null;
            string path = Path.Combine(Folder, SegmentName(segId));
            try
            {
                var source = new MergeSource(inputs, s0);
                int total = source.Count;
                progress?.Report(new CompactionProgress(0, total));
                SegmentWriter.Write(path, segId, 0, s0, Schema, source, _faults,
                    n => progress?.Report(new CompactionProgress(n, total)), cancel);
                merged = Segment.Open(path, segId, Schema);
                lock (_write)
                {
                    CheckWritable();
                    InstallMerged(inputs, merged, source, segId);
                }
                progress?.Report(new CompactionProgress(total, total));
            }
            catch
            {
                merged?.Release();
                TryDelete(path);
                throw;
            }
            finally
            {
                foreach (var s in inputs) s.Release();
            }
        }
    }

    private void InstallMerged(Segment[] inputs, Segment merged, MergeSource source, long segId)
    {
        // Deletions that happened while the merge ran.
        for (int i = 0; i < inputs.Length; i++)
        {
            long[]? deleted = inputs[i].DeletedAt;
            if (deleted is null) continue;
            int[] map = source.NewOrdinals[i];
            for (int r = 0; r < deleted.Length; r++)
                if (deleted[r] != long.MaxValue && map[r] >= 0) merged.MarkDeleted(map[r], deleted[r]);
        }
        var next = CloneManifest();
        var inputIds = inputs.Select(s => s.Id).ToHashSet();
        next.Segments.RemoveAll(s => inputIds.Contains(s.Id));
        var entry = new ManifestSegment { Id = segId, File = SegmentName(segId), Rows = merged.RowCount };
        next.Segments.Insert(0, entry);
        string? deletionName = null;
        if (merged.DeletedAt is not null)
        {
            // The carried deletions come from writes logged after the merge began. Make the log durable
            // first: a crash must not keep the deletion half of an unsynced upsert and lose the upsert.
            SyncLog();
            deletionName = DeletionName(segId, next.NextFileNumber++);
            DeletionFile.Write(Path.Combine(Folder, deletionName), segId, merged.DeletedAt, _faults);
            entry.DeletionFile = deletionName;
        }
        try
        {
            next.Write(Folder, _faults);
        }
        catch
        {
            if (deletionName is not null) TryDelete(Path.Combine(Folder, deletionName));
            throw;
        }
        _manifest = next;
        merged.DeletionFile = deletionName;
        merged.DeletionsDirty = false;
        foreach (var s in inputs)
        {
            if (s.DeletionFile is not null) TryDelete(Path.Combine(Folder, s.DeletionFile));
            s.DeleteOnRelease = true;
            s.Release(); // the engine's own reference
        }
        _segments = [merged, .. _segments.Where(s => !inputIds.Contains(s.Id))];
        Publish(new SegmentSet([.. _segments]));
    }

    /// <summary>The rows of several segments that are live at a sequence number, in segment order.</summary>
    private sealed class MergeSource : ISegmentSource
    {
        private readonly List<(Segment Segment, int Row)> _rows = [];

        public MergeSource(Segment[] inputs, long seq)
        {
            NewOrdinals = new int[inputs.Length][];
            for (int i = 0; i < inputs.Length; i++)
            {
                var map = NewOrdinals[i] = new int[inputs[i].RowCount];
                for (int r = 0; r < map.Length; r++)
                {
                    if (inputs[i].IsDeleted(r, seq)) { map[r] = -1; continue; }
                    map[r] = _rows.Count;
                    _rows.Add((inputs[i], r));
                }
            }
        }

        public int[][] NewOrdinals { get; }
        public int Count => _rows.Count;
        public ReadOnlySpan<byte> Vector(int row) => _rows[row].Segment.Vector(_rows[row].Row);
        public ReadOnlySpan<byte> IdUtf8(int row) => _rows[row].Segment.IdUtf8(_rows[row].Row);
        public ReadOnlySpan<byte> Payload(int row) => _rows[row].Segment.Payload(_rows[row].Row);
    }

    // ---------------------------------------------------------------- statistics and close

    public IndexStatistics Statistics()
    {
        Snapshot s = Acquire();
        try
        {
            long deleted = 0, segmentRows = 0, bytes = 0;
            foreach (var seg in s.Segments.Items)
            {
                segmentRows += seg.RowCount;
                deleted += seg.DeletedCount(s.Sequence);
            }
            foreach (string f in Directory.EnumerateFiles(Folder))
            {
                try { bytes += new FileInfo(f).Length; } catch (IOException) { }
            }
            return new IndexStatistics(s.LiveCount, s.Segments.Items.Length, segmentRows, s.TailCount, deleted, s.Sequence, bytes);
        }
        finally
        {
            Release(s);
        }
    }

    /// <summary>Checks every checksum of every segment now.</summary>
    public void Verify()
    {
        Snapshot s = Acquire();
        try
        {
            foreach (var seg in s.Segments.Items) seg.VerifyAll();
        }
        finally
        {
            Release(s);
        }
    }

    public void Dispose()
    {
        lock (_write)
        {
            if (_disposed) return;
            _flusher?.Dispose();
            try
            {
                if (!ReadOnly && Fault is null && _log is not null)
                {
                    if (_tail.Bytes >= SealOnCloseBytes)
                    {
                        try { Seal(); }
                        catch (Exception e) when (e is IOException or StorageFullException or UnauthorizedAccessException) { /* the log still holds every write */ }
                    }
                    lock (_flush) _log.Sync();
                }
            }
            finally
            {
                lock (_flush)
                {
                    _disposed = true;
                    _log?.Dispose();
                }
                _snapshot.Segments.Release();
                foreach (var seg in _segments) seg.Release();
                _lock?.Dispose();
            }
        }
    }
}

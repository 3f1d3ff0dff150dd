using System.Buffers;
using System.Globalization;
using System.Text;
using Aknn.Embedded.Bucketing;

namespace Aknn.Embedded.Storage;

/// <summary>
/// The storage engine behind <see cref="VectorIndex"/>: writing, sealing, bulk loading and
/// compaction over the log, the in-memory tail, the segments and the manifest, and the snapshots
/// searches read. One writer at a time (the <c>_write</c> lock in-process, the LOCK file across
/// processes); readers never take a lock. <see cref="IndexLoader"/> creates and recovers it.
/// </summary>
internal sealed class IndexEngine : IDisposable
{
    /// <summary>Records are appended to the log in groups of at most this many bytes.</summary>
    private const int MaxGroupBytes = 4 << 20;

    /// <summary>On dispose the tail is sealed only when it holds at least this much, so reopening stays fast without littering tiny segments.</summary>
    private const long SealOnCloseBytes = 1 << 20;

    // Lock order, always: _compaction, then _write, then _flush (a thread holding a later lock never
    // takes an earlier one). _compaction is held for a whole compaction or bulk load and by Dispose,
    // so the index is never closed under a running one; _write serialises writers and guards the
    // engine's state; _flush guards the log handle against the background flusher.
    private readonly object _write = new();
    private readonly object _flush = new();
    private readonly object _compaction = new();

    /// <summary>Cancelled by <see cref="Dispose"/>, so that a running compaction stops instead of making Dispose wait for it.</summary>
    private readonly CancellationTokenSource _closing = new();

    /// <summary>
    /// The next file number to hand out (writer lock held). Numbers are reserved here before a
    /// file is created and are written into every manifest; on open the counter starts past every
    /// numbered file in the folder, so no number is ever given to two files.
    /// </summary>
    private long _nextFileNumber;
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

    // Background sealing (see Freeze and SealFrozen). All guarded by _write.
    private Tail? _frozen;                  // the full tail whose segment is being written
    private long _frozenSeq;                // the last sequence number it holds
    private long _frozenSegmentId;          // the file number its segment gets
    private bool _sealing;                  // a background seal is running
    private readonly List<string> _olderLogs = []; // logs before the current one, deleted once a seal covers them

    /// <summary>An engine over <paramref name="manifest"/>, empty until <see cref="IndexLoader"/> adopts its segments and replays its logs.</summary>
    internal IndexEngine(string folder, Manifest manifest, WriterLock? writerLock, Durability durability, long sealThreshold, IFaultInjector? faults, LshModel? lsh = null)
    {
        _seq = manifest.LastSealedSequence;
        _lsh = lsh;
        Folder = folder;
        _manifest = manifest;
        _nextFileNumber = manifest.NextFileNumber;
        _lock = writerLock;
        _durability = durability;
        SealThreshold = sealThreshold;
        _faults = faults;
        Schema = new SegmentSchema(manifest.Metric, manifest.Model, manifest.Dimensions, RowBytesOf(manifest.Metric, manifest.Dimensions), manifest.Fingerprint(),
            manifest.Model == IndexModelKind.MultiIndexHashing ? new SubstringSettings(manifest.Substrings, manifest.ExpectedRadius ?? SubstringLayout.DefaultRadius(manifest.Dimensions)) : null);
        _tail = NewTail();
        _segments = [];
        _snapshot = new Snapshot(new SegmentSet([]), null, _tail, [], 0, 0, 0);
        if (writerLock is not null && durability.Kind == DurabilityKind.Batched)
            _flusher = new Timer(_ => FlushInBackground(), null, durability.Interval, durability.Interval);
    }

    private Tail NewTail()
    {
        int expectedRows = (int)Math.Min(int.MaxValue, SealThreshold / (Schema.RowBytes + 64));
        return new(Schema.RowBytes, Metric == Metric.Cosine, expectedRows, Schema.Substrings?.LayoutFor(Dimensions, expectedRows, ProbeCosts.Tail), _lsh);
    }

    private LshModel? _lsh;

    /// <summary>The LSH model, or null (another model kind, or a model not fitted yet: searches are then exact).</summary>
    public LshModel? Lsh => Volatile.Read(ref _lsh);

    /// <summary>The LSH model's default number of extra probes per search.</summary>
    public int LshProbes => _manifest.Lsh?.Probes ?? 0;

    public string Folder { get; }
    public SegmentSchema Schema { get; }
    public long SealThreshold { get; }
    public bool ReadOnly => _lock is null;
    public Metric Metric => Schema.Metric;
    public int Dimensions => Schema.Dimensions;

    /// <summary>The model the index was created with.</summary>
    public IndexModel Model => _manifest.Model switch
    {
        IndexModelKind.MultiIndexHashing => IndexModel.MultiIndexHashing(_manifest.Substrings, _manifest.ExpectedRadius),
        IndexModelKind.Lsh => _manifest.Lsh!.ToModel(),
        _ => IndexModel.Exact,
    };

    /// <summary>A failure that left the on-disk state uncertain (a failed fsync); all later writes are refused.</summary>
    public Exception? Fault { get; private set; }

    public static int RowBytesOf(Metric metric, int dimensions) => metric == Metric.Hamming ? dimensions / 8 : dimensions * sizeof(float);


    // ---------------------------------------------------------------- recovery (called by IndexLoader)

    /// <summary>Recovery: takes over a segment the manifest lists (released with the engine).</summary>
    internal void AdoptSegment(Segment segment)
    {
        _segments.Add(segment);
        _live += segment.RowCount - segment.DeletedCount(0);
    }

    /// <summary>Recovery: applies a replayed log record, unless a segment already holds it.</summary>
    internal void Replay(in LogFormat.Record r)
    {
        if (r.Sequence <= _seq) return; // already sealed into a segment
        string id = Encoding.UTF8.GetString(r.Id);
        if (r.Kind == LogRecordKind.Upsert) ApplyUpsert(r.Sequence, id, r.Id.ToArray(), r.Vector, r.Payload);
        else ApplyDelete(r.Sequence, id, r.Id.ToArray());
    }

    /// <summary>
    /// Ends loading: the log to append to (null when read-only), the older logs that a seal
    /// interrupted by a crash left (deleted once a seal covers them), and the first unused file
    /// number. Publishes the first snapshot.
    /// </summary>
    internal void BeginWriting(LogFile? log, IEnumerable<string> olderLogs, long nextFileNumber)
    {
        _log = log;
        _olderLogs.AddRange(olderLogs);
        _nextFileNumber = Math.Max(_nextFileNumber, nextFileNumber);
        if (!ReadOnly) TryFitLsh();
        Publish(new SegmentSet([.. _segments]));
    }

    // ---------------------------------------------------------------- snapshots

    /// <summary>Acquires the current snapshot; pair with <see cref="Release"/>.</summary>
    public Snapshot Acquire()
    {
        while (true)
        {
            if (_disposed) throw Disposed();
            Snapshot s = Volatile.Read(ref _snapshot);
            if (s.Segments.TryAcquire()) return s;
        }
    }

    public static void Release(Snapshot s) => s.Segments.Release();

    private void PublishTail() =>
        Volatile.Write(ref _snapshot, new Snapshot(_snapshot.Segments, _frozen, _tail, _tail.Chunks, _tail.Count, _seq, _live));

    private void Publish(SegmentSet set)
    {
        Snapshot old = _snapshot;
        Volatile.Write(ref _snapshot, new Snapshot(set, _frozen, _tail, _tail.Chunks, _tail.Count, _seq, _live));
        if (!ReferenceEquals(old.Segments, set)) old.Segments.Release();
    }

    // ---------------------------------------------------------------- writes

    /// <summary>The exception for a call on a disposed index, naming the public type and the folder.</summary>
    private ObjectDisposedException Disposed(string? why = null) =>
        new(nameof(VectorIndex), $"The index at '{Folder}' has been disposed{(why is null ? "" : $" ({why})")}. Open it again with VectorIndex.Open to go on using it.");

    private void CheckWritable()
    {
        if (_disposed) throw Disposed();
        if (ReadOnly) throw new IndexReadOnlyException(Folder);
        if (Fault is not null)
            throw new AknnException($"The index at '{Folder}' stopped accepting writes after a storage failure ({Fault.Message}). Dispose it and open it again: recovery restores the last durable state.", Fault);
    }

    /// <summary>One upsert or delete, already validated.</summary>
    public readonly record struct Write(string Id, byte[] IdUtf8, ReadOnlyMemory<byte> Vector, ReadOnlyMemory<byte> Payload, bool IsDelete);

    /// <summary>One upsert, through the single write path (<see cref="WriteAll"/>), without copying its spans.</summary>
    public void Upsert(string id, byte[] idUtf8, ReadOnlySpan<byte> vector, ReadOnlySpan<byte> payload) =>
        WriteAll(new OneUpsert(id, idUtf8, vector, payload), null, default);

    /// <summary>Applies writes in order, logging them in groups; each group is appended whole or not at all.</summary>
    public void WriteMany(IReadOnlyList<Write> writes, Action<int>? done = null, CancellationToken cancel = default) =>
        WriteAll(new WriteList(writes), done, cancel);

    /// <summary>What the write path needs of the writes it logs and applies, whether a list or a single upsert's spans.</summary>
    private interface IWrites
    {
        int Count { get; }
        int RecordSize(int i);
        void Encode(int i, long seq, Span<byte> record);
        void Apply(IndexEngine engine, int i, long seq);
    }

    private readonly struct WriteList(IReadOnlyList<Write> writes) : IWrites
    {
        public int Count => writes.Count;

        public int RecordSize(int i)
        {
            Write w = writes[i];
            return w.IsDelete ? LogFormat.DeleteSize(w.IdUtf8.Length) : LogFormat.UpsertSize(w.IdUtf8.Length, w.Vector.Length, w.Payload.Length);
        }

        public void Encode(int i, long seq, Span<byte> record)
        {
            Write w = writes[i];
            LogFormat.Encode(record, w.IsDelete ? LogRecordKind.Delete : LogRecordKind.Upsert, seq, w.IdUtf8, w.Vector.Span, w.Payload.Span);
        }

        public void Apply(IndexEngine engine, int i, long seq)
        {
            Write w = writes[i];
            if (w.IsDelete) engine.ApplyDelete(seq, w.Id, w.IdUtf8);
            else engine.ApplyUpsert(seq, w.Id, w.IdUtf8, w.Vector.Span, w.Payload.Span);
        }
    }

    /// <summary>A single upsert over the caller's spans (a ref struct, so nothing is copied before the log record is encoded).</summary>
    private readonly ref struct OneUpsert : IWrites
    {
        private readonly string _id;
        private readonly byte[] _idUtf8;
        private readonly ReadOnlySpan<byte> _vector;
        private readonly ReadOnlySpan<byte> _payload;

        public OneUpsert(string id, byte[] idUtf8, ReadOnlySpan<byte> vector, ReadOnlySpan<byte> payload)
        {
            _id = id;
            _idUtf8 = idUtf8;
            _vector = vector;
            _payload = payload;
        }

        public int Count => 1;
        public int RecordSize(int i) => LogFormat.UpsertSize(_idUtf8.Length, _vector.Length, _payload.Length);
        public void Encode(int i, long seq, Span<byte> record) => LogFormat.Encode(record, LogRecordKind.Upsert, seq, _idUtf8, _vector, _payload);
        public void Apply(IndexEngine engine, int i, long seq) => engine.ApplyUpsert(seq, _id, _idUtf8, _vector, _payload);
    }

    /// <summary>
    /// The write path: encodes groups of records that fit one buffer, appends each group to the log
    /// in one write, applies it to the tail and publishes it. Writer lock taken here.
    /// </summary>
    private void WriteAll<T>(scoped T writes, Action<int>? done, CancellationToken cancel) where T : IWrites, allows ref struct
    {
        lock (_write)
        {
            CheckWritable();
            int i = 0;
            // A single write (Upsert, Delete) needs a buffer of its own size only, not a whole group's.
            byte[] buffer = ArrayPool<byte>.Shared.Rent(writes.Count == 1 ? writes.RecordSize(0) : MaxGroupBytes);
            try
            {
                while (i < writes.Count)
                {
                    cancel.ThrowIfCancellationRequested();
                    if (i > 0) CheckWritable(); // AfterWrite may have waited for a seal, releasing the lock
                    // Encode a group of records that fits the buffer (one oversized record gets a buffer of its own).
                    // Record start + k takes sequence number firstSeq + k.
                    int start = i, used = 0;
                    long firstSeq = _seq + 1;
                    while (i < writes.Count)
                    {
                        int size = writes.RecordSize(i);
                        if (size > buffer.Length - used)
                        {
                            if (used > 0) break;
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = ArrayPool<byte>.Shared.Rent(size);
                        }
                        writes.Encode(i, firstSeq + (i - start), buffer.AsSpan(used, size));
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
                    for (int k = start; k < i; k++) writes.Apply(this, k, firstSeq + (k - start));
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

    /// <summary>Deletes the live row of <paramref name="id"/>; false (and nothing logged) when there is none.</summary>
    public bool Delete(string id, byte[] idUtf8)
    {
        lock (_write)
        {
            CheckWritable();
            if (!TryLocateCurrent(id, idUtf8, out _)) return false;
            WriteMany([new Write(id, idUtf8, default, default, IsDelete: true)]);
            return true;
        }
    }

    private bool TryLocateCurrent(string id, byte[] idUtf8, out RowLocation location) =>
        RowLookup.TryLocate(_segments, _frozen, _tail, _tail.Count, _seq, id, idUtf8, out location);

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
        at.MarkDeleted(seq);
        return true;
    }

    private void AfterWrite()
    {
        if (_durability.Kind == DurabilityKind.PerWrite) SyncLog();
        TryFitLsh();
        if (_tail.Bytes < SealThreshold + _sealRetryBytes) return;
        // One tail is sealed at a time: a full tail waits for the previous seal, which keeps memory
        // bounded and the segment boundaries the same as if every seal ran inline.
        WaitForBackgroundSeal();
        if (_disposed) return;
        try
        {
            if (_frozen is null) Freeze();
            _sealRetryBytes = 0;
            StartBackgroundSeal();
        }
        catch (Exception e) when (e is IOException or StorageFullException or UnauthorizedAccessException)
        {
            // The writes themselves are safe in the log; sealing is retried once the tail grows by another quarter.
            _sealRetryBytes += Math.Max(SealThreshold / 4, 1);
        }
    }

    /// <summary>Waits until no background seal runs (tests use it to observe segments deterministically).</summary>
    public void WaitForBackgroundWork()
    {
        lock (_write) WaitForBackgroundSeal();
    }

    /// <summary>Waits, releasing the writer lock meanwhile, until no background seal runs.</summary>
    private void WaitForBackgroundSeal()
    {
        while (_sealing) Monitor.Wait(_write);
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

    // ---------------------------------------------------------------- LSH model fitting

    /// <summary>Live tail rows at which the next attempt to fit a pending model is made after one failed (full disk).</summary>
    private long _fitRetryRows;

    /// <summary>Fits a pending bisecting-hyperplane model once the tail holds its fit rows; a storage failure is retried later.</summary>
    private void TryFitLsh()
    {
        if (_manifest.Lsh is not { Fitted: false } settings || _live < Math.Max(settings.FitRows, _fitRetryRows)) return;
        try
        {
            FitLsh(force: false, null);
            _fitRetryRows = 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The writes are safe in the log; try again once the tail has grown by a tenth.
            _fitRetryRows = _live + Math.Max(1, settings.FitRows / 10);
        }
    }

    /// <summary>
    /// Fits a pending bisecting-hyperplane model (writer lock held) from the first FitRows live rows of
    /// <paramref name="source"/>, or of the tail when it is null: stores the model, records it in
    /// the manifest, then hashes the tail's rows into its tables. Without <paramref name="force"/> it
    /// waits for FitRows rows; with it (before a seal or bulk load) it fits from what there is.
    /// </summary>
    private void FitLsh(bool force, ISegmentSource? source)
    {
        if (_manifest.Lsh is not { Fitted: false } settings) return;
        source ??= _tail.LiveRows(_seq);
        int count = Math.Min(source.Count, settings.FitRows);
        if (count == 0 || (!force && count < settings.FitRows)) return;
        LshModel model = LshModel.FitBisecting(_manifest.Lsh.ToModel(), Dimensions, count,
            r => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(source.Vector(r)));
        LshModelFile.Write(Folder, model, _faults);
        InstallManifest(_manifest with { Lsh = settings with { Fitted = true } });
        Volatile.Write(ref _lsh, model);
        _tail.AttachLsh(model);
        PublishTail();
    }

    // ---------------------------------------------------------------- seal

    /// <summary>
    /// Seals everything written so far, inline: waits for a background seal, finishes one that
    /// failed, then freezes and seals the active tail. Writer lock held.
    /// </summary>
    private void SealNow()
    {
        WaitForBackgroundSeal();
        if (_frozen is not null) SealFrozen();
        if (_tail.Count == 0) return;
        Freeze();
        SealFrozen();
    }

    /// <summary>
    /// Moves the full tail aside and starts a new log, so writes go on while the tail's segment is
    /// written. The old log is made durable first, so the logs always hold a prefix of the writes.
    /// Until the segment is installed, recovery replays the old log and then the new one (it finds
    /// the new one by its higher file number). Writer lock held; no background seal pending.
    /// </summary>
    private void Freeze()
    {
        SyncLog();
        // Every segment of an LSH index has postings: fit a pending model before the first seal.
        FitLsh(force: true, null);
        long segmentId = _nextFileNumber++;
        long logId = _nextFileNumber++;
        LogFile newLog = LogFile.Create(Path.Combine(Folder, IndexFiles.LogName(logId)), logId, _faults);
        LogFile oldLog = _log!;
        lock (_flush) _log = newLog;
        oldLog.Dispose();
        _olderLogs.Add(oldLog.Path);
        _frozen = _tail;
        _frozenSeq = _seq;
        _frozenSegmentId = segmentId;
        _tail = NewTail();
        PublishTail();
    }

    private void StartBackgroundSeal()
    {
        _sealing = true;
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            try
            {
                SealFrozen();
            }
            catch (Exception e)
            {
                // Nothing is lost: the frozen rows stay searchable and in the logs. Retry once the
                // active tail has grown by another quarter of the threshold, not on every write.
                lock (_write)
                {
                    LastSealError = e;
                    _sealRetryBytes = Math.Max(0, _tail.Bytes - SealThreshold) + Math.Max(SealThreshold / 4, 1);
                }
            }
            finally
            {
                lock (_write)
                {
                    _sealing = false;
                    Monitor.PulseAll(_write);
                }
            }
        }, null);
    }

    /// <summary>The error of the last background seal that failed (for example a full disk), or null.</summary>
    public Exception? LastSealError { get; private set; }

    /// <summary>
    /// Writes the frozen tail's live rows into a segment (outside the writer lock), then installs it
    /// with one manifest replacement that also records the segments' new deletions and drops the
    /// logs the segment now covers. Deletions of frozen rows that happened meanwhile are carried over.
    /// </summary>
    private void SealFrozen()
    {
        Tail frozen;
        long seq, segmentId, minSeq;
        lock (_write)
        {
            frozen = _frozen!;
            seq = _frozenSeq;
            segmentId = _frozenSegmentId;
            minSeq = _manifest.LastSealedSequence + 1;
        }
        var rows = frozen.LiveRows(seq);
        string segmentPath = Path.Combine(Folder, IndexFiles.SegmentName(segmentId));
        Segment? fresh = null;
        var created = new List<string>();
        try
        {
            if (rows.Count > 0)
            {
                created.Add(segmentPath);
                SegmentWriter.Write(segmentPath, segmentId, minSeq, seq, Schema, rows, _faults, lsh: Lsh);
                fresh = Segment.Open(segmentPath, segmentId, Schema);
            }
            lock (_write)
            {
                if (fresh is not null)
                {
                    for (int k = 0; k < rows.Count; k++)
                    {
                        long deletedAt = frozen.DeletedAt(rows.Rows[k]);
                        if (deletedAt != long.MaxValue) fresh.MarkDeleted(k, deletedAt);
                    }
                }
                InstallSealed(fresh, seq, created);
            }
        }
        catch
        {
            fresh?.Release();
            foreach (string path in created) IndexFiles.TryDelete(path);
            throw;
        }
    }

    /// <summary>Writer lock held. Points the manifest at the sealed segment and the current log, then switches over.</summary>
    private void InstallSealed(Segment? fresh, long seq, List<string> created)
    {
        // Deletion files record deletions up to the sealed sequence only: those are in the old logs,
        // which Freeze made durable. Later ones stay in the current log until the next seal (and
        // the rows of the fresh segment deleted since the freeze are all such later ones).
        var (segments, deletionFiles) = PersistDeletions(created, seq);
        if (fresh is not null)
            segments.Add(new ManifestSegment { Id = fresh.Id, File = Path.GetFileName(fresh.Path), Rows = fresh.RowCount });
        InstallManifest(_manifest with { Segments = segments, LogFile = Path.GetFileName(_log!.Path), LastSealedSequence = seq });

        // The manifest now names the new files: switch over.
        foreach (string old in _olderLogs) IndexFiles.TryDelete(old);
        _olderLogs.Clear();
        CommitDeletionFiles(deletionFiles);
        if (fresh is not null) _segments.Add(fresh);
        _frozen = null;
        LastSealError = null;
        Publish(new SegmentSet([.. _segments]));
    }

    /// <summary>
    /// Writes <paramref name="next"/> as the new manifest (writer lock held) and makes it current.
    /// The one place a manifest is replaced: it stamps the generation, the file-number counter and
    /// how much of the current log is known durable, so no caller can forget one of them.
    /// </summary>
    private void InstallManifest(Manifest next)
    {
        next = next with
        {
            Generation = _manifest.Generation + 1,
            NextFileNumber = _nextFileNumber,
            LogDurableLength = _log is not null && next.LogFile == Path.GetFileName(_log.Path) ? _log.DurableLength : 0,
        };
        next.Write(Folder, _faults);
        _manifest = next;
    }

    /// <summary>
    /// Writes a new deletion file for every segment that gained deletions up to <paramref name="upToSequence"/>;
    /// returns the manifest's segment list pointing at them, and the files written.
    /// </summary>
    private (List<ManifestSegment> Segments, List<(Segment Segment, string File, int Deleted)> Written) PersistDeletions(List<string> created, long upToSequence)
    {
        var segments = _manifest.Segments.ToList();
        var written = new List<(Segment, string, int)>();
        foreach (Segment seg in _segments)
        {
            int entry = segments.FindIndex(s => s.Id == seg.Id);
            if (seg.DeletedAt is not { } deletedAt || entry < 0 || seg.DeletedCount(upToSequence) <= seg.PersistedDeletions) continue;
            string name = IndexFiles.DeletionName(seg.Id, _nextFileNumber++);
            created.Add(Path.Combine(Folder, name));
            int deleted = DeletionFile.Write(Path.Combine(Folder, name), seg.Id, deletedAt, upToSequence, _faults);
            segments[entry] = segments[entry] with { DeletionFile = name };
            written.Add((seg, name, deleted));
        }
        return (segments, written);
    }

    private void CommitDeletionFiles(List<(Segment Segment, string File, int Deleted)> written)
    {
        foreach (var (seg, name, deleted) in written)
        {
            if (seg.DeletionFile is not null) IndexFiles.TryDelete(Path.Combine(Folder, seg.DeletionFile));
            seg.DeletionFile = name;
            seg.PersistedDeletions = deleted;
        }
    }


    // ---------------------------------------------------------------- compaction

    /// <summary>
    /// Fills an empty index with one segment written straight from <paramref name="rows"/>: no log
    /// records, no tail, no seals to merge later. The segment is synced and named in a new manifest
    /// before this returns, so the rows are durable; a crash before that leaves the index empty.
    /// The writer lock is held throughout (other writes wait; searches go on and see the rows at
    /// once when it returns).
    /// </summary>
    public void BulkLoad(ISegmentSource rows, Action<int>? rowsWritten, CancellationToken cancel)
    {
        lock (_compaction)
        lock (_write)
        {
            CheckWritable();
            if (_seq != 0 || _segments.Count > 0 || _tail.Count > 0 || _frozen is not null)
                throw new InvalidOperationException($"Bulk loading fills an empty index, and the index at '{Folder}' has been written to. Add rows to it with UpsertBatch or UpsertCodeBatch, or bulk load into a new index.");
            if (rows.Count == 0) return;
            FitLsh(force: true, rows);
            BuildStages.Mark("fit lsh");
            long segId = _nextFileNumber++;
            string path = Path.Combine(Folder, IndexFiles.SegmentName(segId));
            Segment? loaded = null;
            try
            {
                SegmentWriter.Write(path, segId, 1, rows.Count, Schema, rows, _faults, rowsWritten, cancel, Lsh);
                loaded = Segment.Open(path, segId, Schema);
                // The rows take sequence numbers 1..n, as if they had been logged and sealed.
                InstallManifest(_manifest with
                {
                    Segments = [.. _manifest.Segments, new ManifestSegment { Id = segId, File = IndexFiles.SegmentName(segId), Rows = loaded.RowCount }],
                    LastSealedSequence = rows.Count,
                });
                BuildStages.Mark("open and manifest");
            }
            catch (Exception e)
            {
                loaded?.Release();
                IndexFiles.TryDelete(path);
                if (e is IOException io) throw new StorageFullException(path, io, "Nothing was loaded and the index is still empty: free disk space and retry.");
                throw;
            }
            _segments.Add(loaded);
            _seq = rows.Count;
            _live = rows.Count;
            Publish(new SegmentSet([.. _segments]));
        }
    }

    /// <summary>
    /// Merges every segment into one without deleted rows. Searches and writes go on meanwhile:
    /// the merge reads a fixed set of segments, and deletions that land on them while it runs are
    /// carried over to the merged segment before it replaces them.
    /// </summary>
    public void Compact(IProgress<CompactionProgress>? progress, CancellationToken cancel)
    {
        try
        {
            CompactOnce(progress, cancel);
        }
        catch (IOException e)
        {
            // Sealing the tail or writing the merged segment failed (a full disk): what was written
            // for the compaction is removed, the segments and the logs are as before.
            throw new StorageFullException(Folder, e, "The compaction was not applied and the index is intact: free disk space and call Compact again.");
        }
    }

    private void CompactOnce(IProgress<CompactionProgress>? progress, CancellationToken cancel)
    {
        lock (_compaction)
        {
            // Dispose holds _compaction while it closes, so once past this check _closing is not disposed yet.
            if (_disposed) throw Disposed();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel, _closing.Token);
            Segment[] inputs;
            long s0, segId;
            lock (_write)
            {
                CheckWritable();
                SealNow();
                CheckWritable();
                inputs = [.. _segments];
                s0 = _seq;
                bool anyDeleted = inputs.Any(s => s.DeletedCount(s0) > 0);
                if (inputs.Length == 0 || (inputs.Length == 1 && !anyDeleted))
                {
                    progress?.Report(new CompactionProgress(0, 0));
                    return;
                }
                segId = _nextFileNumber++;
                foreach (var s in inputs) s.TryAcquire();
            }
            Segment? merged = null;
            string path = Path.Combine(Folder, IndexFiles.SegmentName(segId));
            try
            {
                var source = new MergeSource(inputs, s0);
                int total = source.Count;
                progress?.Report(new CompactionProgress(0, total));
                SegmentWriter.Write(path, segId, 0, s0, Schema, source, _faults,
                    n => progress?.Report(new CompactionProgress(n, total)), stop.Token, Lsh);
                merged = Segment.Open(path, segId, Schema);
                lock (_write)
                {
                    CheckWritable();
                    InstallMerged(inputs, merged, source, segId);
                }
                progress?.Report(new CompactionProgress(total, total));
            }
            catch (Exception e)
            {
                merged?.Release();
                IndexFiles.TryDelete(path);
                if (e is OperationCanceledException && _closing.IsCancellationRequested && !cancel.IsCancellationRequested)
                    throw Disposed("the index was disposed while Compact ran; the compaction stopped and the index is as it was before it");
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
        var inputIds = inputs.Select(s => s.Id).ToHashSet();
        var entry = new ManifestSegment { Id = segId, File = IndexFiles.SegmentName(segId), Rows = merged.RowCount };
        string? deletionName = null;
        if (merged.DeletedAt is not null)
        {
            // The carried deletions come from writes logged after the merge began. Make the log durable
            // first: a crash must not keep the deletion half of an unsynced upsert and lose the upsert.
            SyncLog();
            deletionName = IndexFiles.DeletionName(segId, _nextFileNumber++);
            merged.PersistedDeletions = DeletionFile.Write(Path.Combine(Folder, deletionName), segId, merged.DeletedAt, long.MaxValue - 1, _faults);
            entry = entry with { DeletionFile = deletionName };
        }
        try
        {
            InstallManifest(_manifest with { Segments = [entry, .. _manifest.Segments.Where(s => !inputIds.Contains(s.Id))] });
        }
        catch
        {
            if (deletionName is not null) IndexFiles.TryDelete(Path.Combine(Folder, deletionName));
            throw;
        }
        merged.DeletionFile = deletionName;
        foreach (var s in inputs)
        {
            if (s.DeletionFile is not null) IndexFiles.TryDelete(Path.Combine(Folder, s.DeletionFile));
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
        using var lease = SnapshotLease.Acquire(this);
        Snapshot s = lease.Snapshot;
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

    /// <summary>Checks every checksum of every segment now.</summary>
    public void Verify()
    {
        using var lease = SnapshotLease.Acquire(this);
        foreach (var seg in lease.Snapshot.Segments.Items) seg.VerifyAll();
    }

    /// <summary>
    /// Closes the index. A running compaction is cancelled and waited for, and so is a background
    /// seal, before the writer lock is released: once another writer can open the folder, nothing
    /// of this one writes to it any more. A clean close records in the manifest that the whole log
    /// is durable, so recovery can tell later damage to it from a torn write.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        try { _closing.Cancel(); }
        catch (ObjectDisposedException) { return; } // a concurrent Dispose finished first
        lock (_compaction)
        lock (_write)
        {
            if (_disposed) return;
            WaitForBackgroundSeal(); // releases _write while waiting: check again after
            if (_disposed) return;
            _flusher?.Dispose();
            try
            {
                if (!ReadOnly && Fault is null && _log is not null)
                {
                    if (_tail.Bytes >= SealOnCloseBytes || _frozen is not null)
                    {
                        try { SealNow(); }
                        catch (Exception e) when (e is IOException or StorageFullException or UnauthorizedAccessException) { /* the log still holds every write */ }
                    }
                    lock (_flush) _log.Sync();
                    RecordCleanClose();
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
                _closing.Dispose();
            }
        }
    }

    /// <summary>
    /// Records in the manifest how far the current log is durable, when the manifest does not say
    /// so already. Best effort: if it fails (a full disk) the previous manifest stays, which only
    /// claims less.
    /// </summary>
    private void RecordCleanClose()
    {
        string logName = Path.GetFileName(_log!.Path);
        if (_manifest.LogFile != logName || _manifest.LogDurableLength == _log.DurableLength) return;
        try { InstallManifest(_manifest); }
        catch (Exception e) when (e is IOException or StorageFullException or UnauthorizedAccessException) { }
    }
}

using Aknn.Embedded.Bucketing;

namespace Aknn.Embedded.Storage;

/// <summary>
/// Creates an index folder, or opens one and recovers its state: reads the manifest, maps the
/// segments it lists, replays the logs (deciding between a torn tail and damage), removes what a
/// crash left behind, and hands the result to a new <see cref="IndexEngine"/>, which only writes.
/// </summary>
internal static class IndexLoader
{
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
            IndexModel model = options.ResolvedModel;
            var manifest = new Manifest
            {
                Metric = options.Metric,
                Dimensions = options.Dimensions,
                Model = model.Kind,
                Substrings = model.Substrings,
                ExpectedRadius = model.ExpectedRadius,
                Lsh = model.Kind == IndexModelKind.Lsh ? new ManifestLsh
                {
                    Family = model.Family!.Value, Tables = model.Tables, Bits = model.BitsPerTable, Width = model.Width,
                    Probes = model.Probes, Seed = model.Seed, FitRows = model.FitRows,
                } : null,
                SealThresholdBytes = options.SealThresholdBytes,
                CreatedUtc = DateTime.UtcNow,
                Generation = 1,
                NextFileNumber = 2,
                LogFile = IndexFiles.LogName(1),
            };
            // Models that need no data of the index exist from the start, stored before the manifest names them.
            LshModel? lsh = null;
            if (model.Kind == IndexModelKind.Lsh && (model.Family != LshFamily.BisectingHyperplanes || model.Sample is not null))
            {
                lsh = model.Sample is { } sample
                    ? LshModel.FitBisecting(model, options.Dimensions, model.FitRows, r => sample.AsSpan(r * options.Dimensions, options.Dimensions))
                    : LshModel.Draw(model, options.Metric, options.Dimensions);
                manifest = manifest with { Lsh = manifest.Lsh! with { Fitted = true } };
            }
            var engine = new IndexEngine(folder, manifest, writerLock, options.Durability, options.SealThresholdBytes, options.Faults, lsh);
            try
            {
                engine.BeginWriting(LogFile.Create(Path.Combine(folder, manifest.LogFile), 1, options.Faults), [], manifest.NextFileNumber);
                if (lsh is not null) LshModelFile.Write(folder, lsh, options.Faults);
                manifest.Write(folder, options.Faults);
            }
            catch (IOException e)
            {
                engine.Dispose();
                throw new StorageFullException(Path.Combine(folder, Manifest.FileName), e,
                    "No index was created and nothing is left in the folder: free disk space and create it again.");
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
            // No MANIFEST was written, so there is no index: leave the folder as it was found. The
            // LOCK file goes while it is still held (Unix allows that), so no other process can be
            // holding it when it disappears; Windows refuses to delete an open file, so there it is
            // deleted after the lock is released, and a delete that fails because another process
            // has opened it meanwhile is harmless.
            foreach (string path in Directory.EnumerateFiles(folder))
                if (IsLeftByInterruptedCreate(path)) IndexFiles.TryDelete(path);
            writerLock.Dispose();
            if (OperatingSystem.IsWindows()) IndexFiles.TryDelete(Path.Combine(folder, WriterLock.FileName));
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
        return name == WriterLock.FileName || name == Manifest.FileName + ".tmp" || name == LshModelFile.FileName || name == LshModelFile.FileName + ".tmp"
            || (name == IndexFiles.LogName(1) && File.Exists(path) && new FileInfo(path).Length <= LogFormat.HeaderSize);
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
        if (manifest.Model is not (IndexModelKind.Exact or IndexModelKind.MultiIndexHashing or IndexModelKind.Lsh))
            throw new UnsupportedFormatVersionException(manifestPath, manifest.FormatVersion + 1, Manifest.Version);
        if (manifest.Model == IndexModelKind.MultiIndexHashing
            && (manifest.Metric != Metric.Hamming || manifest.Substrings is { } m && (m < SubstringLayout.MinCount(manifest.Dimensions) || m > manifest.Dimensions) || manifest.ExpectedRadius < 0))
            throw new IndexCorruptedException(manifestPath, 0, "the manifest describes invalid multi-index hashing settings");
        LshModel? lsh = null;
        if (manifest.Model == IndexModelKind.Lsh)
        {
            if (manifest.Lsh is not { } l || !Enum.IsDefined(l.Family) || l.Family == LshFamily.Auto || l.Tables is < 1 or > IndexModel.MaxTables || l.Bits is < 1 or > IndexModel.MaxBitsPerTable)
                throw new IndexCorruptedException(manifestPath, 0, "the manifest describes invalid LSH settings");
            if (l.Fitted) lsh = LshModelFile.Read(folder, l.Family, manifest.Dimensions, l.Tables, l.Bits);
        }
        var engine = new IndexEngine(folder, manifest, writerLock, options.Durability, options.SealThresholdBytes ?? manifest.SealThresholdBytes, options.Faults, lsh);
        try
        {
            Recover(engine, manifest, folder, options.Faults);
            return engine;
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Adopts the manifest's segments into <paramref name="engine"/>, replays the logs into it,
    /// removes orphaned files (when writing) and starts it.
    /// </summary>
    private static void Recover(IndexEngine engine, Manifest manifest, string folder, IFaultInjector? faults)
    {
        foreach (ManifestSegment ms in manifest.Segments)
        {
            var seg = Segment.Open(Path.Combine(folder, ms.File), ms.Id, engine.Schema);
            try
            {
                if (seg.RowCount != ms.Rows)
                    throw new IndexCorruptedException(seg.Path, SegmentFormat.OffRowCount, $"the segment holds {seg.RowCount} rows but the manifest lists {ms.Rows}");
                if (ms.DeletionFile is not null)
                {
                    seg.LoadDeletions(DeletionFile.Read(Path.Combine(folder, ms.DeletionFile), ms.Id, seg.RowCount));
                    seg.DeletionFile = ms.DeletionFile;
                }
            }
            catch
            {
                seg.Release();
                throw;
            }
            engine.AdoptSegment(seg); // with its deletions, which the live count depends on
        }
        var (current, valid, olderLogs) = ReplayLogs(engine, manifest, folder);
        // A writer that stopped mid-seal or mid-compaction may have left files with numbers the
        // manifest never recorded (they are removed as orphans below); number past all of them.
        long next = manifest.NextFileNumber;
        foreach (string path in Directory.EnumerateFiles(folder))
            next = Math.Max(next, IndexFiles.FileNumber(Path.GetFileName(path)) + 1);
        LogFile? log = engine.ReadOnly ? null : LogFile.OpenForAppend(current, valid, faults);
        try
        {
            if (log is not null) RemoveOrphans(folder, manifest, log.Path, olderLogs);
            engine.BeginWriting(log, olderLogs, next);
        }
        catch
        {
            log?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Replays the manifest's log and, after it, every log with a higher file number: those were
    /// started by seals that had not been installed when the process stopped. Only the newest log
    /// may end in a torn record (docs/durability.md states the rule); returns it, the length of its
    /// intact prefix, and the older logs.
    /// </summary>
    private static (string Current, long Valid, List<string> Older) ReplayLogs(IndexEngine engine, Manifest manifest, string folder)
    {
        long first = IndexFiles.FileNumber(manifest.LogFile);
        var logs = new SortedDictionary<long, string> { [first] = Path.Combine(folder, manifest.LogFile) };
        foreach (string path in Directory.EnumerateFiles(folder, "log-*.wal"))
        {
            long n = IndexFiles.FileNumber(Path.GetFileName(path));
            if (n > first) logs[n] = path;
        }

        var older = new List<string>();
        string current = "";
        long valid = 0;
        foreach (var (number, path) in logs)
        {
            if (number != first && new FileInfo(path).Length < LogFormat.HeaderSize && number == logs.Keys.Max())
            {
                // A crash interrupted the creation of this log, before any record could be written to it.
                if (!engine.ReadOnly) IndexFiles.TryDelete(path);
                break;
            }
            if (current.Length > 0)
            {
                if (valid < new FileInfo(current).Length)
                    throw new IndexCorruptedException(current, valid, "a log record is damaged although a newer log follows this one (only the newest log may end in a torn write)");
                older.Add(current);
            }
            long durable = number == first ? manifest.LogDurableLength : 0;
            valid = LogReplay.Replay(path, number, engine.Schema.RowBytes, durable, engine.Replay);
            current = path;
        }
        return (current, valid, older);
    }

    /// <summary>Deletes files a crash left behind: segments, deletion files and logs the manifest does not list.</summary>
    private static void RemoveOrphans(string folder, Manifest manifest, string currentLog, List<string> olderLogs)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal) { Manifest.FileName, WriterLock.FileName, Path.GetFileName(currentLog) };
        foreach (string log in olderLogs) keep.Add(Path.GetFileName(log));
        foreach (var s in manifest.Segments)
        {
            keep.Add(s.File);
            if (s.DeletionFile is not null) keep.Add(s.DeletionFile);
        }
        foreach (string path in Directory.EnumerateFiles(folder))
        {
            string name = Path.GetFileName(path);
            if (IndexFiles.IsOurs(name) && !keep.Contains(name)) IndexFiles.TryDelete(path);
        }
    }
}

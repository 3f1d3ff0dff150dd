namespace Aknn.Embedded.CrashHelper;

/// <summary>
/// One corruption trial: copy a <see cref="PristineIndex"/>, damage one file of a kind, open the
/// copy and read everything back, and classify what happened (<see cref="TrialOutcome"/>). Shared
/// by the FsCheck property in the tests and the <c>corrupt</c> workload of Aknn.Perf.
/// </summary>
public static class CorruptionTrial
{
    /// <summary>The files of <paramref name="kind"/> in <paramref name="folder"/>, sorted by name.</summary>
    public static IReadOnlyList<string> FilesOf(string folder, FileKind kind)
    {
        string pattern = kind switch
        {
            FileKind.Manifest => "MANIFEST",
            FileKind.Log => "log-*.wal",
            FileKind.Segment => "seg-*.seg",
            FileKind.DeletionFile => "seg-*.del",
            _ => "LSHMODEL",
        };
        return [.. Directory.GetFiles(folder, pattern).Order(StringComparer.Ordinal)];
    }

    /// <summary>Copies the index files of <paramref name="from"/> into a fresh <paramref name="to"/> (the lock file stays behind).</summary>
    public static void CopyIndex(string from, string to)
    {
        if (Directory.Exists(to)) Directory.Delete(to, recursive: true);
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from))
            if (Path.GetFileName(f) != "LOCK") File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }

    /// <summary>
    /// Copies <paramref name="pristine"/> into <paramref name="work"/>, applies <paramref name="damage"/>
    /// to a file of <paramref name="kind"/> and classifies the result; null when the index has no
    /// file of that kind (a binary-code index has no LSH model).
    /// </summary>
    public static TrialResult? Run(PristineIndex pristine, FileKind kind, Damage damage, string work)
    {
        CopyIndex(pristine.Folder, work);
        var files = FilesOf(work, kind);
        if (files.Count == 0) return null;
        string file = files[(int)((uint)damage.FileChoice % (uint)files.Count)];
        long length = new FileInfo(file).Length;
        long offset = damage.Offset(length);
        using (var f = new FileStream(file, FileMode.Open, FileAccess.ReadWrite))
        {
            if (damage.Truncate)
            {
                f.SetLength(offset);
            }
            else
            {
                f.Position = offset;
                int b = f.ReadByte();
                f.Position = offset;
                f.WriteByte((byte)(b ^ (damage.Mask == 0 ? 1 : damage.Mask)));
            }
        }
        return Classify(pristine, work, file, offset);
    }

    /// <summary>
    /// Opens the index in <paramref name="folder"/> as its writer and checks every durable write of
    /// <paramref name="pristine"/>, the count, exact searches against brute force, an index-backed
    /// search (LSH or multi-index hashing) and <see cref="VectorIndex.Verify"/>.
    /// </summary>
    public static TrialResult Classify(PristineIndex pristine, string folder, string damagedFile, long offset)
    {
        string name = Path.GetFileName(damagedFile);
        string damaged = Path.GetFullPath(damagedFile);
        string? loss = null, wrong = null, other = null, detected = null;

        // Runs one read; an exception is sorted into detected (corruption naming the damaged file) or other.
        bool Read(Action read)
        {
            try
            {
                read();
                return true;
            }
            catch (IndexCorruptedException e) when (Path.GetFullPath(e.FilePath) == damaged)
            {
                detected ??= e.Message;
            }
            catch (Exception e)
            {
                other ??= $"{e.GetType().Name}: {e.Message}";
            }
            return false;
        }

        VectorIndex? opened = null;
        if (!Read(() => opened = VectorIndex.Open(folder, new OpenOptions { Durability = Durability.Manual })) || opened is null)
            return new TrialResult(detected is not null ? TrialOutcome.Detected : TrialOutcome.OtherError, name, offset, detected ?? other ?? "Open returned nothing");

        using (VectorIndex index = opened)
        {
            CrashIndexKind kind = pristine.Kind;
            foreach (string id in pristine.Live.Concat(pristine.Deleted).Order(StringComparer.Ordinal))
            {
                Read(() =>
                {
                    bool found = index.TryGet(id, out StoredItem? item);
                    if (pristine.Live.Contains(id))
                    {
                        if (!found) loss ??= $"durable upsert of '{id}' is missing";
                        else if (!CrashIndexes.IsWhole(kind, item!)) wrong ??= $"'{id}' reads back with a different vector or payload";
                    }
                    else if (found)
                    {
                        wrong ??= $"'{id}' was durably deleted but is back";
                    }
                });
            }
            Read(() =>
            {
                long count = index.Count;
                if (count < pristine.Live.Count) loss ??= $"Count is {count}, {pristine.Live.Count} durable items are live";
                else if (count > pristine.Live.Count) wrong ??= $"Count is {count}, only {pristine.Live.Count} items are live";
            });

            string[] live = [.. pristine.Live.Order(StringComparer.Ordinal)];
            foreach (string q in new[] { live[0], live[live.Length / 2], live[^1] })
            {
                Read(() =>
                {
                    var hits = CrashIndexes.ExactSearch(index, kind, q, live.Length + 20);
                    if (CrashIndexes.CheckFullSearch(kind, q, hits, pristine.Live) is { } problem)
                    {
                        if (hits.Count < live.Length) loss ??= problem;
                        else wrong ??= problem;
                    }
                });
                Read(() =>
                {
                    // Through the index structures (LSH postings, substring tables): approximate for
                    // LSH, so only what is returned is checked; exact for the radius search.
                    IReadOnlyList<Hit> hits = kind == CrashIndexKind.Float
                        ? index.Search(CrashItems.Vector(q), new SearchOptions { K = 10 })
                        : index.SearchCodeRadius(CrashItems.Code(q), 56);
                    foreach (Hit h in hits)
                    {
                        if (!pristine.Live.Contains(h.Id)) { wrong ??= $"index search for '{q}' returned '{h.Id}', which is not live"; return; }
                        double truth = CrashIndexes.Distance(kind, q, h.Id);
                        if (Math.Abs(truth - h.Distance) > 1e-3 * Math.Max(1, truth)) { wrong ??= $"index search for '{q}' reported '{h.Id}' at {h.Distance:R}, true {truth:R}"; return; }
                    }
                    if (kind == CrashIndexKind.Binary)
                    {
                        int expected = pristine.Live.Count(id => CrashIndexes.Distance(kind, q, id) <= 56);
                        string problem = $"radius search for '{q}' returned {hits.Count} hits, brute force {expected}";
                        if (hits.Count < expected) loss ??= problem;
                        else if (hits.Count > expected) wrong ??= problem;
                    }
                });
            }
            Read(index.Verify);
        }

        if (loss is not null) return new TrialResult(TrialOutcome.SilentLoss, name, offset, loss);
        if (wrong is not null) return new TrialResult(TrialOutcome.WrongResults, name, offset, wrong);
        if (other is not null) return new TrialResult(TrialOutcome.OtherError, name, offset, other);
        if (detected is not null) return new TrialResult(TrialOutcome.Detected, name, offset, detected);
        return new TrialResult(TrialOutcome.Harmless, name, offset, "opens, every durable write present, searches equal brute force");
    }
}

namespace Aknn.Embedded.CrashHelper;

/// <summary>
/// A small, cleanly closed index of one <see cref="CrashIndexKind"/> that holds every kind of file
/// (manifest, two or more segments, a deletion file, a log with upserts and deletes, and for the
/// float index the LSH model), with the ids that must be present and absent. Every write was made
/// durable (Commit, then Dispose), so after any damage all of them must still be there unless an
/// error says otherwise. The corruption trials copy it and damage the copy.
/// </summary>
public sealed class PristineIndex
{
    /// <summary>Seal threshold of the pristine indexes: small, so a few dozen rows make segments.</summary>
    public const long SealThresholdBytes = 8192;

    private PristineIndex(CrashIndexKind kind, string folder, HashSet<string> live, HashSet<string> deleted)
    {
        Kind = kind;
        Folder = folder;
        Live = live;
        Deleted = deleted;
    }

    /// <summary>The kind of index.</summary>
    public CrashIndexKind Kind { get; }

    /// <summary>The folder (never opened again after it was built; trials work on copies).</summary>
    public string Folder { get; }

    /// <summary>Ids whose durable upsert must be present, with the item <see cref="CrashItems"/> defines for the id.</summary>
    public IReadOnlySet<string> Live { get; }

    /// <summary>Ids that were stored and then durably deleted: they must stay absent.</summary>
    public IReadOnlySet<string> Deleted { get; }

    /// <summary>Builds the index in <paramref name="folder"/> (which must not hold one) and checks that an undamaged copy reads as harmless.</summary>
    public static PristineIndex Build(string folder, CrashIndexKind kind)
    {
        var live = new HashSet<string>(StringComparer.Ordinal);
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        int next = 0;
        using (var index = VectorIndex.Create(folder, CrashIndexes.Create(kind, Durability.Manual, SealThresholdBytes)))
        {
            void Up(string id)
            {
                CrashIndexes.Upsert(index, kind, id);
                live.Add(id);
                deleted.Remove(id);
            }
            void Del(string id)
            {
                if (!index.Delete(id)) throw new InvalidOperationException($"Deleting '{id}' found nothing; the pristine index is not what its builder thinks.");
                live.Remove(id);
                deleted.Add(id);
            }
            string Next() => next < CrashItems.UniverseSize - 20
                ? CrashItems.UniverseId(next++)
                : throw new InvalidOperationException("The pristine index needed more rows than expected to seal; did the seal threshold change?");

            // Two or more segments (seals run in the background: keep writing until they are done).
            while (index.GetStatistics().SegmentCount < 2) Up(Next());
            // Deletions of sealed rows reach a deletion file at the next seal.
            foreach (int n in new[] { 0, 3, 7, 12 }) Del(CrashItems.UniverseId(n));
            while (Directory.GetFiles(folder, "*.del").Length == 0) Up(Next());
            index.Commit();
            // Only in the log: upserts (two with all-zero payloads, one bringing a deleted sealed id
            // back), deletes of a sealed and of a logged row, and a rewrite of a sealed row.
            Up(CrashItems.ZeroPrefix + "0");
            string a = Next();
            Up(a);
            Del(CrashItems.UniverseId(5));
            Up(CrashItems.UniverseId(3));
            Up(CrashItems.ZeroPrefix + "1");
            string b = Next();
            Up(b);
            Del(a);
            Up(CrashItems.UniverseId(9));
            // The last record adds a new id: dropping it is visible (a rewrite with the same content is not).
            Up(Next());
            index.Commit();
            if (index.GetStatistics().TailRows == 0) throw new InvalidOperationException("The pristine index's last writes were sealed; the log holds nothing to damage.");
        }
        var pristine = new PristineIndex(kind, folder, live, deleted);

        foreach (FileKind k in Enum.GetValues<FileKind>())
            if (CorruptionTrial.FilesOf(folder, k).Count == 0 && !(k == FileKind.LshModel && kind == CrashIndexKind.Binary))
                throw new InvalidOperationException($"The pristine {kind} index has no {k} file: {string.Join(", ", Directory.GetFiles(folder).Select(Path.GetFileName))}");
        string check = folder + "-check";
        try
        {
            CorruptionTrial.CopyIndex(folder, check);
            TrialResult undamaged = CorruptionTrial.Classify(pristine, check, Path.Combine(check, "MANIFEST"), 0);
            if (undamaged.Outcome != TrialOutcome.Harmless)
                throw new InvalidOperationException($"The undamaged {kind} index does not read back as written: {undamaged}");
        }
        finally
        {
            if (Directory.Exists(check)) Directory.Delete(check, recursive: true);
        }
        return pristine;
    }
}

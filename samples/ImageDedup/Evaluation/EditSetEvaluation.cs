using ImageDedup.Scanning;

namespace ImageDedup.Evaluation;

/// <summary>Scores groups against the folder-per-original ground truth of an edit set.</summary>
public static class EditSetEvaluation
{
    /// <summary>
    /// Scores <paramref name="groups"/> found in an edit set: the ground-truth label of a file is
    /// the first folder of its relative path (one folder per original), and every file not in a
    /// group counts as a group of its own.
    /// </summary>
    /// <param name="files">The relative paths of every file scanned (hashed or not).</param>
    /// <param name="groups">The groups the scan found.</param>
    public static EditSetScore Score(IReadOnlyList<string> files, IReadOnlyList<ImageGroup> groups)
    {
        static string Label(string path) => path.Split('/')[0];
        static string Edit(string path) => Path.GetFileNameWithoutExtension(path.Split('/')[^1]);

        var groupOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int g = 0; g < groups.Count; g++)
        {
            foreach (GroupMember m in groups[g].Members) groupOf[m.Path] = g;
        }

        long truePairs = 0, found = 0, correct = 0;
        for (int i = 0; i < files.Count; i++)
        {
            for (int j = i + 1; j < files.Count; j++)
            {
                bool same = Label(files[i]) == Label(files[j]);
                bool grouped = groupOf.TryGetValue(files[i], out int gi) && groupOf.TryGetValue(files[j], out int gj) && gi == gj;
                if (same) truePairs++;
                if (grouped) found++;
                if (same && grouped) correct++;
            }
        }

        var missed = new Dictionary<string, (int Missed, int Total)>(StringComparer.Ordinal);
        var originals = files.Where(f => Edit(f) == "original").ToDictionary(Label, StringComparer.Ordinal);
        foreach (string file in files)
        {
            string edit = Edit(file);
            if (edit == "original" || !originals.TryGetValue(Label(file), out string? original)) continue;
            bool together = groupOf.TryGetValue(file, out int a) && groupOf.TryGetValue(original, out int b) && a == b;
            var (m, t) = missed.GetValueOrDefault(edit);
            missed[edit] = (m + (together ? 0 : 1), t + 1);
        }
        var rates = missed.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => (double)p.Value.Missed / p.Value.Total, StringComparer.Ordinal);
        return new EditSetScore(files.Count, truePairs, found, correct, rates);
    }
}

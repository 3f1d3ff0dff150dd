using System.Globalization;

namespace Aknn.Embedded.CrashHelper;

/// <summary>
/// What a killed <see cref="DurableWriter"/> child did, read from its stdout lines: its calls as
/// row-level effects in order (a batch is one effect per row, so that a batch recovered as a prefix
/// of its rows is a prefix of the effects), and how many of them were acknowledged as durable.
/// <see cref="Check"/> then judges the state recovered after the kill. Used by the crash workload
/// of perf/Aknn.Perf; its own tests show it catches a lost write.
/// </summary>
public sealed class CrashHistory
{
    private readonly Dictionary<string, bool> _baseline;
    private readonly List<(string Id, bool Present)> _rows = [];

    private CrashHistory(Dictionary<string, bool> baseline) => _baseline = baseline;

    /// <summary>Row effects acknowledged as durable: the first this many of the rows.</summary>
    public int DurableRowsCount { get; private set; }

    /// <summary>Upsert, delete and batch calls acknowledged as durable.</summary>
    public int DurableCalls { get; private set; }

    /// <summary>The kind of call announced but not acknowledged when the child died (U, D, B, M, C), or null.</summary>
    public string? InFlight { get; private set; }

    /// <summary>The count the child saw when it opened the index.</summary>
    public long? ReadyCount { get; private set; }

    /// <summary>Reads the child's lines.</summary>
    /// <param name="lines">Its stdout lines, the last one possibly cut short by the kill.</param>
    /// <param name="baseline">Which ids were present when the child started (what the previous check found).</param>
    /// <param name="everyAckDurable">True under PerWrite; otherwise only an acknowledged Commit (M) makes the calls before it durable.</param>
    public static CrashHistory Parse(IReadOnlyList<string> lines, Dictionary<string, bool> baseline, bool everyAckDurable)
    {
        var h = new CrashHistory(baseline);
        int acked = 0;
        (string Kind, string[] Ids)? inFlight = null;
        foreach (string line in lines)
        {
            string[] p = line.Split(' ');
            if (p[0] == "READY" && p.Length == 2 && long.TryParse(p[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long count))
            {
                h.ReadyCount = count;
                continue;
            }
            // Only complete lines count: a line cut short by the kill lacks its END marker.
            if (p.Length < 4 || p[3] != "END") continue;
            string[] ids = p[2] == "-" ? [] : p[2].Split(',');
            if (p[0] == "DO")
            {
                inFlight = (p[1], ids);
                continue;
            }
            if (p[0] != "ACK") continue;
            if (p[1] is "U" or "B" or "D")
            {
                foreach (string id in ids) h._rows.Add((id, p[1] != "D"));
                acked++;
            }
            if (everyAckDurable || p[1] == "M")
            {
                h.DurableRowsCount = h._rows.Count;
                h.DurableCalls = acked;
            }
            inFlight = null;
        }
        if (inFlight is { } f)
        {
            h.InFlight = f.Kind;
            // Announced but not acknowledged: it may or may not have happened.
            if (f.Kind is "U" or "B" or "D")
                foreach (string id in f.Ids) h._rows.Add((id, f.Kind != "D"));
        }
        return h;
    }

    /// <summary>
    /// Compares the recovered state with the states after each prefix of the row effects that
    /// covers every durable one. Returns the number of durable writes lost (with a description),
    /// or 0 with a description when nothing durable is lost but no prefix explains the state, or
    /// 0 and null when a prefix does.
    /// </summary>
    public int Check(Dictionary<string, bool> observed, out string? detail)
    {
        var state = new Dictionary<string, bool>(_baseline, StringComparer.Ordinal);
        int differing = state.Count(kv => observed[kv.Key] != kv.Value);
        for (int i = 0; i <= _rows.Count; i++)
        {
            if (i >= DurableRowsCount && differing == 0)
            {
                detail = null;
                return 0;
            }
            if (i == _rows.Count) break;
            var (id, present) = _rows[i];
            bool before = state[id];
            state[id] = present;
            differing += (before != observed[id] ? -1 : 0) + (present != observed[id] ? 1 : 0);
        }

        // No prefix fits: list the durable effects that are missing and that no later call touched.
        var durable = new Dictionary<string, bool>(_baseline, StringComparer.Ordinal);
        for (int i = 0; i < DurableRowsCount; i++) durable[_rows[i].Id] = _rows[i].Present;
        var touchedLater = _rows.Skip(DurableRowsCount).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var lost = durable.Where(kv => observed[kv.Key] != kv.Value && !touchedLater.Contains(kv.Key)).Select(kv => kv.Key).ToList();
        detail = lost.Count > 0
            ? $"{lost.Count} durable writes lost: {string.Join(", ", lost.Take(10).Select(id => $"'{id}' should be {(durable[id] ? "present" : "absent")}"))}"
            : $"the recovered state is no prefix of the write order ({DurableRowsCount} of {_rows.Count} row effects durable)";
        return lost.Count;
    }
}

using System.Diagnostics;

namespace Aknn.Perf.Workloads;

/// <summary>
/// Splits the time of a bulk load by listening to <c>UpsertBatch</c>'s progress reports, which the
/// library sends after each group of rows it has logged and applied, and after a seal when the
/// group filled the tail. Each interval between two reports (or from the start of a call to its
/// first report) is one group; a group during which a new segment file appeared carried a seal.
/// The groups without a seal give the cost per row of everything else (validation, copies, log
/// encoding and writing, applying to the tail); what a sealing group costs beyond that rate is the
/// seal. The clock's own bookkeeping (counting segment files) is kept out of the intervals.
/// </summary>
internal sealed class InsertClock(string folder) : IProgress<long>
{
    private readonly List<(double Ms, long Rows, int Segments)> _plain = [];
    private readonly List<(double Ms, long Rows, int Segments)> _sealing = [];
    private long _last;
    private long _doneInCall;
    private int _segments;

    /// <summary>Call just before each <c>UpsertBatch</c>.</summary>
    public void BeginCall()
    {
        _last = Stopwatch.GetTimestamp();
        _doneInCall = 0;
    }

    public void Report(long value)
    {
        long now = Stopwatch.GetTimestamp();
        double ms = Stats.Ms(_last, now);
        long rows = value - _doneInCall;
        _doneInCall = value;
        int segments = Directory.EnumerateFiles(folder, "seg-*.seg").Count();
        (segments > _segments ? _sealing : _plain).Add((ms, rows, _segments));
        _segments = segments;
        _last = Stopwatch.GetTimestamp();
    }

    /// <summary>Milliseconds per row outside seals.</summary>
    private double MsPerRow
    {
        get
        {
            long rows = _plain.Sum(g => g.Rows);
            return rows == 0 ? 0 : _plain.Sum(g => g.Ms) / rows;
        }
    }

    public int Seals => _sealing.Count;

    /// <summary>Time the sealing groups took beyond the rate of the other groups: the seals themselves.</summary>
    public double SealMs => _sealing.Sum(g => g.Ms - g.Rows * MsPerRow);

    /// <summary>The longest single group: the worst stall a writer saw inside one call.</summary>
    public double MaxGroupMs => _plain.Concat(_sealing).Select(g => g.Ms).DefaultIfEmpty(0).Max();

    /// <summary>
    /// Microseconds per row of the groups outside seals while the index had no segment yet, and while
    /// it had the most: how the cost of a write grows with the segments it must look the id up in.
    /// </summary>
    public (double First, double Last, int Segments) MicrosPerRowBySegments
    {
        get
        {
            if (_plain.Count == 0) return (double.NaN, double.NaN, 0);
            int most = _plain.Max(g => g.Segments);
            static double Rate(IEnumerable<(double Ms, long Rows, int Segments)> groups) =>
                groups.Sum(g => g.Ms) * 1000 / Math.Max(1, groups.Sum(g => g.Rows));
            return (Rate(_plain.Where(g => g.Segments == 0)), Rate(_plain.Where(g => g.Segments == most)), most);
        }
    }
}

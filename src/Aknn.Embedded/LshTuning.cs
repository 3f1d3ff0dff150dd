namespace Aknn.Embedded;

/// <summary>The result of <see cref="LshTuner"/>: every trial, the recall/latency frontier and the pick.</summary>
public sealed class LshTuning
{
    internal LshTuning(IReadOnlyList<LshTrial> trials, IReadOnlyList<LshTrial> frontier, LshTrial? best, int indexedRows, int queries, double exactMedianMilliseconds)
    {
        Trials = trials;
        Frontier = frontier;
        Best = best;
        IndexedRows = indexedRows;
        Queries = queries;
        ExactMedianMilliseconds = exactMedianMilliseconds;
    }

    /// <summary>Every configuration measured, in the order tried.</summary>
    public IReadOnlyList<LshTrial> Trials { get; }

    /// <summary>
    /// The Pareto frontier: trials that no other trial beats on both recall and median latency,
    /// fastest first (like EsAknn's published table of recall against latency).
    /// </summary>
    public IReadOnlyList<LshTrial> Frontier { get; }

    /// <summary>The fastest trial that reached the target recall, or null when none did (then the frontier's best recall shows how close it came).</summary>
    public LshTrial? Best { get; }

    /// <summary>Rows indexed for the trials.</summary>
    public int IndexedRows { get; }

    /// <summary>Held-out queries measured per trial.</summary>
    public int Queries { get; }

    /// <summary>Median latency of an exact search over the same rows, for comparison.</summary>
    public double ExactMedianMilliseconds { get; }
}

namespace Aknn.Embedded.Storage;

/// <summary>
/// A snapshot held for the length of a <c>using</c> block: acquiring it keeps the snapshot's
/// segments mapped, and disposing it lets them go (the last holder of a replaced segment unmaps
/// it). Replaces a hand-written acquire / try / finally-release around every read.
/// </summary>
/// <remarks>A struct, so a search allocates nothing for it; dispose it once, through <c>using</c>.</remarks>
internal readonly struct SnapshotLease : IDisposable
{
    private SnapshotLease(Snapshot snapshot) => Snapshot = snapshot;

    /// <summary>Acquires the engine's current snapshot.</summary>
    public static SnapshotLease Acquire(IndexEngine engine) => new(engine.Acquire());

    /// <summary>The snapshot held.</summary>
    public Snapshot Snapshot { get; }

    /// <summary>Releases the snapshot.</summary>
    public void Dispose() => IndexEngine.Release(Snapshot);
}

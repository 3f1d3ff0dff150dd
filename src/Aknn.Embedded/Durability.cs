namespace Aknn.Embedded;

/// <summary>
/// When a write reaches stable storage. Every mode makes a write visible to searches as soon as
/// the call returns; the modes differ only in what a crash or power loss can take away. See
/// docs/durability.md for the exact promise of each.
/// </summary>
public sealed class Durability
{
    private Durability(DurabilityKind kind, TimeSpan interval)
    {
        Kind = kind;
        Interval = interval;
    }

    /// <summary>The mode.</summary>
    public DurabilityKind Kind { get; }

    /// <summary>For <see cref="DurabilityKind.Batched"/>, the longest time a write waits for its flush; otherwise zero.</summary>
    public TimeSpan Interval { get; }

    /// <summary>
    /// Every write is flushed to stable storage (fdatasync) before the call returns. Nothing that
    /// returned is ever lost; the slowest mode.
    /// </summary>
    public static Durability PerWrite { get; } = new(DurabilityKind.PerWrite, TimeSpan.Zero);

    /// <summary>
    /// Group commit: a background flush makes all writes durable at most <paramref name="interval"/>
    /// after they returned. A crash loses at most the writes of the last interval, always a suffix
    /// of the write order and never half a write. <see cref="VectorIndex.Commit"/> forces a flush.
    /// </summary>
    /// <param name="interval">Flush interval, from 1 ms to 10 s.</param>
    public static Durability Batched(TimeSpan interval)
    {
        if (interval < TimeSpan.FromMilliseconds(1) || interval > TimeSpan.FromSeconds(10))
            throw new ArgumentOutOfRangeException(nameof(interval), interval,
                "The group-commit interval must lie between 1 ms and 10 s.");
        return new Durability(DurabilityKind.Batched, interval);
    }

    /// <summary>
    /// Writes become durable only at <see cref="VectorIndex.Commit"/> (and when the index is
    /// disposed). A crash loses everything after the last commit. The fastest mode for bulk loads.
    /// </summary>
    public static Durability Manual { get; } = new(DurabilityKind.Manual, TimeSpan.Zero);

    /// <inheritdoc/>
    public override string ToString() => Kind == DurabilityKind.Batched ? $"Batched({Interval.TotalMilliseconds} ms)" : Kind.ToString();
}

/// <summary>The durability modes; see <see cref="Durability"/>.</summary>
public enum DurabilityKind
{
    /// <summary>Flushed before each write returns.</summary>
    PerWrite,

    /// <summary>Flushed by a background group commit on an interval.</summary>
    Batched,

    /// <summary>Flushed only on <see cref="VectorIndex.Commit"/>.</summary>
    Manual,
}

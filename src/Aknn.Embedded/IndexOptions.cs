namespace Aknn.Embedded;

/// <summary>
/// The shape of an index, fixed at <see cref="VectorIndex.Create"/> and stored in the index folder.
/// </summary>
public sealed class IndexOptions
{
    /// <summary>Largest supported float-vector dimension.</summary>
    public const int MaxDimensions = 4096;

    /// <summary>Largest supported binary-code length in bits.</summary>
    public const int MaxCodeBits = 4096;

    /// <summary>
    /// For float metrics the number of vector components (1 to 4096); for <see cref="Metric.Hamming"/>
    /// the code length in bits (a multiple of 64, up to 4096).
    /// </summary>
    public int Dimensions { get; init; }

    /// <summary>The distance metric. Default: <see cref="Metric.Euclidean"/>.</summary>
    public Metric Metric { get; init; } = Metric.Euclidean;

    /// <summary>
    /// The search model. Default: null, which means <see cref="IndexModel.MultiIndexHashing"/> with
    /// automatic settings for <see cref="Metric.Hamming"/> and <see cref="IndexModel.Exact"/> for the
    /// float metrics.
    /// </summary>
    public IndexModel? Model { get; init; }

    /// <summary>The model to store: <see cref="Model"/>, or the default for the metric.</summary>
    internal IndexModel ResolvedModel => (Model ?? (Metric == Metric.Hamming ? IndexModel.MultiIndexHashing() : IndexModel.Exact)).Resolve(Metric, Dimensions);

    /// <summary>
    /// When writes reach stable storage. Default: <see cref="Durability.Batched"/> every 10 ms.
    /// This setting is not stored: each <see cref="VectorIndex.Open(string, OpenOptions?)"/> chooses its own.
    /// </summary>
    public Durability Durability { get; init; } = Durability.Batched(TimeSpan.FromMilliseconds(10));

    /// <summary>
    /// Size in bytes of vector data the in-memory tail holds before it is sealed into an immutable
    /// segment file. Larger values mean fewer segments and a longer log replay after a crash.
    /// Default 64 MiB; minimum 4 KiB.
    /// </summary>
    public long SealThresholdBytes { get; init; } = 64L << 20;

    /// <summary>For tests: a hook that can make storage writes fail (simulated full disk).</summary>
    internal Storage.IFaultInjector? Faults { get; init; }

    /// <summary>Where batch searches compute distances (not stored). Default: <see cref="ComputeMode.Auto"/>; see docs/compute.md.</summary>
    public ComputeMode Compute { get; init; } = ComputeMode.Auto;

    internal void Validate()
    {
        if (!Enum.IsDefined(Metric))
            throw new ArgumentOutOfRangeException(nameof(Metric), Metric, "Unknown metric.");
        if (Durability is null)
            throw new ArgumentNullException(nameof(Durability), "Choose a durability mode, for example Durability.PerWrite.");
        if (Metric == Metric.Hamming)
        {
            if (Dimensions <= 0 || Dimensions > MaxCodeBits || Dimensions % 64 != 0)
                throw new ArgumentOutOfRangeException(nameof(Dimensions), Dimensions,
                    $"A Hamming index stores binary codes whose length in bits is a multiple of 64 between 64 and {MaxCodeBits}; set Dimensions to the code length in bits (64 for pHash, 256 for PDQ).");
        }
        else if (Dimensions <= 0 || Dimensions > MaxDimensions)
        {
            throw new ArgumentOutOfRangeException(nameof(Dimensions), Dimensions,
                $"Dimensions must lie between 1 and {MaxDimensions}.");
        }
        if (ResolvedModel.Kind == IndexModelKind.MultiIndexHashing)
        {
            if (Metric != Metric.Hamming)
                throw new ArgumentException($"Multi-index hashing indexes binary codes; it needs Metric.Hamming, not {Metric}. Use IndexModel.Exact for float vectors.", nameof(Model));
            int bits = Dimensions;
            if (ResolvedModel.Substrings is { } m && (m < Bucketing.SubstringLayout.MinCount(bits) || m > bits))
                throw new ArgumentOutOfRangeException(nameof(Model), m,
                    $"A {bits}-bit code splits into {Bucketing.SubstringLayout.MinCount(bits)} to {bits} substring tables (each at most {Bucketing.SubstringLayout.MaxLength} bits); pass null to choose automatically.");
        }
        if (ResolvedModel.Kind == IndexModelKind.Lsh) ValidateLsh(ResolvedModel);
        ValidateSealThreshold(SealThresholdBytes);
    }

    /// <summary>The smallest seal threshold: below it nearly every write would seal a segment of its own.</summary>
    internal const long MinSealThresholdBytes = 4096;

    /// <summary>The one rule for a seal threshold, whether given at creation or when opening.</summary>
    internal static void ValidateSealThreshold(long bytes)
    {
        if (bytes < MinSealThresholdBytes)
            throw new ArgumentOutOfRangeException(nameof(SealThresholdBytes), bytes,
                $"The seal threshold must be at least {MinSealThresholdBytes} bytes (the default is 64 MiB); smaller values would seal a segment on nearly every write.");
    }

    private void ValidateLsh(IndexModel m)
    {
        LshFamily family = m.Family!.Value;
        Metric[] allowed = family switch
        {
            LshFamily.RandomHyperplanes or LshFamily.SignCodes => [Metric.Cosine, Metric.DotProduct],
            LshFamily.BisectingHyperplanes => [Metric.Euclidean, Metric.Manhattan],
            LshFamily.StableDistribution => [Metric.Euclidean, Metric.Manhattan],
            _ => [Metric.Hamming],
        };
        if (!allowed.Contains(Metric))
        {
            string usual = Metric switch
            {
                Metric.Cosine or Metric.DotProduct => "IndexModel.RandomHyperplanes",
                Metric.Hamming => "IndexModel.BitSampling (or the exact IndexModel.MultiIndexHashing)",
                _ => "IndexModel.BisectingHyperplanes or IndexModel.StableDistribution",
            };
            throw new ArgumentException($"The {family} LSH family does not suit Metric.{Metric} (it suits {string.Join(" and ", allowed.Select(a => "Metric." + a))}). Use {usual}, or IndexModel.Lsh(...) to choose the family from the metric.", nameof(Model));
        }
        if (family == LshFamily.BitSampling && m.BitsPerTable > Dimensions)
            throw new ArgumentOutOfRangeException(nameof(Model), m.BitsPerTable, $"Bit sampling takes at most all {Dimensions} bits of the code per table; lower bitsPerTable.");
        if (m.Sample is { } sample && sample.Length != (long)m.FitRows * Dimensions)
            throw new ArgumentException($"The sample's vectors have {sample.Length / m.FitRows} components, but the index has {Dimensions} dimensions.", nameof(Model));
    }

}

/// <summary>Settings chosen each time an existing index is opened.</summary>
public sealed class OpenOptions
{
    /// <summary>
    /// Open without taking the writer lock: searches and reads see the last durable state at the
    /// time of opening, while another process may keep writing. Writes throw.
    /// </summary>
    public bool ReadOnly { get; init; }

    /// <summary>When writes reach stable storage. Default: <see cref="Durability.Batched"/> every 10 ms.</summary>
    public Durability Durability { get; init; } = Durability.Batched(TimeSpan.FromMilliseconds(10));

    /// <summary>Overrides the stored seal threshold when set (at least 4096 bytes, as at creation); see <see cref="IndexOptions.SealThresholdBytes"/>.</summary>
    public long? SealThresholdBytes { get; init; }

    /// <summary>Checks the options by the same rules as <see cref="IndexOptions"/>.</summary>
    internal void Validate()
    {
        if (SealThresholdBytes is { } bytes) IndexOptions.ValidateSealThreshold(bytes);
    }

    internal Storage.IFaultInjector? Faults { get; init; }

    /// <summary>Where batch searches compute distances. Default: <see cref="ComputeMode.Auto"/>; see docs/compute.md.</summary>
    public ComputeMode Compute { get; init; } = ComputeMode.Auto;
}

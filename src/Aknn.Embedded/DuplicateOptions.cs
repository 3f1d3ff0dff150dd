namespace Aknn.Embedded;

/// <summary>Options for <see cref="VectorIndex.FindDuplicates(int, DuplicateOptions?, IProgress{DuplicateProgress}?, CancellationToken)"/>.</summary>
public sealed class DuplicateOptions
{
    /// <summary>
    /// Whether the report lists every pair of codes within the radius with its distance, besides the
    /// groups. Default: false (a large collection of near-identical codes can have many pairs).
    /// </summary>
    public bool IncludePairs { get; init; }

    internal static readonly DuplicateOptions Default = new();
}

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

/// <summary>
/// Groups of near-duplicate codes: the connected components of the graph whose edges join codes
/// within the radius (so two members of a group may be further apart than the radius, linked
/// through others).
/// </summary>
public sealed class DuplicateReport
{
    internal DuplicateReport(int radius, IReadOnlyList<DuplicateGroup> groups, IReadOnlyList<DuplicatePair> pairs, long codesExamined)
    {
        Radius = radius;
        Groups = groups;
        Pairs = pairs;
        CodesExamined = codesExamined;
    }

    /// <summary>The Hamming radius the report was made with.</summary>
    public int Radius { get; }

    /// <summary>
    /// Groups of two or more items, largest first; groups of equal size are ordered by their first id.
    /// Inside a group ids are in ordinal order of their UTF-8 bytes.
    /// </summary>
    public IReadOnlyList<DuplicateGroup> Groups { get; }

    /// <summary>
    /// Every pair within the radius, ordered by first id then second id (the first id of a pair is
    /// the smaller); empty unless <see cref="DuplicateOptions.IncludePairs"/> was set.
    /// </summary>
    public IReadOnlyList<DuplicatePair> Pairs { get; }

    /// <summary>How many live codes the search covered.</summary>
    public long CodesExamined { get; }
}

/// <summary>One group of near-duplicates.</summary>
public sealed class DuplicateGroup
{
    internal DuplicateGroup(IReadOnlyList<string> ids) => Ids = ids;

    /// <summary>The members' ids, in ordinal order of their UTF-8 bytes.</summary>
    public IReadOnlyList<string> Ids { get; }

    /// <summary>The number of members (at least 2).</summary>
    public int Count => Ids.Count;
}

/// <summary>Two items whose codes lie within the radius of each other.</summary>
/// <param name="First">The id that sorts first (ordinal order of the UTF-8 bytes).</param>
/// <param name="Second">The other id.</param>
/// <param name="Distance">The Hamming distance between their codes.</param>
public readonly record struct DuplicatePair(string First, string Second, int Distance);

/// <summary>Progress of a duplicate search.</summary>
/// <param name="Done">Units of work finished.</param>
/// <param name="Total">Units of work in all (codes to read, then codes to probe, per table).</param>
/// <param name="Phase">What is being done: "reading", "indexing" or "joining".</param>
public readonly record struct DuplicateProgress(long Done, long Total, string Phase);

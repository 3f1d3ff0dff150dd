namespace Aknn.Embedded;

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

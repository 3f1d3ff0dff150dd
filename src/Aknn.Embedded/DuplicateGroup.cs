namespace Aknn.Embedded;

/// <summary>One group of near-duplicates.</summary>
public sealed class DuplicateGroup
{
    internal DuplicateGroup(IReadOnlyList<string> ids) => Ids = ids;

    /// <summary>The members' ids, in ordinal order of their UTF-8 bytes.</summary>
    public IReadOnlyList<string> Ids { get; }

    /// <summary>The number of members (at least 2).</summary>
    public int Count => Ids.Count;
}

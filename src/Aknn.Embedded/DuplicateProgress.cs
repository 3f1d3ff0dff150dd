namespace Aknn.Embedded;

/// <summary>Progress of a duplicate search.</summary>
/// <param name="Done">Units of work finished.</param>
/// <param name="Total">Units of work in all (codes to read, then codes to probe, per table).</param>
/// <param name="Phase">What is being done: "reading", "indexing" or "joining".</param>
public readonly record struct DuplicateProgress(long Done, long Total, string Phase);

namespace Aknn.Embedded.Orleans.Contracts;

/// <summary>The search options sent to each shard (the serialisable part of <see cref="DistributedSearchOptions"/>).</summary>
[GenerateSerializer, Immutable]
internal sealed record ShardQuery(
    [property: Id(0)] int K,
    [property: Id(1)] int? Candidates,
    [property: Id(2)] int? Probes,
    [property: Id(3)] bool Exact,
    [property: Id(4)] bool IncludePayload,
    [property: Id(5)] string? ExcludeId)
{
    /// <summary>The core options for the shard's own search; a search by id leaves the item out by a filter.</summary>
    public SearchOptions ToSearchOptions()
    {
        string? exclude = ExcludeId;
        return new SearchOptions
        {
            K = K,
            Candidates = Candidates,
            Probes = Probes,
            Exact = Exact,
            IncludePayload = IncludePayload,
            Filter = exclude is null ? null : (id, _) => !string.Equals(id, exclude, StringComparison.Ordinal),
        };
    }
}

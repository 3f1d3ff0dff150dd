using Microsoft.Extensions.AI;

namespace Aknn.Embedded.VectorData;

/// <summary>Options for an <see cref="AknnVectorStore"/> and the collections it hands out.</summary>
public sealed class AknnVectorStoreOptions
{
    /// <summary>
    /// When writes reach stable storage. Default: <see cref="Embedded.Durability.Batched"/> every 10 ms,
    /// as for <see cref="VectorIndex"/>. Use <see cref="Embedded.Durability.PerWrite"/> when every
    /// acknowledged upsert must survive a power loss.
    /// </summary>
    public Durability Durability { get; init; } = Durability.Batched(TimeSpan.FromMilliseconds(10));

    /// <summary>
    /// The embedding generator used for vector properties that do not name their own (for example a
    /// string property turned into a vector on upsert, or text passed to <c>SearchAsync</c>). Default: none.
    /// </summary>
    public IEmbeddingGenerator? EmbeddingGenerator { get; init; }

    /// <summary>Hash tables of an <see cref="AknnIndexKind.Lsh"/> collection (1 to 255). Default 16.</summary>
    public int LshTables { get; init; } = 16;

    /// <summary>Bits per hash table of an <see cref="AknnIndexKind.Lsh"/> collection (1 to 32). Default 12.</summary>
    public int LshBitsPerTable { get; init; } = 12;

    /// <summary>Extra buckets each search of an <see cref="AknnIndexKind.Lsh"/> collection probes per table (multi-probe). Default 2.</summary>
    public int LshProbes { get; init; } = 2;

    /// <summary>
    /// Candidates an <see cref="AknnIndexKind.Lsh"/> search re-ranks by exact distance (see
    /// <see cref="SearchOptions.Candidates"/>); raised to at least top + skip. Default: null, meaning
    /// the core's default for the model's family and top + skip (see <see cref="SearchOptions.Candidates"/>).
    /// </summary>
    public int? LshCandidates { get; init; }

    /// <summary>Where batch searches compute distances. Default: <see cref="ComputeMode.Auto"/>.</summary>
    public ComputeMode Compute { get; init; } = ComputeMode.Auto;
}

using Aknn.Embedded.Bucketing;
using CommunityToolkit.HighPerformance;

namespace Aknn.Embedded;

/// <summary>
/// How the index finds neighbours. The model is fixed when the index is created and stored with it.
/// </summary>
public sealed class IndexModel
{
    /// <summary>Most LSH tables a model may have.</summary>
    public const int MaxTables = 255;

    /// <summary>Most bits (or stable-distribution hashes) per LSH table.</summary>
    public const int MaxBitsPerTable = 32;

    /// <summary>Default number of vectors a <see cref="LshFamily.BisectingHyperplanes"/> model is fitted from.</summary>
    public const int DefaultFitRows = 10_000;

    private IndexModel(IndexModelKind kind, int? substrings = null, int? expectedRadius = null)
    {
        Kind = kind;
        Substrings = substrings;
        ExpectedRadius = expectedRadius;
    }

    private IndexModel(LshFamily family, int tables, int bitsPerTable, float width, int probes, int seed, int fitRows, float[]? sample)
        : this(IndexModelKind.Lsh)
    {
        Family = family;
        Tables = tables;
        BitsPerTable = bitsPerTable;
        Width = width;
        Probes = probes;
        Seed = seed;
        FitRows = fitRows;
        Sample = sample;
    }

    /// <summary>The kind of model.</summary>
    public IndexModelKind Kind { get; }

    /// <summary>
    /// For <see cref="IndexModelKind.MultiIndexHashing"/>: the number of substring tables, or null when
    /// each segment chooses its own from its row count.
    /// </summary>
    public int? Substrings { get; }

    /// <summary>
    /// For <see cref="IndexModelKind.MultiIndexHashing"/>: the search radius the tables are tuned for,
    /// or null for an eighth of the code length (8 bits for 64-bit codes, 32 for 256-bit codes).
    /// </summary>
    public int? ExpectedRadius { get; }

    /// <summary>For <see cref="IndexModelKind.Lsh"/>: the hash family; null for other kinds.</summary>
    public LshFamily? Family { get; }

    /// <summary>For <see cref="IndexModelKind.Lsh"/>: the number of hash tables (L); 0 for other kinds.</summary>
    public int Tables { get; }

    /// <summary>
    /// For <see cref="IndexModelKind.Lsh"/>: the bits per table (k), or for
    /// <see cref="LshFamily.StableDistribution"/> the number of quantised projections per table; 0 for other kinds.
    /// </summary>
    public int BitsPerTable { get; }

    /// <summary>For <see cref="LshFamily.StableDistribution"/>: the bucket width w; 0 for other families.</summary>
    public float Width { get; }

    /// <summary>
    /// For <see cref="IndexModelKind.Lsh"/>: the extra buckets a search probes beyond each table's own
    /// bucket (multi-probe; <see cref="SearchOptions.Probes"/> overrides it per search).
    /// </summary>
    public int Probes { get; }

    /// <summary>For <see cref="IndexModelKind.Lsh"/>: the seed the random planes or sampled bits are drawn from.</summary>
    public int Seed { get; }

    /// <summary>
    /// For <see cref="LshFamily.BisectingHyperplanes"/> without a sample: how many inserted vectors the
    /// model is fitted from (see <see cref="BisectingHyperplanes(int, int, int, int?)"/>); 0 otherwise.
    /// </summary>
    public int FitRows { get; }

    /// <summary>The caller's sample for <see cref="LshFamily.BisectingHyperplanes"/> (row after row), or null.</summary>
    internal float[]? Sample { get; }

    /// <summary>
    /// Exact search: every query compares against every live row with the SIMD kernels. Recall is
    /// always 1; the cost grows linearly with the number of rows (about the time to read the
    /// vectors once from memory).
    /// </summary>
    public static IndexModel Exact { get; } = new(IndexModelKind.Exact);

    /// <summary>
    /// Multi-index hashing over binary codes (<see cref="Metric.Hamming"/> only; the default model for
    /// such indexes): each code is cut into m substrings, each the key of a hash table kept in the
    /// in-memory tail and in every segment file. Radius and nearest-neighbour searches probe the
    /// tables and verify candidates with a popcount, and fall back to a scan wherever the scan is
    /// cheaper; results are exact either way. The tables cost m × 12 bytes a row for 64-bit codes
    /// (m × 8 for longer ones).
    /// </summary>
    /// <param name="substrings">
    /// The number of substring tables, each at most 32 bits of the code (so at least bits / 32), or
    /// null to let each segment choose from its row count and <paramref name="expectedRadius"/>
    /// (about bits / log2(rows), after Norouzi et al.).
    /// </param>
    /// <param name="expectedRadius">The radius searches will mostly use, for the automatic choice; null for bits / 8.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public static IndexModel MultiIndexHashing(int? substrings = null, int? expectedRadius = null)
    {
        if (substrings is < 1 or > IndexOptions.MaxCodeBits)
            throw new ArgumentOutOfRangeException(nameof(substrings), substrings, $"The number of substring tables must lie between 1 and {IndexOptions.MaxCodeBits} (at least code bits / {SubstringLayout.MaxLength}, at most one per bit); pass null to choose automatically.");
        if (expectedRadius is < 0 or > IndexOptions.MaxCodeBits)
            throw new ArgumentOutOfRangeException(nameof(expectedRadius), expectedRadius, $"The expected radius must lie between 0 and {IndexOptions.MaxCodeBits} bits; pass null for an eighth of the code length.");
        return new IndexModel(IndexModelKind.MultiIndexHashing, substrings, expectedRadius);
    }

    /// <summary>
    /// Approximate search by locality-sensitive hashing with settings chosen for the index's metric
    /// and dimension when the index is created (and stored with it, so a reopened index hashes the
    /// same way). With these defaults and the default <see cref="SearchOptions.Candidates"/>, recall@10
    /// reached 0.9 or more on the project's clustered benchmark data sets (README, "Defaults without
    /// tuning"; docs/benchmarks.md):
    /// <list type="bullet">
    /// <item><see cref="Metric.Euclidean"/> and <see cref="Metric.Manhattan"/>:
    /// <see cref="BisectingHyperplanes(int, int, int, int?)"/> with <see cref="DefaultTables"/> tables of
    /// <see cref="DefaultBisectingBits"/> bits, fitted from the first <see cref="DefaultFitRows"/>
    /// inserted vectors (it needs no knowledge of the data's scale);</item>
    /// <item><see cref="Metric.Cosine"/> and <see cref="Metric.DotProduct"/>: <see cref="SignCodes"/> of
    /// about two bits per dimension (2 × dimensions rounded up to a multiple of 8, between 64 and
    /// 2,040 bits);</item>
    /// <item><see cref="Metric.Hamming"/>: <see cref="MultiIndexHashing"/> with automatic settings
    /// (exact results, and usually faster than bit sampling).</item>
    /// </list>
    /// Tune (<see cref="LshTuner"/>, or the other factories) for more speed at a given recall.
    /// </summary>
    public static IndexModel Lsh() => s_defaults;

    private static readonly IndexModel s_defaults = new(LshFamily.Auto, 0, 0, 0, 0, DefaultSeed, 0, null);

    /// <summary>Tables of the Euclidean and Manhattan defaults of <see cref="Lsh()"/>.</summary>
    public const int DefaultTables = 32;

    /// <summary>
    /// Bits per table of the Euclidean and Manhattan defaults of <see cref="Lsh()"/>: with the default
    /// candidate budget it measured recall@10 of 0.95 or more on 200k × 128 and 1M × 25 clustered vectors
    /// (12 bits reached 0.84 at 1M with 1,600 candidates: bigger buckets share more tables, so the
    /// count ranks candidates less well).
    /// </summary>
    public const int DefaultBisectingBits = 14;

    /// <summary>The code length <see cref="Lsh()"/> chooses for cosine and dot product: about two bits per dimension.</summary>
    internal static int DefaultSignCodeBits(int dimensions) => SignCodeBitsNear(2 * dimensions);

    /// <summary><paramref name="bits"/> rounded up to a length <see cref="SignCodes"/> accepts (a multiple of 8), kept between 64 and the longest code.</summary>
    internal static int SignCodeBitsNear(int bits) =>
        Math.Clamp((bits + SignCodeTableBits - 1) / SignCodeTableBits * SignCodeTableBits, 64, MaxTables * SignCodeTableBits);

    /// <summary>
    /// Approximate search by locality-sensitive hashing with the usual family for the index's metric:
    /// <see cref="RandomHyperplanes"/> for cosine and dot product, <see cref="BitSampling"/> for
    /// Hamming, and <see cref="BisectingHyperplanes(int, int, int, int?)"/> (fitted from the first
    /// <see cref="DefaultFitRows"/> inserted vectors) for Euclidean and Manhattan.
    /// </summary>
    /// <param name="tables">Number of hash tables L (1 to 255). More tables raise recall and cost.</param>
    /// <param name="bitsPerTable">Bits per table k (1 to 32). More bits make buckets smaller and more selective.</param>
    /// <param name="probes">Extra buckets each search probes beyond the L home buckets (multi-probe), 0 or more.</param>
    /// <param name="seed">Seed of the random draws; null for a fixed default, so that two indexes built alike hash alike.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public static IndexModel Lsh(int tables, int bitsPerTable, int probes = 0, int? seed = null) =>
        Make(LshFamily.Auto, tables, bitsPerTable, 0, probes, seed, 0, null);

    /// <summary>
    /// Random-hyperplane LSH for <see cref="Metric.Cosine"/> and <see cref="Metric.DotProduct"/>
    /// (Charikar): bit j of a table is the sign of a·x for a random Gaussian direction a, so two
    /// vectors agree on a bit with probability 1 − angle/π.
    /// </summary>
    /// <inheritdoc cref="Lsh(int, int, int, int?)"/>
    public static IndexModel RandomHyperplanes(int tables, int bitsPerTable, int probes = 0, int? seed = null) =>
        Make(LshFamily.RandomHyperplanes, tables, bitsPerTable, 0, probes, seed, 0, null);

    /// <summary>
    /// Sign random projections as one long binary code per vector, for <see cref="Metric.Cosine"/> and
    /// <see cref="Metric.DotProduct"/> ("binary quantization with rescoring"): bit j of a vector's code
    /// is the sign of a_j·x for a random Gaussian direction a_j, so two vectors differ on a bit with
    /// probability angle/π. A search computes the query's code, ranks every stored code by Hamming
    /// distance with the popcount scan kernels, keeps the best <see cref="SearchOptions.Candidates"/>
    /// and re-ranks those exactly. The code is stored as <paramref name="bits"/> / 8 tables of 8 bits,
    /// so the segment files hold it in the usual LSH postings; search reads it back into one
    /// contiguous array of codes per segment (<paramref name="bits"/> / 8 bytes a row, in memory) on
    /// first use; rows still in the in-memory tail are compared exactly. Suits high dimensions (text
    /// embeddings), where bucket tables need many tables and thousands of candidates for good
    /// recall. <see cref="SearchOptions.Probes"/> does not apply.
    /// </summary>
    /// <param name="bits">
    /// Code length: a multiple of 8 from 8 to 2,040. About the vector's dimension is a good start;
    /// longer codes rank better and cost a longer scan.
    /// </param>
    /// <param name="seed">Seed of the random directions; null for a fixed default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bits"/> is not a multiple of 8 between 8 and 2,040.</exception>
    public static IndexModel SignCodes(int bits, int? seed = null)
    {
        if (bits < 8 || bits > MaxTables * SignCodeTableBits || bits % SignCodeTableBits != 0)
            throw new ArgumentOutOfRangeException(nameof(bits), bits, $"A sign code has a multiple of {SignCodeTableBits} bits between {SignCodeTableBits} and {MaxTables * SignCodeTableBits}; about the vector's dimension is a good start.");
        return Make(LshFamily.SignCodes, bits / SignCodeTableBits, SignCodeTableBits, 0, 0, seed, 0, null);
    }

    /// <summary>
    /// Bits of a sign code per stored table: 8, so that every segment of 256 rows or more keeps each
    /// table's full key in its postings directory and the codes can be read back from them.
    /// </summary>
    internal const int SignCodeTableBits = 8;

    /// <summary>
    /// Bit-sampling LSH for <see cref="Metric.Hamming"/> (Indyk and Motwani): each table's key is k
    /// bits of the code at random positions, so two codes at distance d agree on a bit with
    /// probability 1 − d/bits.
    /// </summary>
    /// <inheritdoc cref="Lsh(int, int, int, int?)"/>
    public static IndexModel BitSampling(int tables, int bitsPerTable, int probes = 0, int? seed = null) =>
        Make(LshFamily.BitSampling, tables, bitsPerTable, 0, probes, seed, 0, null);

    /// <summary>
    /// Bisecting-hyperplane LSH for <see cref="Metric.Euclidean"/> (EsAknn's model), fitted from the
    /// index's own data: for each table and bit two vectors A and B are drawn from the first
    /// <paramref name="fitRows"/> vectors inserted, and the bit is 1 when x is closer to B than to A.
    /// Until that many vectors are stored, the model is not fitted and searches are exact (they
    /// scan the few rows there are); when the <paramref name="fitRows"/>-th vector arrives (or the
    /// first segment is sealed, or a bulk load starts, whichever comes first) the model is fitted
    /// from the live rows, stored with the index, and every row stored so far is hashed.
    /// </summary>
    /// <param name="tables">Number of hash tables L (1 to 255).</param>
    /// <param name="bitsPerTable">Bits per table k (1 to 32).</param>
    /// <param name="fitRows">How many inserted vectors to fit from (at least 2; default 10,000).</param>
    /// <param name="seed">Seed of the draws of A and B; null for a fixed default.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public static IndexModel BisectingHyperplanes(int tables, int bitsPerTable, int fitRows = DefaultFitRows, int? seed = null)
    {
        if (fitRows < 2)
            throw new ArgumentOutOfRangeException(nameof(fitRows), fitRows, "A bisecting-hyperplane model is fitted from at least 2 vectors.");
        return Make(LshFamily.BisectingHyperplanes, tables, bitsPerTable, 0, 0, seed, fitRows, null);
    }

    /// <summary>
    /// Bisecting-hyperplane LSH for <see cref="Metric.Euclidean"/>, fitted from a sample the caller
    /// passes (for example vectors representative of what will be stored): the model is fitted when
    /// the index is created, so every row is hashed as it is written.
    /// </summary>
    /// <param name="tables">Number of hash tables L (1 to 255).</param>
    /// <param name="bitsPerTable">Bits per table k (1 to 32).</param>
    /// <param name="sample">At least 2 vectors of the index's dimension, one per row, finite.</param>
    /// <param name="seed">Seed of the draws of A and B; null for a fixed default.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    /// <exception cref="ArgumentException">The sample has fewer than 2 rows or a component that is not finite.</exception>
    public static IndexModel BisectingHyperplanes(int tables, int bitsPerTable, ReadOnlySpan2D<float> sample, int? seed = null)
    {
        if (sample.Height < 2)
            throw new ArgumentException($"A bisecting-hyperplane model is fitted from at least 2 sample vectors; the sample has {sample.Height}.", nameof(sample));
        var flat = new float[sample.Height * sample.Width];
        sample.CopyTo(flat);
        foreach (float f in flat)
            if (!float.IsFinite(f)) throw new ArgumentException("The sample holds a component that is NaN or infinite; pass finite vectors.", nameof(sample));
        return Make(LshFamily.BisectingHyperplanes, tables, bitsPerTable, 0, 0, seed, sample.Height, flat);
    }

    /// <summary>
    /// Stable-distribution LSH (Datar, Immorlica, Indyk and Mirrokni, 2004) for
    /// <see cref="Metric.Euclidean"/> (Gaussian projections) and <see cref="Metric.Manhattan"/>
    /// (Cauchy projections): h(x) = floor((a·x + b) / w), with <paramref name="hashesPerTable"/> such
    /// hashes forming one table's key. Searches can probe neighbouring buckets (Lv et al.'s
    /// query-directed multi-probe): each hash is moved by ±1 in the order of how close the query lies
    /// to that bucket boundary, with one probe budget shared by all tables.
    /// </summary>
    /// <param name="tables">Number of hash tables L (1 to 255).</param>
    /// <param name="hashesPerTable">Quantised projections per table k (1 to 32).</param>
    /// <param name="width">Bucket width w, in the units of the vectors (positive, finite): about the distance of a typical near neighbour.</param>
    /// <param name="probes">Extra buckets probed per search, shared by all tables (0 or more).</param>
    /// <param name="seed">Seed of the random projections; null for a fixed default.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public static IndexModel StableDistribution(int tables, int hashesPerTable, float width, int probes = 0, int? seed = null)
    {
        if (!float.IsFinite(width) || width <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), width, "The bucket width must be a positive, finite number (about the distance of a typical near neighbour).");
        return Make(LshFamily.StableDistribution, tables, hashesPerTable, width, probes, seed, 0, null);
    }

    /// <summary>The seed used when the caller passes none.</summary>
    internal const int DefaultSeed = 0x5EED;

    private static IndexModel Make(LshFamily family, int tables, int bits, float width, int probes, int? seed, int fitRows, float[]? sample)
    {
        if (tables is < 1 or > MaxTables)
            throw new ArgumentOutOfRangeException(nameof(tables), tables, $"An LSH model has 1 to {MaxTables} tables.");
        if (bits is < 1 or > MaxBitsPerTable)
            throw new ArgumentOutOfRangeException(family == LshFamily.StableDistribution ? "hashesPerTable" : "bitsPerTable", bits, $"An LSH table uses 1 to {MaxBitsPerTable} bits (or hashes).");
        if (probes is < 0 or > SearchOptions.MaxProbes)
            throw new ArgumentOutOfRangeException(nameof(probes), probes, $"The number of extra probes must lie between 0 and {SearchOptions.MaxProbes}.");
        return new IndexModel(family, tables, bits, width, probes, seed ?? DefaultSeed, fitRows, sample);
    }

    /// <summary>A model as the manifest records it (no sample: a fitted model's planes are in its own file).</summary>
    internal static IndexModel Stored(LshFamily family, int tables, int bits, float width, int probes, int seed, int fitRows) =>
        new(family, tables, bits, width, probes, seed, fitRows, null);

    /// <summary>Whether this is <see cref="Lsh()"/>, whose settings are chosen when the index is created.</summary>
    internal bool IsDefaults => Kind == IndexModelKind.Lsh && Family == LshFamily.Auto && Tables == 0;

    /// <summary>
    /// This model with the family that <see cref="LshFamily.Auto"/> stands for under
    /// <paramref name="metric"/>, or for <see cref="Lsh()"/> the default model for the metric and
    /// <paramref name="dimensions"/>.
    /// </summary>
    internal IndexModel Resolve(Metric metric, int dimensions)
    {
        if (Kind != IndexModelKind.Lsh || Family != LshFamily.Auto) return this;
        if (IsDefaults)
        {
            return metric switch
            {
                Metric.Cosine or Metric.DotProduct => SignCodes(DefaultSignCodeBits(dimensions)),
                Metric.Hamming => MultiIndexHashing(),
                _ => BisectingHyperplanes(DefaultTables, DefaultBisectingBits),
            };
        }
        LshFamily family = metric switch
        {
            Metric.Cosine or Metric.DotProduct => LshFamily.RandomHyperplanes,
            Metric.Hamming => LshFamily.BitSampling,
            _ => LshFamily.BisectingHyperplanes,
        };
        return new IndexModel(family, Tables, BitsPerTable, Width, Probes, Seed, family == LshFamily.BisectingHyperplanes ? DefaultFitRows : 0, null);
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        IndexModelKind.MultiIndexHashing => $"MultiIndexHashing(substrings: {Substrings?.ToString() ?? "auto"}, expectedRadius: {ExpectedRadius?.ToString() ?? "auto"})",
        IndexModelKind.Lsh when IsDefaults => "Lsh(defaults for the metric)",
        IndexModelKind.Lsh when Family == LshFamily.SignCodes => $"SignCodes(bits: {Tables * BitsPerTable})",
        IndexModelKind.Lsh when Family == LshFamily.StableDistribution => $"StableDistribution(tables: {Tables}, hashesPerTable: {BitsPerTable}, width: {Width:G4}, probes: {Probes})",
        IndexModelKind.Lsh => $"{Family}(tables: {Tables}, bitsPerTable: {BitsPerTable}{(Probes > 0 ? $", probes: {Probes}" : "")})",
        _ => Kind.ToString(),
    };
}

/// <summary>The kinds of <see cref="IndexModel"/>.</summary>
public enum IndexModelKind
{
    /// <summary>Brute-force exact search.</summary>
    Exact = 1,

    /// <summary>Multi-index hashing over binary codes: exact radius and nearest-neighbour search without a full scan.</summary>
    MultiIndexHashing = 2,

    /// <summary>Locality-sensitive hashing: approximate nearest neighbours from bucket candidates re-ranked exactly.</summary>
    Lsh = 3,
}

/// <summary>Families of locality-sensitive hash functions (see the <see cref="IndexModel"/> factories).</summary>
public enum LshFamily
{
    /// <summary>The usual family for the index's metric, chosen when the index is created.</summary>
    Auto = 0,

    /// <summary>Sign of a random projection (cosine, dot product).</summary>
    RandomHyperplanes = 1,

    /// <summary>Closer to sample vector A or B (Euclidean), fitted from data.</summary>
    BisectingHyperplanes = 2,

    /// <summary>Quantised Gaussian or Cauchy projection, floor((a·x + b) / w) (Euclidean, Manhattan), with multi-probe.</summary>
    StableDistribution = 3,

    /// <summary>Sampled bits of a binary code (Hamming).</summary>
    BitSampling = 4,

    /// <summary>
    /// One long code of random-hyperplane sign bits per vector (cosine, dot product), ranked by
    /// Hamming distance to the query's code, the best re-ranked exactly ("binary quantization with
    /// rescoring"; see <see cref="IndexModel.SignCodes(int, int?)"/>).
    /// </summary>
    SignCodes = 5,
}

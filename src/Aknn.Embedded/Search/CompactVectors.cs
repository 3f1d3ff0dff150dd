using System.Runtime.CompilerServices;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Search;

/// <summary>
/// An in-memory int8 copy of a segment's float vectors (Euclidean, cosine and dot-product indexes),
/// for a first re-rank pass that reads a quarter of the bytes: each row is stored as
/// <c>round(x[i] / s)</c> with its own scale <c>s = max |x[i]| / 127</c>, followed by two floats
/// that turn the integer dot product with the query into a score, larger is closer (see
/// <see cref="Score"/>).
/// </summary>
/// <remarks>
/// <para>
/// The score approximates, in the query's units: <c>q·x / |x|</c> for cosine, <c>q·x</c> for dot
/// product and <c>2 q·x − |x|²</c> for Euclidean distance, which is <c>|q|² − |q − x|²</c>, so
/// it orders rows as the squared distance does. A row's two floats are its factor (<c>s / |x|</c>,
/// <c>s</c> or <c>2 s</c>) and its offset (<c>|x|²</c> for Euclidean, else 0).
/// </para>
/// <para>
/// Built from the stored floats the first time a search of the segment needs it, once per segment
/// object (a segment never changes once written), and freed when the segment object is collected
/// (the block's finalizer). Nothing is written to disk, so the file format is unchanged. A row's
/// codes and floats lie together (one or two cache lines at low dimensions). Memory: the dimensions rounded up to 4, plus 8 bytes a row
/// (776 at 768 dimensions against 3,072 for the floats; 36 at 25 against 100).
/// </para>
/// </remarks>
internal sealed unsafe class CompactVectors
{
    private static readonly ConditionalWeakTable<Segment, Lazy<CompactVectors>> Cache = new();

    /// <summary>All rows, in one block of native memory on huge pages where the kernel grants them (the re-rank reads rows at random).</summary>
    private readonly HugePageBlock _block;
    private readonly byte* _rows;
    /// <summary>Where a row's factor lies after its codes (the dimensions rounded up to 4).</summary>
    private readonly int _floatsOffset;

    private CompactVectors(int rows, int dimensions)
    {
        Rows = rows;
        Dimensions = dimensions;
        _floatsOffset = (dimensions + 3) & ~3;
        BytesPerRow = _floatsOffset + 2 * sizeof(float);
        _block = new HugePageBlock(Math.Max(1, (long)rows * BytesPerRow));
        _rows = _block.Start;
    }

    public int Rows { get; }

    public int Dimensions { get; }

    /// <summary>Bytes the copy holds per row (its codes, padding to 4 and its two floats).</summary>
    public int BytesPerRow { get; }

    /// <summary>Whether a compact copy can rank rows of this metric (not Manhattan: its sum of absolute differences has no dot-product form).</summary>
    public static bool Supports(Metric metric) => metric is Metric.Euclidean or Metric.Cosine or Metric.DotProduct;

    /// <summary>The compact copy of <paramref name="segment"/>'s vectors, built on first use (thread-safe: one build per segment).</summary>
    public static CompactVectors For(Segment segment) =>
        Cache.GetValue(segment, static seg => new Lazy<CompactVectors>(() => Build(seg), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    /// <summary>Quantizes every row of a Euclidean, cosine or dot-product segment.</summary>
    private static CompactVectors Build(Segment segment)
    {
        Metric metric = segment.Metric;
        if (!Supports(metric))
            throw new InvalidOperationException($"A compact copy ranks Euclidean, cosine or dot-product rows; this segment's metric is {metric}.");
        int dims = segment.RowBytes / sizeof(float), rows = segment.RowCount;
        var compact = new CompactVectors(rows, dims);
        float* vectors = (float*)segment.VectorsForScan();
        float* norms = segment.NormsForScan();
        for (int r = 0; r < rows; r++)
        {
            var x = new ReadOnlySpan<float>(vectors + (long)r * dims, dims);
            float scale = Quantize(x, new Span<sbyte>(compact.Row(r), dims));
            float* floats = compact.Floats(r);
            switch (metric)
            {
                case Metric.Cosine:
                    float norm = norms is null ? 1f : norms[r];
                    floats[0] = norm > 0 ? scale / norm : 0f;
                    floats[1] = 0f;
                    break;
                case Metric.DotProduct:
                    floats[0] = scale;
                    floats[1] = 0f;
                    break;
                default:
                    floats[0] = 2f * scale;
                    floats[1] = System.Numerics.Tensors.TensorPrimitives.Dot(x, x);
                    break;
            }
        }
        return compact;
    }

    /// <summary>Pointer to row <paramref name="row"/>'s <see cref="Dimensions"/> codes, which its two floats follow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public sbyte* Row(int row) => (sbyte*)(_rows + (long)row * BytesPerRow);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float* Floats(int row) => (float*)((byte*)Row(row) + _floatsOffset);

    /// <summary>
    /// The row's score against a query quantized by <see cref="QuantizeQuery"/> (whose codes gave
    /// <paramref name="dot"/> with the row's codes and whose unit is <paramref name="queryUnit"/>):
    /// larger is closer, in one unit for all rows of all segments of the index.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Score(int row, int dot, float queryUnit)
    {
        float* floats = Floats(row);
        return floats[0] * dot * queryUnit - floats[1];
    }

    /// <summary>
    /// Writes <c>round(x[i] / s)</c> with <c>s = max |x[i]| / 127</c> to <paramref name="codes"/> and
    /// returns s (0 for a zero vector, whose codes are all 0).
    /// </summary>
    public static float Quantize(ReadOnlySpan<float> x, Span<sbyte> codes)
    {
        // MaxMagnitude returns the component itself, sign included.
        float max = Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(x));
        if (!(max > 0) || !float.IsFinite(max))
        {
            codes[..x.Length].Clear();
            return 0f;
        }
        float inverse = 127f / max;
        for (int i = 0; i < x.Length; i++) codes[i] = (sbyte)Math.Clamp(MathF.Round(x[i] * inverse), -127f, 127f);
        return max / 127f;
    }

    /// <summary>
    /// Scales the query to 16-bit integers as large as <see cref="Kernels.Int8DotKernels.QueryLimit"/>
    /// allows; returns the unit, what one step of a code is worth (0 for a zero query).
    /// </summary>
    public static float QuantizeQuery(ReadOnlySpan<float> query, Span<short> codes)
    {
        float max = Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(query));
        if (!(max > 0) || !float.IsFinite(max))
        {
            codes[..query.Length].Clear();
            return 0f;
        }
        int limit = Kernels.Int8DotKernels.QueryLimit(query.Length);
        float inverse = limit / max;
        for (int i = 0; i < query.Length; i++) codes[i] = (short)Math.Clamp(MathF.Round(query[i] * inverse), -limit, limit);
        return max / limit;
    }
}

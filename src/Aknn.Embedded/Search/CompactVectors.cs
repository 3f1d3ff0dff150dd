using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Search;

/// <summary>
/// An in-memory int8 copy of a segment's float vectors (cosine and dot-product indexes), for a
/// first re-rank pass that reads a quarter of the bytes: each row is stored as
/// <c>round(x[i] / s)</c> with its own scale <c>s = max |x[i]| / 127</c>, plus one float per row
/// that turns the integer dot product with the query back into the metric's order
/// (<c>s / |x|</c> for cosine, <c>s</c> for dot product).
/// </summary>
/// <remarks>
/// Built from the stored floats the first time a search of the segment needs it, once per segment
/// object (a segment never changes once written), and dropped with the segment. Nothing is written
/// to disk, so the file format is unchanged. Memory: dimensions + 4 bytes a row (772 at 768
/// dimensions, against 3,072 for the floats).
/// </remarks>
internal sealed unsafe class CompactVectors
{
    private static readonly ConditionalWeakTable<Segment, Lazy<CompactVectors>> Cache = new();

    /// <summary>Rows are kept in chunks of at most 2^30 bytes (one array cannot hold a large segment).</summary>
    private const long MaxChunkBytes = 1L << 30;

    private readonly sbyte[][] _chunks;
    private readonly int _chunkShift;
    private readonly float[] _factors;

    private CompactVectors(int rows, int dimensions)
    {
        Rows = rows;
        Dimensions = dimensions;
        _chunkShift = 16;
        while (_chunkShift > 0 && ((long)dimensions << _chunkShift) > MaxChunkBytes) _chunkShift--;
        int chunkRows = 1 << _chunkShift;
        _chunks = new sbyte[(rows + chunkRows - 1) >> _chunkShift][];
        for (int c = 0; c < _chunks.Length; c++)
        {
            int n = Math.Min(chunkRows, rows - (c << _chunkShift));
            // Pinned (on the pinned-object heap): the re-rank reads rows through pointers.
            _chunks[c] = GC.AllocateUninitializedArray<sbyte>(n * dimensions, pinned: true);
        }
        _factors = new float[rows];
    }

    public int Rows { get; }

    public int Dimensions { get; }

    /// <summary>Bytes the copy holds per row (its codes and its factor).</summary>
    public int BytesPerRow => Dimensions + sizeof(float);

    /// <summary>The compact copy of <paramref name="segment"/>'s vectors, built on first use (thread-safe: one build per segment).</summary>
    public static CompactVectors For(Segment segment) =>
        Cache.GetValue(segment, static seg => new Lazy<CompactVectors>(() => Build(seg), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    /// <summary>Quantizes every row of a cosine or dot-product segment.</summary>
    private static CompactVectors Build(Segment segment)
    {
        if (segment.Metric is not (Metric.Cosine or Metric.DotProduct))
            throw new InvalidOperationException($"A compact copy ranks cosine or dot-product rows; this segment's metric is {segment.Metric}.");
        int dims = segment.RowBytes / sizeof(float), rows = segment.RowCount;
        var compact = new CompactVectors(rows, dims);
        float* vectors = (float*)segment.VectorsForScan();
        float* norms = segment.NormsForScan();
        for (int r = 0; r < rows; r++)
        {
            float scale = Quantize(new ReadOnlySpan<float>(vectors + (long)r * dims, dims), new Span<sbyte>(compact.Row(r), dims));
            float norm = norms is null ? 1f : norms[r];
            compact._factors[r] = norm > 0 ? scale / norm : 0f;
        }
        return compact;
    }

    /// <summary>Pointer to row <paramref name="row"/>'s <see cref="Dimensions"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public sbyte* Row(int row)
    {
        sbyte[] chunk = _chunks[row >> _chunkShift];
        return (sbyte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(chunk)) + (long)(row & ((1 << _chunkShift) - 1)) * Dimensions;
    }

    /// <summary>What the row's integer dot product is multiplied by to rank it (larger is closer).</summary>
    public float Factor(int row) => _factors[row];

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
    /// allows (its own scale does not matter for ranking, so it is not returned).
    /// </summary>
    public static void QuantizeQuery(ReadOnlySpan<float> query, Span<short> codes)
    {
        float max = Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(query));
        if (!(max > 0) || !float.IsFinite(max))
        {
            codes[..query.Length].Clear();
            return;
        }
        int limit = Kernels.Int8DotKernels.QueryLimit(query.Length);
        float inverse = limit / max;
        for (int i = 0; i < query.Length; i++) codes[i] = (short)Math.Clamp(MathF.Round(query[i] * inverse), -limit, limit);
    }
}

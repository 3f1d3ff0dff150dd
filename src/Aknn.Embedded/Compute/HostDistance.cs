using Aknn.Embedded.Kernels;
using Aknn.Embedded.Search;

namespace Aknn.Embedded.Compute;

/// <summary>
/// Recomputes one row's ranking distance on the CPU exactly as the segment scan computes it: the
/// batch kernels take rows four at a time from the start of each block (up to
/// <see cref="FloatDistanceBatch{TKernel}.MaxInterleavedDim"/> floats) and the rest one by one, and
/// the two shapes may round differently, so the row is recomputed in the same shape.
/// </summary>
internal static unsafe class HostDistance
{
    public static float Ranking(SearchQuery query, byte* vectors, float* norms, int rowCount, int row, Span<float> scratch)
    {
        int block = ExactSearch.BlockRows(query);
        int start = row / block * block;
        int n = Math.Min(block, rowCount - start);
        int i = row - start;
        int dim = query.Floats!.Length;
        int first = row, count = 1;
        if (dim <= FloatDistanceBatch<SquaredL2Kernel>.MaxInterleavedDim && i < n - n % 4)
        {
            first = row - i % 4;
            count = 4;
        }
        Span<float> d = scratch[..count];
        ExactSearch.Distances(query, vectors + (long)first * query.RowBytes, count, d, norms is null ? null : norms + first);
        return d[row - first];
    }
}

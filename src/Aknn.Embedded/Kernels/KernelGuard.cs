using System.Diagnostics.CodeAnalysis;

namespace Aknn.Embedded.Kernels;

/// <summary>
/// Argument checks shared by every kernel path. Each path checks its own arguments (one or two
/// comparisons per call) because the loops behind them read through unchecked references.
/// </summary>
internal static class KernelGuard
{
    /// <summary>Throws unless the two operands of a single-pair kernel have the same length.</summary>
    public static void SameLength(int aLength, int bLength)
    {
        if (aLength != bLength)
        {
            ThrowLengthMismatch(aLength, bLength);
        }
    }

    /// <summary>
    /// Throws unless <paramref name="rowsLength"/> equals
    /// <paramref name="resultsLength"/> × <paramref name="queryLength"/>, that is unless the rows
    /// hold exactly one row of the query's length per result.
    /// </summary>
    public static void BatchShape(int queryLength, int rowsLength, int resultsLength)
    {
        if ((long)queryLength * resultsLength != rowsLength)
        {
            ThrowBatchShapeMismatch(queryLength, rowsLength, resultsLength);
        }
    }

    [DoesNotReturn]
    private static void ThrowLengthMismatch(int aLength, int bLength) =>
        throw new ArgumentException(
            $"Length mismatch: a has {aLength} elements but b has {bLength}; both operands must have the same length.",
            "b");

    [DoesNotReturn]
    private static void ThrowBatchShapeMismatch(int queryLength, int rowsLength, int resultsLength) =>
        throw new ArgumentException(
            $"Length mismatch: rows has {rowsLength} elements but results.Length ({resultsLength}) × query.Length " +
            $"({queryLength}) = {(long)resultsLength * queryLength}; rows must hold one row of the query's length per result.",
            "rows");
}

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

    /// <summary>
    /// Checks the arguments of a radius scan and returns the number of rows: the query must have at
    /// least one word, <paramref name="rowsLength"/> must be a whole number of codes of that length,
    /// and <paramref name="matchesLength"/> (and <paramref name="distancesLength"/> unless it is 0,
    /// meaning that no distances are wanted) must leave room for every row.
    /// </summary>
    public static int ScanShape(int queryLength, int rowsLength, int matchesLength, int distancesLength)
    {
        if (queryLength == 0)
        {
            ThrowEmptyCode("query");
        }

        int rowCount = rowsLength / queryLength;
        if (rowCount * queryLength != rowsLength)
        {
            ThrowPartialRow(queryLength, rowsLength);
        }

        if (matchesLength < rowCount)
        {
            ThrowNoRoom("matches", matchesLength, rowCount);
        }

        if (distancesLength != 0 && distancesLength < rowCount)
        {
            ThrowNoRoom("matchDistances", distancesLength, rowCount);
        }

        return rowCount;
    }

    /// <summary>
    /// Checks the shape of a batch of queries against a batch of rows and returns the numbers of
    /// queries and rows: <paramref name="words"/> must be positive and both spans whole numbers of
    /// codes of that length.
    /// </summary>
    public static (int Queries, int Rows) ManyShape(int words, int queriesLength, int rowsLength)
    {
        if (words <= 0)
        {
            ThrowEmptyCode("words");
        }

        int queryCount = queriesLength / words;
        if (queryCount * words != queriesLength)
        {
            ThrowPartialRow(words, queriesLength, "queries");
        }

        int rowCount = rowsLength / words;
        if (rowCount * words != rowsLength)
        {
            ThrowPartialRow(words, rowsLength);
        }

        return (queryCount, rowCount);
    }

    /// <summary>Throws unless <paramref name="length"/> is at least <paramref name="needed"/>.</summary>
    public static void Room(string name, int length, long needed)
    {
        if (length < needed)
        {
            ThrowNoRoom(name, length, needed);
        }
    }

    /// <summary>Throws unless <paramref name="length"/> equals <paramref name="expected"/>.</summary>
    public static void ExactLength(string name, int length, long expected)
    {
        if (length != expected)
        {
            throw new ArgumentException($"Length mismatch: {name} has {length} elements but must have {expected}.", name);
        }
    }

    [DoesNotReturn]
    private static void ThrowEmptyCode(string name) =>
        throw new ArgumentException("Codes must have at least one 64-bit word.", name);

    [DoesNotReturn]
    private static void ThrowPartialRow(int words, int rowsLength, string name = "rows") =>
        throw new ArgumentException(
            $"Length mismatch: {name} has {rowsLength} elements, which is not a whole number of {words}-word codes.", name);

    [DoesNotReturn]
    private static void ThrowNoRoom(string name, int length, long needed) =>
        throw new ArgumentException($"{name} has room for {length} elements but needs {needed}: one for every row it may receive.", name);

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

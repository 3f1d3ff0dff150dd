namespace Aknn.Embedded.Kernels;

/// <summary>
/// Several queries against the same rows, cache-blocked: the rows are taken a block at a time
/// (about <see cref="BlockBytes"/>, which stays in L1/L2) and every query runs over that block
/// before the next one is read, so memory delivers each row once for all the queries instead of
/// once per query. The per-block work is the single-query kernel of the path
/// <typeparamref name="TPath"/>, a struct whose static methods the JIT specialises (no delegate
/// in the loop).
/// </summary>
/// <typeparam name="TPath">The hardware path: <see cref="ScalarHammingPath"/>, <see cref="V128HammingPath"/>, <see cref="V256HammingPath"/> or <see cref="V512HammingPath"/>.</typeparam>
/// <remarks>
/// Blocking pays where a query's work is cheaper than reading its rows from memory: a radius scan
/// of one-word codes runs faster in cache than DRAM delivers codes. A distance batch also writes an
/// <see cref="int"/> per query and row, which is traffic blocking cannot save; see
/// docs/kernel-benchmarks.md for the measured gains.
/// </remarks>
internal static class HammingBatchMany<TPath>
    where TPath : struct, IHammingPath
{
    /// <summary>
    /// Bytes of rows per block. Chosen by measurement (docs/kernel-benchmarks.md): large enough that
    /// the per-call set-up of each query is noise, small enough for the block to stay in the 512 KiB
    /// L2 of the machine measured, and in L1 for the smallest choices.
    /// </summary>
    internal const int BlockBytes = 64 * 1024;

    /// <summary>
    /// Distances from each of the Q queries (codes of <paramref name="words"/> words, back to back)
    /// to each row, query-major: <c>results[q · n + i]</c> is the distance from query q to row i.
    /// </summary>
    public static void DistanceBatchMany(ReadOnlySpan<ulong> queries, ReadOnlySpan<ulong> rows, int words, Span<int> results)
    {
        (int queryCount, int rowCount) = KernelGuard.ManyShape(words, queries.Length, rows.Length);
        KernelGuard.ExactLength(nameof(results), results.Length, (long)queryCount * rowCount);
        int block = BlockRows(words);
        for (int start = 0; start < rowCount; start += block)
        {
            int take = Math.Min(block, rowCount - start);
            ReadOnlySpan<ulong> rowBlock = rows.Slice(start * words, take * words);
            for (int q = 0; q < queryCount; q++)
            {
                TPath.DistanceBatch(queries.Slice(q * words, words), rowBlock, results.Slice(q * rowCount + start, take));
            }
        }
    }

    /// <summary>
    /// For each of the Q = <paramref name="counts"/>.Length queries, the rows within
    /// <paramref name="radius"/>: query q's matches are <c>matches[q · n .. q · n + counts[q])</c>,
    /// ascending, where n is the number of rows (so <paramref name="matches"/> needs Q · n room).
    /// </summary>
    public static void ScanWithinMany(ReadOnlySpan<ulong> queries, ReadOnlySpan<ulong> rows, int words, int radius, Span<int> matches, Span<int> counts)
    {
        (int queryCount, int rowCount) = KernelGuard.ManyShape(words, queries.Length, rows.Length);
        KernelGuard.ExactLength(nameof(counts), counts.Length, queryCount);
        KernelGuard.Room(nameof(matches), matches.Length, (long)queryCount * rowCount);
        counts.Clear();
        int block = BlockRows(words);
        for (int start = 0; start < rowCount; start += block)
        {
            int take = Math.Min(block, rowCount - start);
            ReadOnlySpan<ulong> rowBlock = rows.Slice(start * words, take * words);
            for (int q = 0; q < queryCount; q++)
            {
                Span<int> slot = matches.Slice(q * rowCount + counts[q], take);
                int found = TPath.ScanWithin(queries.Slice(q * words, words), rowBlock, radius, slot, default);
                if (start != 0)
                {
                    // The block kernel numbers rows from the block's start.
                    for (int k = 0; k < found; k++)
                    {
                        slot[k] += start;
                    }
                }

                counts[q] += found;
            }
        }
    }

    /// <summary>Rows per block: <see cref="BlockBytes"/> of rows, and at least 16 rows (so every unrolled loop gets a full step).</summary>
    internal static int BlockRows(int words) => Math.Max(16, BlockBytes / (words * sizeof(ulong)));
}

/// <summary>One hardware path of the single-query Hamming kernels, for <see cref="HammingBatchMany{TPath}"/>.</summary>
internal interface IHammingPath
{
    /// <summary>The path's <see cref="HammingDistanceBatch"/> method.</summary>
    static abstract void DistanceBatch(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, Span<int> results);

    /// <summary>The path's <see cref="HammingScan"/> method.</summary>
    static abstract int ScanWithin(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, int radius, Span<int> matches, Span<int> matchDistances);
}

/// <summary>The scalar path.</summary>
internal readonly struct ScalarHammingPath : IHammingPath
{
    /// <inheritdoc/>
    public static void DistanceBatch(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, Span<int> results) =>
        HammingDistanceBatch.Scalar(query, rows, results);

    /// <inheritdoc/>
    public static int ScanWithin(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, int radius, Span<int> matches, Span<int> matchDistances) =>
        HammingScan.Scalar(query, rows, radius, matches, matchDistances);
}

/// <summary>The 128-bit path.</summary>
internal readonly struct V128HammingPath : IHammingPath
{
    /// <inheritdoc/>
    public static void DistanceBatch(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, Span<int> results) =>
        HammingDistanceBatch.V128(query, rows, results);

    /// <inheritdoc/>
    public static int ScanWithin(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, int radius, Span<int> matches, Span<int> matchDistances) =>
        HammingScan.V128(query, rows, radius, matches, matchDistances);
}

/// <summary>The 256-bit path.</summary>
internal readonly struct V256HammingPath : IHammingPath
{
    /// <inheritdoc/>
    public static void DistanceBatch(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, Span<int> results) =>
        HammingDistanceBatch.V256(query, rows, results);

    /// <inheritdoc/>
    public static int ScanWithin(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, int radius, Span<int> matches, Span<int> matchDistances) =>
        HammingScan.V256(query, rows, radius, matches, matchDistances);
}

/// <summary>The 512-bit path.</summary>
internal readonly struct V512HammingPath : IHammingPath
{
    /// <inheritdoc/>
    public static void DistanceBatch(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, Span<int> results) =>
        HammingDistanceBatch.V512(query, rows, results);

    /// <inheritdoc/>
    public static int ScanWithin(ReadOnlySpan<ulong> query, ReadOnlySpan<ulong> rows, int radius, Span<int> matches, Span<int> matchDistances) =>
        HammingScan.V512(query, rows, radius, matches, matchDistances);
}

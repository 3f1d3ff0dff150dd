using System.Runtime.InteropServices;
using Aknn.Embedded.Kernels;

namespace Aknn.Perf.Data;

/// <summary>
/// Seeded binary codes for the Hamming workloads: uniformly random codes (every bit independent
/// and fair, like a good perceptual hash of unrelated images), and queries made from stored codes
/// with a few bits flipped (near duplicates). Code i never depends on how many codes follow it.
/// </summary>
internal static class BinaryCodes
{
    /// <summary>Most bits a query differs from the stored code it was made from (uniform over 0 … this).</summary>
    public const int MaxQueryFlips = 8;

    /// <summary>The first <paramref name="n"/> codes of <paramref name="words"/> 64-bit words, back to back.</summary>
    public static ulong[] Codes(int n, int words, int seed)
    {
        var codes = new ulong[checked(n * words)];
        new Random(unchecked(seed * 7919 + 3)).NextBytes(MemoryMarshal.AsBytes(codes.AsSpan()));
        return codes;
    }

    /// <summary>
    /// <paramref name="q"/> queries: each a uniformly chosen stored code with a uniform 0 …
    /// <see cref="MaxQueryFlips"/> of its bits flipped (distinct bits).
    /// </summary>
    public static ulong[] Queries(ulong[] codes, int words, int q, int seed)
    {
        int n = codes.Length / words;
        var rng = new Random(unchecked(seed * 7919 + 4));
        var queries = new ulong[checked(q * words)];
        var flipped = new ulong[words];
        for (int i = 0; i < q; i++)
        {
            Span<ulong> query = queries.AsSpan(i * words, words);
            codes.AsSpan(rng.Next(n) * words, words).CopyTo(query);
            int flips = rng.Next(MaxQueryFlips + 1);
            Array.Clear(flipped);
            for (int done = 0; done < flips;)
            {
                int bit = rng.Next(64 * words);
                ulong mask = 1UL << (bit % 64);
                if ((flipped[bit / 64] & mask) != 0) continue;
                flipped[bit / 64] |= mask;
                query[bit / 64] ^= mask;
                done++;
            }
        }
        return queries;
    }

    /// <summary>
    /// For each query, the indexes (ascending) of the codes within Hamming distance
    /// <paramref name="radius"/>, found by brute force with the library's many-query radius scan.
    /// </summary>
    public static int[][] WithinRadius(ulong[] codes, ulong[] queries, int words, int radius)
    {
        int q = queries.Length / words;
        var found = new List<int>[q];
        for (int i = 0; i < q; i++) found[i] = [];
        ScanMany(codes, queries, words, radius, found, MatchBuffer(codes.Length / words));
        return found.Select(f => f.ToArray()).ToArray();
    }

    /// <summary>Queries a pass over the codes takes at once in <see cref="ScanMany"/>.</summary>
    public const int QueriesPerPass = 16;

    /// <summary>Codes handed to one <see cref="HammingKernels.ScanWithinMany"/> call, which needs room for a match per query and code.</summary>
    private const int CodesPerCall = 1 << 20;

    /// <summary>A match buffer for <see cref="ScanMany"/> over <paramref name="n"/> codes (not zeroed: the kernel writes before anything reads).</summary>
    public static int[] MatchBuffer(int n) => GC.AllocateUninitializedArray<int>(QueriesPerPass * Math.Min(n, CodesPerCall));

    /// <summary>
    /// Appends to <paramref name="found"/>[i] the codes within <paramref name="radius"/> of query i,
    /// with <see cref="HammingKernels.ScanWithinMany"/>: <see cref="QueriesPerPass"/> queries share
    /// each pass over the codes, which go <see cref="CodesPerCall"/> at a time so that the match
    /// buffer (from <see cref="MatchBuffer"/>, reused between calls) stays small. Returns the number of matches.
    /// </summary>
    public static long ScanMany(ulong[] codes, ulong[] queries, int words, int radius, IReadOnlyList<List<int>> found, int[] matches)
    {
        int n = codes.Length / words;
        int q = queries.Length / words;
        int chunk = Math.Min(n, CodesPerCall);
        var counts = new int[QueriesPerPass];
        long total = 0;
        for (int first = 0; first < q; first += QueriesPerPass)
        {
            int take = Math.Min(QueriesPerPass, q - first);
            ReadOnlySpan<ulong> group = queries.AsSpan(first * words, take * words);
            for (int start = 0; start < n; start += chunk)
            {
                int rows = Math.Min(chunk, n - start);
                HammingKernels.ScanWithinMany(group, codes.AsSpan(start * words, rows * words), words, radius,
                    matches.AsSpan(0, take * rows), counts.AsSpan(0, take));
                for (int k = 0; k < take; k++)
                {
                    total += counts[k];
                    List<int> list = found[first + k];
                    foreach (int m in matches.AsSpan(k * rows, counts[k])) list.Add(start + m);
                }
            }
        }
        return total;
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;

namespace Aknn.Embedded.Bucketing;

/// <summary>
/// How multi-index hashing (Norouzi, Punjani and Fleet, "Fast Search in Hamming Space with
/// Multi-Index Hashing", CVPR 2012) cuts a b-bit code into m disjoint substrings of consecutive
/// bits, each the key of one hash table.
/// </summary>
/// <remarks>
/// <para>
/// Pigeonhole: if two codes differ in at most r bits, then writing r = m·q + a (0 ≤ a &lt; m), they
/// differ in at most q bits on one of the first a + 1 substrings, or in at most q − 1 bits on one
/// of the others (otherwise they would differ in at least (a + 1)(q + 1) + (m − a − 1)q = r + 1
/// bits). Probing table t with every key within <see cref="ProbeRadii"/>[t] of the query's
/// substring therefore finds every code within r: the search is exact.
/// </para>
/// <para>
/// Bit i of a code is bit (i mod 64) of word i / 64. Substring t covers bits
/// [<see cref="Start"/>[t], <see cref="Start"/>[t] + <see cref="Length"/>[t]); its key holds them
/// with the lowest code bit in bit 0. Substrings are at most 32 bits long.
/// </para>
/// </remarks>
internal sealed class SubstringLayout
{
    /// <summary>Longest substring: keys are 32-bit.</summary>
    public const int MaxLength = 32;

    /// <summary>Shortest substring the automatic choice considers.</summary>
    public const int MinLength = 4;

    public SubstringLayout(int bits, int count)
    {
        if (bits < 64 || bits % 64 != 0) throw new ArgumentOutOfRangeException(nameof(bits), bits, "Codes are a positive multiple of 64 bits.");
        if (count < MinCount(bits) || count > bits)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"A {bits}-bit code splits into {MinCount(bits)} to {bits} substrings of at most {MaxLength} bits.");
        Bits = bits;
        Count = count;
        Start = new int[count];
        Length = new int[count];
        // As equal as possible; the longer substrings come last.
        int shortLength = bits / count, longer = bits % count, at = 0;
        for (int t = 0; t < count; t++)
        {
            Start[t] = at;
            Length[t] = shortLength + (t >= count - longer ? 1 : 0);
            at += Length[t];
        }
    }

    public int Bits { get; }
    public int Count { get; }
    public int[] Start { get; }
    public int[] Length { get; }
    public int Words => Bits / 64;

    /// <summary>The fewest substrings a code of <paramref name="bits"/> can be cut into.</summary>
    public static int MinCount(int bits) => (bits + MaxLength - 1) / MaxLength;

    /// <summary>Substring <paramref name="table"/> of <paramref name="code"/>, as a key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Key(ReadOnlySpan<ulong> code, int table) => Extract(code, Start[table], Length[table]);

    /// <summary>Bits [start, start + length) of a code (length ≤ 32), lowest bit first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Extract(ReadOnlySpan<ulong> code, int start, int length)
    {
        int word = start >> 6, shift = start & 63;
        ulong v = code[word] >> shift;
        if (shift + length > 64) v |= code[word + 1] << (64 - shift);
        return (uint)(v & ((1UL << length) - 1));
    }

    /// <summary>
    /// How many differing bits each table must be probed with so that a search of
    /// <paramref name="radius"/> finds every code (−1: the table need not be probed).
    /// </summary>
    public int[] ProbeRadii(int radius)
    {
        var radii = new int[Count];
        int q = radius / Count, a = radius % Count;
        for (int t = 0; t < Count; t++) radii[t] = Math.Min(Length[t], t <= a ? q : q - 1);
        return radii;
    }

    /// <summary>Number of keys within <paramref name="radius"/> bits of a key of <paramref name="length"/> bits.</summary>
    public static double Ball(int length, int radius)
    {
        double sum = 0, term = 1; // C(length, 0)
        for (int k = 0; k <= Math.Min(radius, length); k++)
        {
            sum += term;
            term = term * (length - k) / (k + 1);
        }
        return sum;
    }

    /// <summary>
    /// Expected cost (ns) of a radius search by probing these tables over <paramref name="rows"/>
    /// uniformly random codes: every probe, plus every candidate the probed buckets hold.
    /// </summary>
    public double ProbeCost(long rows, int radius, ProbeCosts costs)
    {
        int[] radii = ProbeRadii(radius);
        double cost = 0;
        for (int t = 0; t < Count; t++)
        {
            if (radii[t] < 0) continue;
            double probes = Ball(Length[t], radii[t]);
            cost += probes * costs.ProbeNs + probes * rows / Math.Pow(2, Length[t]) * costs.CandidateNs;
        }
        return cost;
    }

    /// <summary>Expected cost (ns) of scanning <paramref name="rows"/> codes of <paramref name="bits"/> bits.</summary>
    public static double ScanCost(long rows, int bits) => rows * (bits / 64) * 0.5 + 1000;

    /// <summary>
    /// The number of substrings with the lowest expected cost of a search of <paramref name="radius"/>
    /// over <paramref name="rows"/> codes; between equal costs, the fewer tables (less memory).
    /// </summary>
    public static SubstringLayout Choose(int bits, long rows, int radius, ProbeCosts costs)
    {
        rows = Math.Max(rows, 1);
        SubstringLayout? best = null;
        double bestCost = double.MaxValue;
        int most = Math.Max(MinCount(bits), bits / MinLength);
        for (int m = MinCount(bits); m <= most; m++)
        {
            var layout = new SubstringLayout(bits, m);
            // Each table also costs memory and insert time: weigh that in as a 2 % surcharge per table.
            double cost = layout.ProbeCost(rows, radius, costs) * (1 + 0.02 * m);
            if (cost < bestCost * 0.999)
            {
                best = layout;
                bestCost = cost;
            }
        }
        return best!;
    }

    /// <summary>The radius tables are tuned for when the caller does not say: an eighth of the code length.</summary>
    public static int DefaultRadius(int bits) => bits / 8;

    /// <summary>Number of differing bits between two keys.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int KeyDistance(uint a, uint b) => BitOperations.PopCount(a ^ b);
}

/// <summary>
/// What one probe and one candidate cost (ns) in a kind of table. Fitted on a 2-core Zen 3 VM
/// (docs/benchmarks.md): in a segment of 10 million 64-bit codes a probe costs about 250 ns (the
/// directory slot and the bucket are each a cache and TLB miss) and a candidate about 2 ns (the
/// bucket's inline codes are read in order); small tables stay in cache.
/// </summary>
/// <param name="ProbeNs">One probe: finding the bucket of a key.</param>
/// <param name="CandidateNs">One candidate: reading and verifying an entry of the bucket.</param>
internal readonly record struct ProbeCosts(double ProbeNs, double CandidateNs)
{
    /// <summary>A segment's tables: probes grow from cache hits to memory misses with the table size.</summary>
    public static ProbeCosts Segment(long rows, int words)
    {
        double bytesPerTable = rows * (words == 1 ? 12.0 : 8.0);
        return new(20 + 230 * Math.Min(1, bytesPerTable / (64 << 20)), words == 1 ? 2 : 60);
    }

    /// <summary>The tail's chained tables: every candidate is a separate row, so a likely miss.</summary>
    public static ProbeCosts Tail => new(40, 40);

    /// <summary>The duplicate self-join: probes walk sorted memory block by block and mostly hit the cache (measured: 1M codes joined with 4 tables in 2.3 s against 3.8 s with 3).</summary>
    public static ProbeCosts Join => new(15, 2);
}

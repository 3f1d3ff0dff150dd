using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Aknn.Embedded.Bucketing;

/// <summary>
/// A fitted LSH model: the functions from a vector (or binary code) to one bucket key per table.
/// Pure and immutable; stored with the index (<see cref="Storage.LshModelFile"/>) so that a reopened index
/// hashes every vector exactly as before.
/// </summary>
/// <remarks>
/// <para>Bit families: table t's key holds bit j (j &lt; k) of plane t·k + j in bit j. Random and
/// bisecting hyperplanes set the bit when a·x &gt; c (c = 0 for random hyperplanes; for a bisecting
/// pair A, B: a = B − A and c = (|B|² − |A|²) / 2, which is "x is closer to B than to A"). Bit
/// sampling sets it to code bit <c>Positions[t·k + j]</c>.</para>
/// <para>Stable distribution: h_j = floor((a_j·x + b_j) / w) and the key is a 32-bit mix of
/// Σ h_j · M_j (mod 2³²) with fixed odd multipliers M_j, so moving one h_j by ±1 for a probe costs
/// one multiply-add.</para>
/// </remarks>
internal sealed class LshModel
{
    private readonly Projection? _projection;
    private readonly float[] _offsets;      // per plane: c (bit families) or b (stable)
    private readonly float[] _invNorms;     // per plane: 1 / |a|, so margins are distances to the hyperplane
    private readonly uint[] _multipliers;   // per plane (stable): M_j

    public LshModel(LshFamily family, int dimensions, int tables, int bits, float width, float[] planes, float[] offsets, int[] positions)
    {
        Family = family;
        Dimensions = dimensions;
        Tables = tables;
        Bits = bits;
        Width = width;
        Planes = planes;
        Offsets = offsets;
        Positions = positions;
        int p = tables * bits;
        _offsets = offsets;
        _invNorms = new float[p];
        _multipliers = new uint[p];
        if (family != LshFamily.BitSampling)
        {
            _projection = new Projection(planes, p, dimensions);
            for (int i = 0; i < p; i++)
            {
                double norm = 0;
                for (int d = 0; d < dimensions; d++) norm += (double)planes[i * dimensions + d] * planes[i * dimensions + d];
                _invNorms[i] = norm > 0 ? (float)(1 / Math.Sqrt(norm)) : 0f;
            }
        }
        for (int i = 0; i < p; i++) _multipliers[i] = Multiplier(i % bits);
    }

    public LshFamily Family { get; }

    /// <summary>Float components, or code bits for <see cref="LshFamily.BitSampling"/>.</summary>
    public int Dimensions { get; }
    public int Tables { get; }

    /// <summary>Bits (or stable hashes) per table, k.</summary>
    public int Bits { get; }
    public float Width { get; }

    /// <summary>P = Tables × Bits planes of <see cref="Dimensions"/> floats (empty for bit sampling).</summary>
    public float[] Planes { get; }
    public float[] Offsets { get; }

    /// <summary>Sampled code bits, P of them (bit sampling only).</summary>
    public int[] Positions { get; }

    public int PlaneCount => Tables * Bits;

    /// <summary>Significant bits of a key: k for bit families, 32 for stable (a mixed hash).</summary>
    public int KeyBits => Family == LshFamily.StableDistribution ? 32 : Bits;

    /// <summary>The fixed odd multiplier of stable hash j within a table (pure integer arithmetic, the same everywhere).</summary>
    private static uint Multiplier(int j)
    {
        ulong z = (ulong)(j + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 31)) * 0xBF58476D1CE4E5B9UL;
        return (uint)(z >> 32) | 1u;
    }

    /// <summary>Final avalanche of a stable table's sum into its key (MurmurHash3's fmix32 constants).</summary>
    private static uint Mix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85EBCA6BU;
        h ^= h >> 13;
        h *= 0xC2B2AE35U;
        h ^= h >> 16;
        return h;
    }

    // ------------------------------------------------------------------ construction

    /// <summary>Draws a model that needs no data: random hyperplanes, stable projections or sampled bits.</summary>
    public static LshModel Draw(IndexModel m, Metric metric, int dimensions)
    {
        var rng = new SeededRandom(m.Seed);
        int p = m.Tables * m.BitsPerTable;
        var offsets = new float[p];
        switch (m.Family)
        {
            case LshFamily.BitSampling:
            {
                var positions = new int[p];
                var chosen = new HashSet<int>();
                for (int t = 0; t < m.Tables; t++)
                {
                    // Distinct positions within a table (a repeated bit would add nothing to the key).
                    chosen.Clear();
                    for (int j = 0; j < m.BitsPerTable; j++)
                    {
                        int bit;
                        do bit = rng.Next(dimensions); while (!chosen.Add(bit) && chosen.Count < dimensions);
                        positions[t * m.BitsPerTable + j] = bit;
                    }
                }
                return new LshModel(LshFamily.BitSampling, dimensions, m.Tables, m.BitsPerTable, 0, [], offsets, positions);
            }
            case LshFamily.RandomHyperplanes:
            case LshFamily.SignCodes:
            case LshFamily.StableDistribution:
            {
                bool cauchy = m.Family == LshFamily.StableDistribution && metric == Metric.Manhattan;
                var planes = new float[p * dimensions];
                for (int i = 0; i < planes.Length; i++) planes[i] = (float)(cauchy ? rng.NextCauchy() : rng.NextGaussian());
                if (m.Family == LshFamily.StableDistribution)
                    for (int i = 0; i < p; i++) offsets[i] = (float)(rng.NextDouble() * m.Width);
                return new LshModel(m.Family.Value, dimensions, m.Tables, m.BitsPerTable, m.Width, planes, offsets, []);
            }
            default:
                throw new InvalidOperationException($"The {m.Family} family is fitted from data, not drawn.");
        }
    }

    /// <summary>
    /// Fits bisecting hyperplanes from <paramref name="count"/> sample vectors: for each plane two
    /// different sample rows A and B are drawn with the model's seed.
    /// </summary>
    public static LshModel FitBisecting(IndexModel m, int dimensions, int count, Func<int, ReadOnlySpan<float>> row)
    {
        var rng = new SeededRandom(m.Seed);
        int p = m.Tables * m.BitsPerTable;
        var planes = new float[p * dimensions];
        var offsets = new float[p];
        for (int i = 0; i < p; i++)
        {
            int a = 0, b = 0;
            // Redraw a few times when the two rows are the same vector (the bit would say nothing).
            for (int attempt = 0; attempt < 8 && count > 1; attempt++)
            {
                a = rng.Next(count);
                b = rng.Next(count - 1);
                if (b >= a) b++;
                if (!row(a).SequenceEqual(row(b))) break;
            }
            ReadOnlySpan<float> va = row(a), vb = row(b);
            double na = 0, nb = 0;
            for (int d = 0; d < dimensions; d++)
            {
                planes[i * dimensions + d] = vb[d] - va[d];
                na += (double)va[d] * va[d];
                nb += (double)vb[d] * vb[d];
            }
            offsets[i] = (float)((nb - na) / 2);
        }
        return new LshModel(LshFamily.BisectingHyperplanes, dimensions, m.Tables, m.BitsPerTable, 0, planes, offsets, []);
    }

    // ------------------------------------------------------------------ hashing

    /// <summary>Rows hashed per call of the projection when hashing many vectors.</summary>
    public const int BatchRows = 256;

    /// <summary>Pooled scratch for the dot products of up to <paramref name="rows"/> vectors; return it to <see cref="ArrayPool{T}.Shared"/>.</summary>
    public float[] RentDots(int rows) => ArrayPool<float>.Shared.Rent(DotsLength(rows));

    /// <summary>Floats of scratch the dot products of <paramref name="rows"/> vectors need.</summary>
    public int DotsLength(int rows) => Math.Max(1, rows) * (_projection?.Stride ?? 1);

    /// <summary>
    /// The keys of <paramref name="count"/> vectors stored row after row (raw row bytes: float32
    /// components or code words): <paramref name="keys"/>[i × Tables + t].
    /// </summary>
    public void Keys(ReadOnlySpan<byte> rows, int count, Span<uint> keys, float[] dots)
    {
        if (Family == LshFamily.BitSampling)
        {
            int words = Dimensions / 64;
            ReadOnlySpan<ulong> codes = MemoryMarshal.Cast<byte, ulong>(rows);
            for (int i = 0; i < count; i++) SampleKeys(codes.Slice(i * words, words), keys.Slice(i * Tables, Tables));
            return;
        }
        int stride = _projection!.Stride;
        _projection.Project(MemoryMarshal.Cast<byte, float>(rows), count, dots);
        for (int i = 0; i < count; i++) KeysFromDots(dots.AsSpan(i * stride, PlaneCount), keys.Slice(i * Tables, Tables));
    }

    /// <summary>
    /// Hashes many vectors given one by one, <see cref="BatchRows"/> at a time through the
    /// projection, the blocks spread over every core (<paramref name="row"/> must be safe to call
    /// from several threads; the keys do not depend on how the rows are split).
    /// </summary>
    public uint[] KeysOf(int count, Func<int, ReadOnlySpan<byte>> row, int rowBytes, CancellationToken cancel = default)
    {
        var keys = new uint[(long)count * Tables];
        int blocks = (count + BatchRows - 1) / BatchRows;
        try
        {
            HashBlocks(keys, blocks, count, row, rowBytes, cancel);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            // A damaged source row (for example) surfaces as itself, not wrapped by the parallel loop.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return keys;
    }

    private void HashBlocks(uint[] keys, int blocks, int count, Func<int, ReadOnlySpan<byte>> row, int rowBytes, CancellationToken cancel)
    {
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = cancel },
            () => (Block: ArrayPool<byte>.Shared.Rent(BatchRows * rowBytes), Dots: RentDots(BatchRows)),
            (b, _, buffers) =>
            {
                int start = b * BatchRows, n = Math.Min(BatchRows, count - start);
                for (int i = 0; i < n; i++) row(start + i).CopyTo(buffers.Block.AsSpan(i * rowBytes, rowBytes));
                Keys(buffers.Block.AsSpan(0, n * rowBytes), n, keys.AsSpan(start * Tables, n * Tables), buffers.Dots);
                return buffers;
            },
            buffers =>
            {
                ArrayPool<byte>.Shared.Return(buffers.Block);
                ArrayPool<float>.Shared.Return(buffers.Dots);
            });
    }

    private void SampleKeys(ReadOnlySpan<ulong> code, Span<uint> keys)
    {
        for (int t = 0; t < Tables; t++)
        {
            uint key = 0;
            for (int j = 0; j < Bits; j++)
            {
                int bit = Positions[t * Bits + j];
                key |= (uint)((code[bit >> 6] >> (bit & 63)) & 1) << j;
            }
            keys[t] = key;
        }
    }

    private void KeysFromDots(ReadOnlySpan<float> dots, Span<uint> keys)
    {
        int k = Bits;
        if (Family == LshFamily.StableDistribution)
        {
            for (int t = 0; t < Tables; t++)
            {
                uint sum = 0;
                for (int j = 0; j < k; j++)
                {
                    int p = t * k + j;
                    sum += (uint)Quantise(dots[p], p) * _multipliers[p];
                }
                keys[t] = Mix(sum);
            }
            return;
        }
        for (int t = 0; t < Tables; t++)
        {
            uint key = 0;
            for (int j = 0; j < k; j++)
            {
                int p = t * k + j;
                if (dots[p] > _offsets[p]) key |= 1u << j;
            }
            keys[t] = key;
        }
    }

    private int Quantise(float dot, int plane) => (int)MathF.Floor((dot + _offsets[plane]) / Width);

    // ------------------------------------------------------------------ queries

    /// <summary>
    /// The buckets a query probes: each table's own bucket, then <paramref name="probes"/> more in
    /// the order of their perturbation score (nearest bucket boundaries first), shared by all tables.
    /// </summary>
    public List<(int Table, uint Key)> ProbeKeys(ReadOnlySpan<byte> query, int probes)
    {
        var result = new List<(int, uint)>(Tables + probes);
        ProbeKeys(query, probes, result);
        return result;
    }

    /// <summary>The buckets a query probes (see <see cref="ProbeKeys(ReadOnlySpan{byte}, int)"/>), appended to a list the caller reuses.</summary>
    public void ProbeKeys(ReadOnlySpan<byte> query, int probes, List<(int Table, uint Key)> result)
    {
        Span<uint> keys = Tables <= 256 ? stackalloc uint[Tables] : new uint[Tables];
        float[] dots = RentDots(1);
        try
        {
            Keys(query, 1, keys, dots);
            for (int t = 0; t < Tables; t++) result.Add((t, keys[t]));
            if (probes > 0) MultiProbe.Append(this, dots, keys, probes, result);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(dots);
        }
    }

    /// <summary>
    /// The elementary perturbations of one table, cheapest first: (score, plane within the table,
    /// delta). Bit families flip one bit (score: squared distance of the query to that hyperplane;
    /// bit sampling has no margin, so every flip scores 1); stable hashes move by −1 or +1 (score:
    /// squared distance to that bucket boundary, in units of w).
    /// </summary>
    internal void Perturbations(ReadOnlySpan<float> dots, int table, Span<(float Score, int Plane, int Delta)> into)
    {
        int n = 0;
        for (int j = 0; j < Bits && n < into.Length; j++)
        {
            int p = table * Bits + j;
            switch (Family)
            {
                case LshFamily.BitSampling:
                    into[n++] = (1f, j, 0);
                    break;
                case LshFamily.StableDistribution:
                {
                    float f = (dots[p] + _offsets[p]) / Width;
                    float frac = f - MathF.Floor(f);
                    into[n++] = (frac * frac, j, -1);
                    if (n < into.Length) into[n++] = ((1 - frac) * (1 - frac), j, +1);
                    break;
                }
                default:
                {
                    float margin = (dots[p] - _offsets[p]) * _invNorms[p];
                    into[n++] = (margin * margin, j, 0);
                    break;
                }
            }
        }
        // Insertion sort: at most 64 moves, already nearly in order for bit sampling.
        for (int i = 1; i < n; i++)
        {
            var x = into[i];
            int k = i - 1;
            for (; k >= 0 && Before(x, into[k]); k--) into[k + 1] = into[k];
            into[k + 1] = x;
        }
    }

    private static bool Before((float Score, int Plane, int Delta) a, (float Score, int Plane, int Delta) b) =>
        a.Score != b.Score ? a.Score < b.Score : a.Plane != b.Plane ? a.Plane < b.Plane : a.Delta < b.Delta;

    /// <summary>The key of <paramref name="table"/> after applying perturbations (bit flips, or ±1 moves of stable hashes).</summary>
    internal uint Perturbed(uint key, ReadOnlySpan<float> dots, int table, ReadOnlySpan<(float Score, int Plane, int Delta)> moves)
    {
        if (Family != LshFamily.StableDistribution)
        {
            foreach (var m in moves) key ^= 1u << m.Plane;
            return key;
        }
        uint sum = 0;
        for (int j = 0; j < Bits; j++)
        {
            int p = table * Bits + j;
            sum += (uint)Quantise(dots[p], p) * _multipliers[p];
        }
        foreach (var m in moves) sum += (uint)m.Delta * _multipliers[table * Bits + m.Plane];
        return Mix(sum);
    }

    /// <summary>Whether two models hash identically (same family, shape, planes, offsets and positions).</summary>
    public bool SameAs(LshModel other) =>
        Family == other.Family && Dimensions == other.Dimensions && Tables == other.Tables && Bits == other.Bits
        && BitConverter.SingleToInt32Bits(Width) == BitConverter.SingleToInt32Bits(other.Width)
        && MemoryMarshal.AsBytes(Planes.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(other.Planes.AsSpan()))
        && MemoryMarshal.AsBytes(Offsets.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(other.Offsets.AsSpan()))
        && Positions.AsSpan().SequenceEqual(other.Positions);
}

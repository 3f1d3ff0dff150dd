using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Aknn.Embedded.Bucketing;

/// <summary>
/// The matrix product behind LSH hashing: the dot products of vectors with P planes. The planes are
/// kept transposed ([dimension][plane], the plane count padded to a whole number of SIMD vectors),
/// so each dimension of a vector scales one contiguous run of plane weights: an axpy across the
/// planes, with four vectors sharing every load of the weights and two runs of planes sharing every
/// broadcast of a component.
/// </summary>
/// <remarks>
/// Every product is accumulated with a fused multiply-add, which rounds once and is exact to the
/// same bits whether the CPU has an FMA unit or the runtime emulates it, so a vector hashes alike
/// on every machine and in every batch shape.
/// </remarks>
internal sealed class Projection
{
    private readonly float[] _transposed; // [Dimensions][Stride]

    /// <param name="planes">P × D plane coefficients, row after row.</param>
    /// <param name="planeCount">P.</param>
    /// <param name="dimensions">D.</param>
    public Projection(ReadOnlySpan<float> planes, int planeCount, int dimensions)
    {
        PlaneCount = planeCount;
        Dimensions = dimensions;
        Stride = (planeCount + Vector<float>.Count - 1) / Vector<float>.Count * Vector<float>.Count;
        _transposed = new float[dimensions * Stride];
        for (int p = 0; p < planeCount; p++)
            for (int d = 0; d < dimensions; d++)
                _transposed[d * Stride + p] = planes[p * dimensions + d];
    }

    public int PlaneCount { get; }
    public int Dimensions { get; }

    /// <summary>Plane slots per vector in the output (<see cref="PlaneCount"/> rounded up to the SIMD width).</summary>
    public int Stride { get; }

    /// <summary>
    /// Dot products of <paramref name="count"/> vectors (row after row in <paramref name="vectors"/>)
    /// with every plane: <paramref name="dots"/>[i × <see cref="Stride"/> + p].
    /// </summary>
    public void Project(ReadOnlySpan<float> vectors, int count, Span<float> dots)
    {
        int d = Dimensions, stride = Stride;
        if (vectors.Length < count * d || dots.Length < count * stride) throw new ArgumentException("Buffers are too short for the vectors.");
        ref float w0 = ref MemoryMarshal.GetArrayDataReference(_transposed);
        ref float x0 = ref MemoryMarshal.GetReference(vectors);
        ref float o0 = ref MemoryMarshal.GetReference(dots);
        int width = Vector<float>.Count;
        int i = 0;
        for (; i + 4 <= count; i += 4)
        {
            ref float xa = ref Unsafe.Add(ref x0, i * d);
            ref float xb = ref Unsafe.Add(ref xa, d);
            ref float xc = ref Unsafe.Add(ref xb, d);
            ref float xd = ref Unsafe.Add(ref xc, d);
            ref float oa = ref Unsafe.Add(ref o0, i * stride);
            int p = 0;
            // Two runs of planes at once: eight independent accumulators keep both FMA units busy
            // (four would wait on the FMA latency), and each broadcast of a component serves two loads.
            for (; p + 2 * width <= stride; p += 2 * width)
            {
                Vector<float> a = default, b = default, c = default, e = default;
                Vector<float> a2 = default, b2 = default, c2 = default, e2 = default;
                ref float w = ref Unsafe.Add(ref w0, p);
                for (int k = 0; k < d; k++)
                {
                    ref float wrow = ref Unsafe.Add(ref w, k * stride);
                    var wk = Vector.LoadUnsafe(ref wrow);
                    var wk2 = Vector.LoadUnsafe(ref Unsafe.Add(ref wrow, width));
                    var xa_k = new Vector<float>(Unsafe.Add(ref xa, k));
                    var xb_k = new Vector<float>(Unsafe.Add(ref xb, k));
                    var xc_k = new Vector<float>(Unsafe.Add(ref xc, k));
                    var xd_k = new Vector<float>(Unsafe.Add(ref xd, k));
                    a = Vector.FusedMultiplyAdd(xa_k, wk, a);
                    b = Vector.FusedMultiplyAdd(xb_k, wk, b);
                    c = Vector.FusedMultiplyAdd(xc_k, wk, c);
                    e = Vector.FusedMultiplyAdd(xd_k, wk, e);
                    a2 = Vector.FusedMultiplyAdd(xa_k, wk2, a2);
                    b2 = Vector.FusedMultiplyAdd(xb_k, wk2, b2);
                    c2 = Vector.FusedMultiplyAdd(xc_k, wk2, c2);
                    e2 = Vector.FusedMultiplyAdd(xd_k, wk2, e2);
                }
                a.StoreUnsafe(ref Unsafe.Add(ref oa, p));
                b.StoreUnsafe(ref Unsafe.Add(ref oa, stride + p));
                c.StoreUnsafe(ref Unsafe.Add(ref oa, 2 * stride + p));
                e.StoreUnsafe(ref Unsafe.Add(ref oa, 3 * stride + p));
                a2.StoreUnsafe(ref Unsafe.Add(ref oa, p + width));
                b2.StoreUnsafe(ref Unsafe.Add(ref oa, stride + p + width));
                c2.StoreUnsafe(ref Unsafe.Add(ref oa, 2 * stride + p + width));
                e2.StoreUnsafe(ref Unsafe.Add(ref oa, 3 * stride + p + width));
            }
            for (; p < stride; p += width)
            {
                Vector<float> a = default, b = default, c = default, e = default;
                ref float w = ref Unsafe.Add(ref w0, p);
                for (int k = 0; k < d; k++)
                {
                    var wk = Vector.LoadUnsafe(ref Unsafe.Add(ref w, k * stride));
                    a = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref xa, k)), wk, a);
                    b = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref xb, k)), wk, b);
                    c = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref xc, k)), wk, c);
                    e = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref xd, k)), wk, e);
                }
                a.StoreUnsafe(ref Unsafe.Add(ref oa, p));
                b.StoreUnsafe(ref Unsafe.Add(ref oa, stride + p));
                c.StoreUnsafe(ref Unsafe.Add(ref oa, 2 * stride + p));
                e.StoreUnsafe(ref Unsafe.Add(ref oa, 3 * stride + p));
            }
        }
        for (; i < count; i++)
        {
            ref float x = ref Unsafe.Add(ref x0, i * d);
            ref float o = ref Unsafe.Add(ref o0, i * stride);
            int p = 0;
            // A query is projected alone: four runs of planes at once, so four sums are in flight
            // instead of one waiting on each fused multiply-add's latency.
            for (; p + 4 * width <= stride; p += 4 * width)
            {
                Vector<float> a = default, b = default, c = default, e = default;
                ref float w = ref Unsafe.Add(ref w0, p);
                for (int k = 0; k < d; k++)
                {
                    ref float wrow = ref Unsafe.Add(ref w, k * stride);
                    var xk = new Vector<float>(Unsafe.Add(ref x, k));
                    a = Vector.FusedMultiplyAdd(xk, Vector.LoadUnsafe(ref wrow), a);
                    b = Vector.FusedMultiplyAdd(xk, Vector.LoadUnsafe(ref Unsafe.Add(ref wrow, width)), b);
                    c = Vector.FusedMultiplyAdd(xk, Vector.LoadUnsafe(ref Unsafe.Add(ref wrow, 2 * width)), c);
                    e = Vector.FusedMultiplyAdd(xk, Vector.LoadUnsafe(ref Unsafe.Add(ref wrow, 3 * width)), e);
                }
                a.StoreUnsafe(ref Unsafe.Add(ref o, p));
                b.StoreUnsafe(ref Unsafe.Add(ref o, p + width));
                c.StoreUnsafe(ref Unsafe.Add(ref o, p + 2 * width));
                e.StoreUnsafe(ref Unsafe.Add(ref o, p + 3 * width));
            }
            for (; p < stride; p += width)
            {
                Vector<float> a = default;
                ref float w = ref Unsafe.Add(ref w0, p);
                for (int k = 0; k < d; k++)
                    a = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref x, k)), Vector.LoadUnsafe(ref Unsafe.Add(ref w, k * stride)), a);
                a.StoreUnsafe(ref Unsafe.Add(ref o, p));
            }
        }
    }

    /// <summary>The same products computed one by one in double precision, for tests.</summary>
    internal double Reference(ReadOnlySpan<float> vector, int plane)
    {
        double sum = 0;
        for (int k = 0; k < Dimensions; k++) sum += (double)vector[k] * _transposed[k * Stride + plane];
        return sum;
    }
}

// Aknn.Embedded OpenCL kernels (OpenCL C 1.2). Built once per device by OpenClRuntime.
//
// Float metrics (the ranking distances of Search/ExactSearch.cs, in float32):
//   0  squared L2      sum (q - x)^2
//   1  L1              sum |q - x|
//   2  dot             -(q . x)
//   3  cosine          clamp(1 - (q . x) / |x|, 0, 2), the query already unit length
// The host recomputes every distance it keeps with the CPU kernels, so these need to agree with
// the CPU only within the rounding bound the host allows for (see DeviceTolerance.cs).
//
// Top-k kernels: work-item g of query q looks at rows g, g + G, g + 2G ... (G = global size 0)
// and keeps the AKNN_P nearest of them, sorted, in private memory; the host merges the lists.
// Radius kernels: one work-item per row, every query; matches are appended through an atomic
// counter, and the host re-runs with a larger buffer when the counter passes the capacity.

#ifndef AKNN_P
#define AKNN_P 16
#endif

inline float float_distance(__global const float* x, __global const float* q, int dim, int metric, float norm)
{
    float4 a4 = (float4)(0.0f);
    float acc = 0.0f;
    int j = 0;
    if (metric == 0)
    {
        for (; j + 4 <= dim; j += 4) { float4 t = vload4(0, q + j) - vload4(0, x + j); a4 += t * t; }
        acc = (a4.x + a4.y) + (a4.z + a4.w);
        for (; j < dim; j++) { float t = q[j] - x[j]; acc += t * t; }
        return acc;
    }
    if (metric == 1)
    {
        for (; j + 4 <= dim; j += 4) a4 += fabs(vload4(0, q + j) - vload4(0, x + j));
        acc = (a4.x + a4.y) + (a4.z + a4.w);
        for (; j < dim; j++) acc += fabs(q[j] - x[j]);
        return acc;
    }
    for (; j + 4 <= dim; j += 4) a4 += vload4(0, q + j) * vload4(0, x + j);
    acc = (a4.x + a4.y) + (a4.z + a4.w);
    for (; j < dim; j++) acc += q[j] * x[j];
    if (metric == 2) return -acc;
    return clamp(1.0f - acc / norm, 0.0f, 2.0f);
}

inline int code_distance(__global const ulong* x, __global const ulong* q, int words)
{
    int d = 0;
    for (int w = 0; w < words; w++) d += (int)popcount(x[w] ^ q[w]);
    return d;
}

// Inserts (d, r) into the sorted list of *count entries (at most AKNN_P), dropping the farthest.
inline void keep_nearest(float* bd, int* br, int* count, float d, int r)
{
    int n = *count;
    if (n == AKNN_P)
    {
        if (!(d < bd[AKNN_P - 1])) return;
        n = AKNN_P - 1;
    }
    else
    {
        *count = n + 1;
    }
    int i = n;
    while (i > 0 && bd[i - 1] > d) { bd[i] = bd[i - 1]; br[i] = br[i - 1]; i--; }
    bd[i] = d;
    br[i] = r;
}

inline void write_list(__global float* out_d, __global int* out_r, size_t at, const float* bd, const int* br, int count)
{
    for (int i = 0; i < AKNN_P; i++)
    {
        out_d[at + i] = i < count ? bd[i] : INFINITY;
        out_r[at + i] = i < count ? br[i] : -1;
    }
}

__kernel void float_topk(__global const float* rows, int nrows, int dim, __global const float* norms,
                         __global const float* queries, int metric,
                         __global float* out_d, __global int* out_r)
{
    int g = (int)get_global_id(0);
    int G = (int)get_global_size(0);
    int q = (int)get_global_id(1);
    __global const float* qv = queries + (size_t)q * dim;
    float bd[AKNN_P];
    int br[AKNN_P];
    int count = 0;
    for (int r = g; r < nrows; r += G)
    {
        float d = float_distance(rows + (size_t)r * dim, qv, dim, metric, metric == 3 ? norms[r] : 1.0f);
        keep_nearest(bd, br, &count, d, r);
    }
    write_list(out_d, out_r, ((size_t)q * G + g) * AKNN_P, bd, br, count);
}

__kernel void code_topk(__global const ulong* codes, int nrows, int words,
                        __global const ulong* queries,
                        __global float* out_d, __global int* out_r)
{
    int g = (int)get_global_id(0);
    int G = (int)get_global_size(0);
    int q = (int)get_global_id(1);
    __global const ulong* qv = queries + (size_t)q * words;
    float bd[AKNN_P];
    int br[AKNN_P];
    int count = 0;
    for (int r = g; r < nrows; r += G)
    {
        float d = (float)code_distance(codes + (size_t)r * words, qv, words);
        keep_nearest(bd, br, &count, d, r);
    }
    write_list(out_d, out_r, ((size_t)q * G + g) * AKNN_P, bd, br, count);
}

__kernel void float_radius(__global const float* rows, int nrows, int dim, __global const float* norms,
                           __global const float* queries, int nqueries, int metric, __global const float* bounds,
                           __global volatile int* counter, int capacity,
                           __global int2* out_qr, __global float* out_d)
{
    int r = (int)get_global_id(0);
    if (r >= nrows) return;
    __global const float* x = rows + (size_t)r * dim;
    float norm = metric == 3 ? norms[r] : 1.0f;
    for (int q = 0; q < nqueries; q++)
    {
        float d = float_distance(x, queries + (size_t)q * dim, dim, metric, norm);
        if (d <= bounds[q])
        {
            int at = atomic_inc(counter);
            if (at < capacity) { out_qr[at] = (int2)(q, r); out_d[at] = d; }
        }
    }
}

__kernel void code_radius(__global const ulong* codes, int nrows, int words,
                          __global const ulong* queries, int nqueries, int radius,
                          __global volatile int* counter, int capacity,
                          __global int2* out_qr, __global float* out_d)
{
    int r = (int)get_global_id(0);
    if (r >= nrows) return;
    __global const ulong* x = codes + (size_t)r * words;
    if (words == 1)
    {
        ulong c = x[0];
        for (int q = 0; q < nqueries; q++)
        {
            int d = (int)popcount(c ^ queries[q]);
            if (d <= radius)
            {
                int at = atomic_inc(counter);
                if (at < capacity) { out_qr[at] = (int2)(q, r); out_d[at] = (float)d; }
            }
        }
        return;
    }
    for (int q = 0; q < nqueries; q++)
    {
        int d = code_distance(x, queries + (size_t)q * words, words);
        if (d <= radius)
        {
            int at = atomic_inc(counter);
            if (at < capacity) { out_qr[at] = (int2)(q, r); out_d[at] = (float)d; }
        }
    }
}

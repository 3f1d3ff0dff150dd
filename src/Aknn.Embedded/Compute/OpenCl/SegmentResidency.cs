using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Compute.OpenCl;

/// <summary>
/// A segment's rows (and, under cosine, their norms) copied to the device once, on the first
/// device search that reads the segment, and kept there while the segment is mapped: the segment
/// disposes of this object when its last reference is released (<c>Segment.Unmap</c>), which
/// releases the buffers. Segments are immutable, so the copy never goes stale; deletions are
/// applied on the host.
/// </summary>
internal sealed unsafe class SegmentResidency : IDisposable
{
    private SegmentResidency(ClBuffer rows, ClBuffer? norms, double maxNorm)
    {
        Rows = rows;
        Norms = norms;
        MaxRowNorm = maxNorm;
    }

    /// <summary>The segment's vector section, row after row.</summary>
    public ClBuffer Rows { get; }

    /// <summary>The stored row norms (cosine only).</summary>
    public ClBuffer? Norms { get; }

    /// <summary>The largest row norm (float metrics), which bounds the dot product's rounding error.</summary>
    public double MaxRowNorm { get; }

    /// <summary>Bytes held on the device.</summary>
    public long Bytes => Rows.Bytes + (Norms?.Bytes ?? 0);

    /// <summary>Whether the buffers have been released.</summary>
    public bool IsReleased => Rows.IsClosed && (Norms?.IsClosed ?? true);

    /// <summary>Uploads a segment's rows; the caller holds <see cref="OpenClRuntime.Sync"/>.</summary>
    /// <exception cref="OpenClException">The device could not hold the segment.</exception>
    public static SegmentResidency Upload(OpenClRuntime rt, Segment segment)
    {
        long bytes = (long)segment.RowCount * segment.RowBytes;
        if (bytes > rt.MaxAllocation)
            throw new OpenClException($"clCreateBuffer of {bytes:N0} bytes (the device allows {rt.MaxAllocation:N0} in one buffer)", OpenClNative.CL_MEM_OBJECT_ALLOCATION_FAILURE);
        byte* vectors = segment.VectorsForScan();
        float* norms = segment.NormsForScan();
        ClBuffer rows = rt.CreateBuffer(bytes, OpenClNative.CL_MEM_READ_ONLY);
        ClBuffer? normBuffer = null;
        try
        {
            rt.Write(rows, vectors, bytes);
            if (norms is not null)
            {
                normBuffer = rt.CreateBuffer((long)segment.RowCount * sizeof(float), OpenClNative.CL_MEM_READ_ONLY);
                rt.Write(normBuffer, norms, (long)segment.RowCount * sizeof(float));
            }
            double maxNorm = segment.Metric == Metric.Hamming ? 0 : DeviceTolerance.MaxNorm((float*)vectors, segment.RowCount, segment.RowBytes / sizeof(float));
            return new SegmentResidency(rows, normBuffer, maxNorm);
        }
        catch
        {
            rows.Dispose();
            normBuffer?.Dispose();
            throw;
        }
    }

    /// <summary>Releases the device buffers.</summary>
    public void Dispose()
    {
        Rows.Dispose();
        Norms?.Dispose();
    }
}

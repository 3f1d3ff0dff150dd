using System.Diagnostics;
using System.IO.MemoryMappedFiles;
using System.Runtime.Intrinsics;

namespace Aknn.Perf.Workloads;

/// <summary>
/// The machine's own limits, which the other workloads are measured against: how fast one thread
/// reads memory, and how fast the disk absorbs a sequential write that is then made durable.
/// </summary>
internal static class BandwidthWorkload
{
    private const long ReadBytes = 1L << 30;
    private const long DiskBytes = 512L << 20;
    private const int DiskChunk = 4 << 20;

    /// <summary>Median and best of several measurements.</summary>
    public readonly record struct Measured(double Median, double Best);

    private static float s_sink;

    public static void Run(PerfContext ctx)
    {
        int runs = ctx.RunsOr(7);
        Console.WriteLine($"bandwidth: reading 1 GiB {runs} times with one thread; writing 512 MiB in 4 MiB chunks + fdatasync {Math.Min(runs, 3)} times");
        var read = MeasureRead(runs);
        var disk = MeasureDiskWrite(ctx.Store.Folder, Math.Min(runs, 3), out var mapped, out double syncMs, out double readLatencyMs);
        ctx.Options.ReadGbps ??= read.Median;
        ctx.Options.DiskMbps ??= disk.Median;
        ctx.Printer.Emit(new ResultRow("machine", "bandwidth", 0, 0)
            .Add("read_gbps", read.Median).Add("read_gbps_best", read.Best)
            .Add("read_gbps_mmap", mapped.Median)
            .Add("disk_write_mbps", disk.Median).Add("disk_write_mbps_best", disk.Best)
            .Add("fdatasync_ms", syncMs)
            .Add("disk_read_4k_ms", readLatencyMs)
            .Add("cores", Environment.ProcessorCount)
            .Add("loadavg", Stats.LoadAverage()));
    }

    /// <summary>Sums a 1 GiB array with Vector256 accumulators; GB/s per pass.</summary>
    public static Measured MeasureRead(int passes)
    {
        float[] data = GC.AllocateUninitializedArray<float>((int)(ReadBytes / sizeof(float)), pinned: true);
        Array.Fill(data, 1f); // touch every page before timing
        var gbps = new List<double>();
        unsafe
        {
            fixed (float* p = data)
            {
                s_sink += Sum(p, data.Length); // warm-up pass
                for (int i = 0; i < passes; i++)
                {
                    long t = Stopwatch.GetTimestamp();
                    s_sink += Sum(p, data.Length);
                    gbps.Add(ReadBytes / (Stats.MsSince(t) / 1000) / 1e9);
                }
            }
        }
        return new Measured(Stats.Median(gbps), gbps.Max());
    }

    public static Measured MeasureDiskWrite(string folder, int runs) => MeasureDiskWrite(folder, runs, out _, out _, out _);

    /// <summary>
    /// Writes 512 MiB in 4 MiB chunks and fdatasyncs, <paramref name="runs"/> times; MB/s counts the
    /// whole time until the data is durable. Before deleting the last file, also reads it back through
    /// a memory mapping (from the page cache), the way the index reads its segments, and then times
    /// random 4 KiB reads from the disk itself (the file dropped from the page cache).
    /// </summary>
    public static Measured MeasureDiskWrite(string folder, int runs, out Measured mappedReadGbps, out double lastSyncMs, out double readLatencyMs)
    {
        var chunk = new byte[DiskChunk];
        new Random(1).NextBytes(chunk); // incompressible
        string path = Path.Combine(folder, "bandwidth-test.tmp");
        var mbps = new List<double>();
        mappedReadGbps = default;
        lastSyncMs = 0;
        readLatencyMs = double.NaN;
        for (int run = 0; run < runs; run++)
        {
            File.Delete(path);
            long t = Stopwatch.GetTimestamp(), synced;
            using (var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite))
            {
                for (long at = 0; at < DiskBytes; at += DiskChunk)
                {
                    BitConverter.TryWriteBytes(chunk, at ^ run); // every chunk differs
                    RandomAccess.Write(handle, chunk, at);
                }
                synced = Stopwatch.GetTimestamp();
                Native.FlushData(handle);
            }
            double ms = Stats.MsSince(t);
            lastSyncMs = Stats.MsSince(synced);
            mbps.Add(DiskBytes / 1e6 / (ms / 1000));
            if (run == runs - 1)
            {
                mappedReadGbps = MeasureMappedRead(path, passes: 5);
                if (Native.DropFileFromPageCache(path)) readLatencyMs = MeasureRandomRead(path, reads: 64);
            }
        }
        File.Delete(path);
        return new Measured(Stats.Median(mbps), mbps.Max());
    }

    /// <summary>Median latency of random, 4 KiB-aligned 4 KiB reads without read-ahead.</summary>
    private static double MeasureRandomRead(string path, int reads)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        long pages = RandomAccess.GetLength(handle) / 4096;
        var buffer = new byte[4096];
        var random = new Random(7);
        var ms = new List<double>();
        for (int i = 0; i < reads; i++)
        {
            long at = random.NextInt64(pages) * 4096;
            long t = Stopwatch.GetTimestamp();
            RandomAccess.Read(handle, buffer, at);
            ms.Add(Stats.MsSince(t));
        }
        return Stats.Median(ms);
    }

    /// <summary>Sums a file through a read-only memory mapping; the first pass (page faults) is not counted.</summary>
    private static unsafe Measured MeasureMappedRead(string path, int passes)
    {
        long length = new FileInfo(path).Length;
        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        try
        {
            float* f = (float*)(p + view.PointerOffset);
            long count = length / sizeof(float);
            s_sink += Sum(f, count);
            var gbps = new List<double>();
            for (int i = 0; i < passes; i++)
            {
                long t = Stopwatch.GetTimestamp();
                s_sink += Sum(f, count);
                gbps.Add(length / (Stats.MsSince(t) / 1000) / 1e9);
            }
            return new Measured(Stats.Median(gbps), gbps.Max());
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    /// <summary>Reads (sums) a whole array as fast as one thread can: the floor for any scan of it.</summary>
    public static unsafe float SumFloats(float[] values)
    {
        int whole = values.Length & ~63;
        float tail = 0;
        for (int i = whole; i < values.Length; i++) tail += values[i];
        fixed (float* p = values) return Sum(p, whole) + tail;
    }

    /// <summary>Sum of <paramref name="count"/> floats (a multiple of 64), eight independent accumulators.</summary>
    private static unsafe float Sum(float* p, long count)
    {
        Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (long i = 0; i < count; i += 64)
        {
            float* q = p + i;
            a0 += Vector256.Load(q);
            a1 += Vector256.Load(q + 8);
            a2 += Vector256.Load(q + 16);
            a3 += Vector256.Load(q + 24);
            a4 += Vector256.Load(q + 32);
            a5 += Vector256.Load(q + 40);
            a6 += Vector256.Load(q + 48);
            a7 += Vector256.Load(q + 56);
        }
        return Vector256.Sum((a0 + a1) + (a2 + a3) + ((a4 + a5) + (a6 + a7)));
    }
}

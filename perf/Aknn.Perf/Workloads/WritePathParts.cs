using System.Diagnostics;
using System.Text;
using Aknn.Embedded;
using Aknn.Embedded.Storage;

namespace Aknn.Perf.Workloads;

/// <summary>
/// Times the stages of the library's write path one at a time, by calling its internal storage
/// classes directly on the same rows (the perf project sees the library's internals). Each stage
/// runs alone over all N rows, so the figures add up to what one writer thread would spend if
/// nothing overlapped: encoding log records (copy + CRC-32C), appending them to a log file and
/// syncing it once, applying rows to in-memory tails, and sealing each full tail into a segment
/// (which includes the segment's fdatasync). What <c>UpsertBatch</c> spends beyond these sums is its
/// own validation and copying, the id look-ups in earlier segments, and the background syncs.
/// </summary>
internal static class WritePathParts
{
    private const int GroupBytes = 4 << 20;

    public static ResultRow Measure(PerfContext ctx, float[] rows, string[] ids, int n, int dim)
    {
        string folder = ctx.Store.IndexPath("parts", n, dim);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        int rowBytes = dim * sizeof(float);
        long sealBytes = new IndexOptions().SealThresholdBytes;
        byte[][] idUtf8 = ids.Select(Encoding.UTF8.GetBytes).ToArray();
        ReadOnlySpan<byte> Vector(int r) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(rows.AsSpan(r * dim, dim));

        // 1. Encode records into one reused 4 MiB group buffer, as WriteMany does, and
        // 2. append each group to a log file; one fdatasync at the end.
        Stats.Settle();
        double encodeMs = 0, logMs = 0;
        byte[] buffer = new byte[GroupBytes];
        using (var log = LogFile.Create(Path.Combine(folder, "log-000001.wal"), 1, null))
        {
            for (int r = 0; r < n;)
            {
                long start = Stopwatch.GetTimestamp();
                int used = 0;
                for (; r < n; r++)
                {
                    int size = LogFormat.UpsertSize(idUtf8[r].Length, rowBytes, 0);
                    if (size > buffer.Length - used) break;
                    LogFormat.Encode(buffer.AsSpan(used, size), LogRecordKind.Upsert, r + 1, idUtf8[r], Vector(r), default);
                    used += size;
                }
                long encoded = Stopwatch.GetTimestamp();
                log.Append(buffer.AsSpan(0, used));
                encodeMs += Stats.Ms(start, encoded);
                logMs += Stats.MsSince(encoded);
            }
            long s0 = Stopwatch.GetTimestamp();
            log.Sync();
            logMs += Stats.MsSince(s0);
        }

        // 3. Apply rows to tails, starting a new tail whenever one reaches the seal threshold;
        // 4. seal each full tail into a segment file.
        Stats.Settle();
        var schema = new SegmentSchema(Metric.Euclidean, IndexModelKind.Exact, dim, rowBytes, 0);
        double applyMs = 0, sealMs = 0;
        long t;
        int seals = 0;
        for (int start = 0; start < n;)
        {
            var tail = new Tail(rowBytes, norms: false, expectedRows: (int)(sealBytes / (rowBytes + 64)));
            int r = start;
            t = Stopwatch.GetTimestamp();
            while (r < n && tail.Bytes < sealBytes)
            {
                tail.Append(ids[r], idUtf8[r], Vector(r), default);
                r++;
            }
            applyMs += Stats.MsSince(t);
            t = Stopwatch.GetTimestamp();
            seals++;
            SegmentWriter.Write(Path.Combine(folder, $"seg-{seals:D6}.seg"), seals, start + 1, r, schema, tail.LiveRows(r), null);
            sealMs += Stats.MsSince(t);
            start = r;
        }
        long segmentBytes = Stats.FolderBytes(folder);
        Directory.Delete(folder, recursive: true);

        return new ResultRow("aknn", "insert", n, dim)
            .Add("config", "parts")
            .Add("encode_ms", encodeMs)
            .Add("log_write_sync_ms", logMs)
            .Add("apply_ms", applyMs)
            .Add("seals", seals)
            .Add("seal_ms", sealMs)
            .Add("sum_ms", encodeMs + logMs + applyMs + sealMs)
            .Add("encode_us_per_row", encodeMs * 1000 / n)
            .Add("apply_us_per_row", applyMs * 1000 / n)
            .Add("seal_us_per_row", sealMs * 1000 / n)
            .Add("log_and_segments_bytes_per_vector", (double)segmentBytes / n);
    }
}

namespace Aknn.Embedded.Storage;

/// <summary>Reads a log file back after a restart.</summary>
internal static class LogReplay
{
    public delegate void RecordHandler(in LogFormat.Record record);

    /// <summary>
    /// Calls <paramref name="handle"/> for each intact record in order and returns the length of
    /// the intact prefix. A record that is incomplete or fails its checksum ends the log when
    /// nothing intact follows it: that is a write torn by a crash, and the caller cuts it off.
    /// When an intact record does follow, the damage is in the middle of the log and
    /// <see cref="IndexCorruptedException"/> names the offset.
    /// </summary>
    public static long Replay(string path, long generation, int rowBytes, RecordHandler handle)
    {
        byte[] log = SharedRead.AllBytes(path);
        LogFormat.CheckHeader(log, path, generation);
        int offset = LogFormat.HeaderSize;
        long lastSeq = long.MinValue;
        while (offset < log.Length)
        {
            if (!LogFormat.TryDecode(log, offset, rowBytes, out var record, out int size) || record.Sequence <= lastSeq)
            {
                if (IntactRecordFollows(log, offset + 1, rowBytes, lastSeq) && !LooksUnwritten(log, offset))
                    throw new IndexCorruptedException(path, offset, "a log record fails its checksum but intact records follow it (damage in the middle of the log, not a torn write)");
                return offset;
            }
            handle(record);
            lastSeq = record.Sequence;
            offset += size;
        }
        return offset;
    }

    /// <summary>
    /// Whether the damaged record at <paramref name="offset"/> holds a region the disk never wrote:
    /// a zeroed frame header, or a whole zeroed 512-byte sector inside the record. After a power
    /// loss, pages written after the last completed flush may reach the disk out of order, leaving
    /// such a hole before intact but never-acknowledged records; everything from the hole on is
    /// then a torn tail. Flipped bytes, by contrast, are corruption.
    /// </summary>
    private static bool LooksUnwritten(byte[] log, int offset)
    {
        ReadOnlySpan<byte> rest = log.AsSpan(offset);
        if (rest.Length < LogFormat.FramePrefix || rest[..LogFormat.FramePrefix].IndexOfAnyExcept((byte)0) < 0) return true;
        long declared = LogFormat.FramePrefix + (long)BitConverter.ToInt32(log, offset);
        int end = (int)Math.Min(log.Length, Math.Max(offset + LogFormat.FramePrefix, offset + Math.Max(0, declared)));
        for (int sector = (offset + 511) & ~511; sector + 512 <= end; sector += 512)
            if (log.AsSpan(sector, 512).IndexOfAnyExcept((byte)0) < 0) return true;
        return false;
    }

    private static bool IntactRecordFollows(byte[] log, int from, int rowBytes, long lastSeq)
    {
        for (int q = from; q + LogFormat.RecordPrefix <= log.Length; q++)
        {
            if (LogFormat.TryDecode(log, q, rowBytes, out var r, out _) && r.Sequence > lastSeq)
                return true;
        }
        return false;
    }
}

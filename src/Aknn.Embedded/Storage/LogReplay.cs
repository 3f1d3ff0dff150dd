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
        byte[] log = File.ReadAllBytes(path);
        LogFormat.CheckHeader(log, path, generation);
        int offset = LogFormat.HeaderSize;
        long lastSeq = long.MinValue;
        while (offset < log.Length)
        {
            if (!LogFormat.TryDecode(log, offset, rowBytes, out var record, out int size) || record.Sequence <= lastSeq)
            {
                if (IntactRecordFollows(log, offset + 1, rowBytes, lastSeq))
                    throw new IndexCorruptedException(path, offset, "a log record fails its checksum but intact records follow it (damage in the middle of the log, not a torn write)");
                return offset;
            }
            handle(record);
            lastSeq = record.Sequence;
            offset += size;
        }
        return offset;
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

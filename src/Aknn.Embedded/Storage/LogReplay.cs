namespace Aknn.Embedded.Storage;

/// <summary>Reads a log file back after a restart.</summary>
internal static class LogReplay
{
    public delegate void RecordHandler(in LogFormat.Record record);

    /// <summary>
    /// Calls <paramref name="handle"/> for each intact record in order and returns the length of
    /// the intact prefix, which the caller keeps (cutting off what follows it).
    /// </summary>
    /// <remarks>
    /// A record that is incomplete or fails its checksum is a torn write only when both hold:
    /// it starts at or past <paramref name="durableLength"/>, the length the log is known to have
    /// been flushed to disk through (recorded in the manifest when the log was closed cleanly or a
    /// seal installed it), and no intact record follows it anywhere in the file. Only a crash can
    /// tear a write, and only past the last flush. Anything else is damage to durable data, and
    /// <see cref="IndexCorruptedException"/> names the record's offset; the file is not changed.
    /// A log shorter than <paramref name="durableLength"/> has been truncated: also corruption.
    /// </remarks>
    public static long Replay(string path, long generation, int rowBytes, long durableLength, RecordHandler handle)
    {
        byte[] log = SharedRead.AllBytes(path);
        LogFormat.CheckHeader(log, path, generation);
        if (log.Length < durableLength)
            throw new IndexCorruptedException(path, log.Length,
                $"the log ends at byte {log.Length} but was flushed to disk through byte {durableLength} when it was last closed (the file has been truncated; records that were durable are missing)");
        int offset = LogFormat.HeaderSize;
        long lastSeq = long.MinValue;
        while (offset < log.Length)
        {
            if (!LogFormat.TryDecode(log, offset, rowBytes, out var record, out int size) || record.Sequence <= lastSeq)
            {
                if (IntactRecordFollows(log, offset + 1, rowBytes, lastSeq))
                    throw new IndexCorruptedException(path, offset,
                        "the log record starting at this offset is damaged but intact records follow it (damage in the middle of the log, not a write torn by a crash)");
                if (offset < durableLength)
                    throw new IndexCorruptedException(path, offset,
                        $"the log record starting at this offset is damaged (incomplete, failing its checksum, or out of sequence) although the log was flushed to disk through byte {durableLength}, so it is not a write torn by a crash");
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

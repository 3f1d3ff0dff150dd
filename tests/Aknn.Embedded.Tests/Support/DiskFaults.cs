using Aknn.Embedded.Storage;

namespace Aknn.Embedded.Tests.Support;

/// <summary>
/// A simulated full disk: while <see cref="FailWhen"/> is set, every storage write it matches
/// throws the IOException Linux reports for ENOSPC. Thread-safe; counts the writes it refused.
/// </summary>
internal sealed class DiskFaults : IFaultInjector
{
    private Func<string, long, int, bool>? _failWhen;
    private int _refused;

    /// <summary>Decides from (path, offset, byte count) whether a write fails; null lets every write through.</summary>
    public Func<string, long, int, bool>? FailWhen
    {
        get => Volatile.Read(ref _failWhen);
        set => Volatile.Write(ref _failWhen, value);
    }

    /// <summary>Writes refused so far.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public void BeforeWrite(string path, long offset, int count)
    {
        if (FailWhen?.Invoke(path, offset, count) != true) return;
        Interlocked.Increment(ref _refused);
        throw new IOException("No space left on device", 28);
    }

    /// <summary>Appends to a log file (*.wal).</summary>
    public static bool LogWrite(string path, long offset, int count) => path.EndsWith(".wal", StringComparison.Ordinal);
}

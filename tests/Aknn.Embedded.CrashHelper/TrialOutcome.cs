namespace Aknn.Embedded.CrashHelper;

/// <summary>How an index answered after one of its files was damaged.</summary>
public enum TrialOutcome
{
    /// <summary>Open, or a read of the damaged data, threw <see cref="IndexCorruptedException"/> naming the damaged file; nothing wrong was served.</summary>
    Detected,

    /// <summary>Everything reads as before: every durable write present and exact, searches equal brute force.</summary>
    Harmless,

    /// <summary>A durable write is missing, and no error said so.</summary>
    SilentLoss,

    /// <summary>An item or a search result is wrong (changed content, a deleted item back, wrong distances), and no error said so.</summary>
    WrongResults,

    /// <summary>Another exception (another type, or corruption blamed on another file): not silent, but not the promised report.</summary>
    OtherError,
}

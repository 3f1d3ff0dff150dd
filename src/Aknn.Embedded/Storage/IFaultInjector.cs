namespace Aknn.Embedded.Storage;

/// <summary>
/// Test hook that can make a storage write fail, to exercise full-disk handling without a full
/// disk. Present in every build configuration; null in normal use.
/// </summary>
internal interface IFaultInjector
{
    /// <summary>Called before <paramref name="count"/> bytes are written to <paramref name="path"/>; throws to simulate a failure.</summary>
    void BeforeWrite(string path, long offset, int count);
}

namespace Aknn.Embedded.Storage;

/// <summary>
/// A reference count that starts at one (the owner's reference) and, once it has dropped to zero,
/// can never be raised again, so a reader racing with the last release fails to acquire instead of
/// resurrecting a released object. Keep it in a mutable field.
/// </summary>
internal struct RefCount
{
    private int _extra; // references beyond the owner's; −1 once released

    /// <summary>Adds a reference unless the count already reached zero.</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            int r = Volatile.Read(ref _extra);
            if (r < 0) return false;
            if (Interlocked.CompareExchange(ref _extra, r + 1, r) == r) return true;
        }
    }

    /// <summary>Drops a reference; true when it was the last one.</summary>
    public bool Release() => Interlocked.Decrement(ref _extra) < 0;
}

using Aknn.Embedded.CrashHelper;

namespace Aknn.Embedded.Tests.Support;

/// <summary>
/// A class fixture: one <see cref="PristineIndex"/> of each kind, built once in a temp folder and
/// deleted with it. Trials damage copies, never these.
/// </summary>
public sealed class PristineIndexes : IDisposable
{
    private readonly TempFolder _tmp = new();

    public PristineIndexes()
    {
        Float = PristineIndex.Build(_tmp.Index("float"), CrashIndexKind.Float);
        Binary = PristineIndex.Build(_tmp.Index("binary"), CrashIndexKind.Binary);
    }

    /// <summary>Float vectors with an LSH model (every file kind, LSHMODEL included).</summary>
    public PristineIndex Float { get; }

    /// <summary>Binary codes with multi-index hashing (no LSH model).</summary>
    public PristineIndex Binary { get; }

    public void Dispose() => _tmp.Dispose();
}

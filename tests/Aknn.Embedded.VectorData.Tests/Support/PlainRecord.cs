namespace Aknn.Embedded.VectorData.Tests.Support;

/// <summary>Described by a definition only: no attributes.</summary>
public sealed class PlainRecord
{
    public string Key { get; set; } = "";
    public string Title { get; set; } = "";
    public int Year { get; set; }
    public ReadOnlyMemory<float> Vector { get; set; }
}

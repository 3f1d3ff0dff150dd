namespace Aknn.Embedded.Storage;

/// <summary>Where a live row sits: a row of one of a snapshot's (or the writer's) row sources.</summary>
internal readonly record struct RowLocation(RowSource Source, int Row)
{
    public ReadOnlySpan<byte> Vector() => Source.Vector(Row);
    public ReadOnlySpan<byte> Payload() => Source.Payload(Row);

    /// <summary>Marks the row deleted at <paramref name="seq"/> (writer only).</summary>
    public void MarkDeleted(long seq) => Source.MarkDeleted(Row, seq);
}

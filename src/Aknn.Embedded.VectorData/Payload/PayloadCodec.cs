using System.Buffers;
using System.Text;
using MessagePack;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace Aknn.Embedded.VectorData.Payload;

/// <summary>
/// Stores a record's data properties as the item payload: a MessagePack map from storage name to
/// value. A map (rather than an array by position) lets a property added to the record type later
/// read old records (it keeps its default) and lets a removed property's entries be skipped.
/// </summary>
internal sealed class PayloadCodec
{
    private static readonly MessagePackSerializerOptions Serializer = MessagePackSerializerOptions.Standard;

    private readonly DataPropertyModel[] _properties;
    private readonly byte[][] _names;

    public PayloadCodec(IReadOnlyList<DataPropertyModel> properties)
    {
        _properties = [.. properties];
        _names = [.. _properties.Select(p => Encoding.UTF8.GetBytes(p.StorageName))];
    }

    /// <summary>The payload of <paramref name="record"/>.</summary>
    public byte[] Write(object record)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + 32 * _properties.Length);
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(_properties.Length);
        for (int i = 0; i < _properties.Length; i++)
        {
            writer.WriteString(_names[i]);
            object? value = _properties[i].GetValueAsObject(record);
            if (value is null) writer.WriteNil();
            else MessagePackSerializer.Serialize(_properties[i].Type, ref writer, value, Serializer);
        }
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Sets every data property of <paramref name="record"/> found in <paramref name="payload"/>.</summary>
    public void Read(ReadOnlyMemory<byte> payload, object record)
    {
        if (payload.IsEmpty) return;
        var reader = new MessagePackReader(payload);
        int entries = reader.ReadMapHeader();
        for (int e = 0; e < entries; e++)
        {
            int index = FindName(ref reader);
            if (index < 0)
            {
                reader.Skip(); // a property the record type no longer has
                continue;
            }
            DataPropertyModel p = _properties[index];
            p.SetValueAsObject(record, reader.TryReadNil() ? null : MessagePackSerializer.Deserialize(p.Type, ref reader, Serializer));
        }
    }

    /// <summary>Reads the values of the given storage names into <paramref name="slots"/> (others are skipped without decoding).</summary>
    /// <param name="payload">The payload bytes.</param>
    /// <param name="wanted">Per data property index, the slot to fill, or −1.</param>
    /// <param name="slots">Receives the values; slots whose name is absent keep what they hold.</param>
    public void ReadSlots(ReadOnlyMemory<byte> payload, int[] wanted, object?[] slots)
    {
        if (payload.IsEmpty) return;
        var reader = new MessagePackReader(payload);
        int entries = reader.ReadMapHeader();
        for (int e = 0; e < entries; e++)
        {
            int index = FindName(ref reader);
            if (index < 0 || wanted[index] < 0)
            {
                reader.Skip();
                continue;
            }
            slots[wanted[index]] = reader.TryReadNil() ? null : MessagePackSerializer.Deserialize(_properties[index].Type, ref reader, Serializer);
        }
    }

    /// <summary>The index of the data property whose name the reader is at, or −1; the name is consumed.</summary>
    private int FindName(ref MessagePackReader reader)
    {
        ReadOnlySequence<byte>? name = reader.ReadStringSequence();
        if (name is not { } seq) return -1;
        // Storage names are short and payload buffers contiguous: compare the bytes, no string is made.
        ReadOnlySpan<byte> span = seq.IsSingleSegment ? seq.FirstSpan : seq.ToArray();
        for (int i = 0; i < _names.Length; i++)
            if (span.SequenceEqual(_names[i])) return i;
        return -1;
    }

    /// <summary>The index of a data property by model name, or −1.</summary>
    public int IndexOf(PropertyModel property) => Array.IndexOf(_properties, property);
}

using System.Buffers;
using Aknn.Embedded.VectorData.Model;
using Aknn.Embedded.VectorData.Payload;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace Aknn.Embedded.VectorData.Filters;

/// <summary>
/// A compiled filter, evaluated on a row's id and payload inside the core's
/// <see cref="SearchOptions.Filter"/>, so a rejected row never becomes a result or a candidate.
/// </summary>
internal sealed class CompiledFilter
{
    private readonly Func<object?[], bool> _predicate;
    private readonly KeyCodec _keys;
    private readonly PayloadCodec _payloads;
    private readonly int _keySlot = -1;
    private readonly int[] _wanted;
    private readonly object?[] _defaults;
    private readonly bool _readsPayload;

    public CompiledFilter(Func<object?[], bool> predicate, IReadOnlyDictionary<PropertyModel, int> bound, CollectionModel model, KeyCodec keys, PayloadCodec payloads)
    {
        _predicate = predicate;
        _keys = keys;
        _payloads = payloads;
        _wanted = new int[model.DataProperties.Count];
        Array.Fill(_wanted, -1);
        _defaults = new object?[bound.Count];
        foreach (var (property, slot) in bound)
        {
            if (property is KeyPropertyModel)
            {
                _keySlot = slot;
                continue;
            }
            int index = payloads.IndexOf(property);
            _wanted[index] = slot;
            _readsPayload = true;
            // A record written before this property existed has no entry: it reads as the type's default, as on Get.
            if (property.Type.IsValueType && Nullable.GetUnderlyingType(property.Type) is null)
                _defaults[slot] = Activator.CreateInstance(property.Type);
        }
    }

    /// <summary>Whether the row passes; for <see cref="SearchFilter"/>.</summary>
    public bool Matches(string id, ReadOnlySpan<byte> payload)
    {
        var slots = (object?[])_defaults.Clone();
        if (_keySlot >= 0) slots[_keySlot] = _keys.FromId(id);
        if (_readsPayload && !payload.IsEmpty)
        {
            // The reader needs memory, not a span: copy into a pooled buffer (payloads are small).
            byte[] buffer = ArrayPool<byte>.Shared.Rent(payload.Length);
            try
            {
                payload.CopyTo(buffer);
                _payloads.ReadSlots(buffer.AsMemory(0, payload.Length), _wanted, slots);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        return _predicate(slots);
    }
}

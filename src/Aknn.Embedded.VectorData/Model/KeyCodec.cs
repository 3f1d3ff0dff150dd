using System.Globalization;

namespace Aknn.Embedded.VectorData.Model;

/// <summary>
/// Turns record keys into the core's string ids and back. Guids are stored in the "D" format and
/// integers in invariant decimal, so ids read the same in every culture and in other tools.
/// </summary>
internal sealed class KeyCodec(Type keyType, string propertyName)
{
    public Type KeyType { get; } = keyType;

    /// <summary>The id under which <paramref name="key"/> is stored.</summary>
    /// <exception cref="ArgumentNullException">The key is null.</exception>
    /// <exception cref="ArgumentException">The key is not of the collection's key type, or is an empty string.</exception>
    public string ToId(object? key, string param = "key")
    {
        if (key is null) throw new ArgumentNullException(param, $"The key ('{propertyName}') is null; every record needs a key.");
        return key switch
        {
            string s when KeyType == typeof(string) => s.Length > 0 ? s : throw new ArgumentException($"The key ('{propertyName}') is an empty string; string keys need at least one character.", param),
            Guid g when KeyType == typeof(Guid) => g.ToString("D"),
            int i when KeyType == typeof(int) => i.ToString(CultureInfo.InvariantCulture),
            long l when KeyType == typeof(long) => l.ToString(CultureInfo.InvariantCulture),
            _ => throw new ArgumentException($"The key ('{propertyName}') is a {key.GetType().Name}, but this collection's keys are {KeyType.Name}; pass a {KeyType.Name}.", param),
        };
    }

    /// <summary>The key stored as <paramref name="id"/>.</summary>
    public object FromId(string id)
    {
        if (KeyType == typeof(string)) return id;
        if (KeyType == typeof(Guid)) return Guid.ParseExact(id, "D");
        if (KeyType == typeof(int)) return int.Parse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return long.Parse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }
}

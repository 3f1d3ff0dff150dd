using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace Aknn.Embedded.VectorData.Model;

/// <summary>
/// Builds the record model from attributes or a definition (the abstractions do the reading) and
/// checks it against what an Aknn.Embedded index can store.
/// </summary>
internal sealed class AknnModelBuilder() : CollectionModelBuilder(BuildingOptions)
{
    private static readonly CollectionModelBuildingOptions BuildingOptions = new()
    {
        RequiresAtLeastOneVector = true,
        // Several vector properties are refused in Validate with a message of our own.
        SupportsMultipleVectors = true,
    };

    internal const string SupportedKeyTypes = "string, Guid, int, long";
    internal const string SupportedVectorTypes = "ReadOnlyMemory<float>, float[], Embedding<float> (float distance functions), BitArray, BinaryEmbedding (HammingDistance)";

    private static readonly HashSet<Type> ScalarTypes =
    [
        typeof(string), typeof(bool), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint),
        typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal), typeof(char),
        typeof(DateTime), typeof(DateTimeOffset), typeof(TimeSpan), typeof(Guid),
    ];

    internal const string SupportedDataTypes =
        "string, bool, the integer types, float, double, decimal, char, DateTime, DateTimeOffset, TimeSpan, Guid, their nullable forms, and arrays or List<T> of them";

    /// <inheritdoc/>
    protected override void Validate(Type? type, VectorStoreCollectionDefinition? definition)
    {
        if (VectorProperties.Count > 1)
        {
            throw new NotSupportedException(
                $"The record {(type is null ? "definition" : $"type '{type.Name}'")} has {VectorProperties.Count} vector properties ({string.Join(", ", VectorProperties.Select(v => v.ModelName))}); " +
                "an Aknn.Embedded collection holds one vector per record. Keep one vector property, or store each vector in its own collection under the same keys.");
        }
        base.Validate(type, definition);
    }

    /// <inheritdoc/>
    protected override void ValidateKeyProperty(KeyPropertyModel keyProperty)
    {
        base.ValidateKeyProperty(keyProperty);
        Type t = keyProperty.Type;
        if (t != typeof(string) && t != typeof(Guid) && t != typeof(int) && t != typeof(long))
            throw new NotSupportedException($"Key property '{keyProperty.ModelName}' has type '{t.Name}'; Aknn.Embedded keys must be one of {SupportedKeyTypes}.");
    }

    /// <inheritdoc/>
    protected override bool IsDataPropertyTypeValid(Type type, [NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = SupportedDataTypes;
        return IsScalar(type) || (ElementType(type) is { } e && IsScalar(e));
    }

    /// <inheritdoc/>
    protected override bool IsVectorPropertyTypeValid(Type type, [NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = SupportedVectorTypes;
        return IsFloatVectorType(type) || IsBitVectorType(type);
    }

    internal static bool IsFloatVectorType(Type type) =>
        type == typeof(ReadOnlyMemory<float>) || type == typeof(ReadOnlyMemory<float>?) || type == typeof(float[]) || type == typeof(Embedding<float>);

    internal static bool IsBitVectorType(Type type) => type == typeof(BitArray) || type == typeof(BinaryEmbedding);

    private static bool IsScalar(Type type) => ScalarTypes.Contains(Nullable.GetUnderlyingType(type) ?? type);

    private static Type? ElementType(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>)) return type.GetGenericArguments()[0];
        return null;
    }
}

namespace Aknn.Embedded.Orleans.Client;

/// <summary>
/// Checks ids, vectors and codes on the caller's side, before anything is sent, by the core's own
/// rules (<see cref="ItemRules"/>), so a bad row never costs a round trip and never half-applies a
/// batch across shards.
/// </summary>
internal static class InputGuard
{
    public static void Id(string? id, string param, int row = -1) => ItemRules.ValidateId(id, param, row);

    public static void Payload(byte[]? payload, string param) => ItemRules.ValidatePayload(payload?.Length ?? 0, param);

    public static void Vector(ReadOnlySpan<float> v, int dimensions, Metric metric, string param, int row = -1) =>
        ItemRules.ValidateVector(v, dimensions, metric, param, row);

    public static void Code(ReadOnlySpan<ulong> code, int dimensions, Metric metric, string param) =>
        ItemRules.ValidateCode(code, dimensions, metric, param);

    public static void CollectionName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"The collection name '{name}' is not allowed: use 1 to 64 ASCII letters, digits, '-' or '_' (it names folders on every silo).", nameof(name));
    }
}

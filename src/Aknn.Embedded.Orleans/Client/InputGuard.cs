using System.Numerics.Tensors;
using System.Text;

namespace Aknn.Embedded.Orleans.Client;

/// <summary>
/// Checks ids, vectors and codes on the caller's side, before anything is sent, with the core's
/// exception types and rules (the core's validators are private to <see cref="VectorIndex"/>), so a
/// bad row never costs a round trip and never half-applies a batch across shards.
/// </summary>
internal static class InputGuard
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void Id(string? id, string param, int row = -1)
    {
        string where = row >= 0 ? $" (row {row})" : "";
        if (id is null) throw new InvalidIdException($"The id{where} is null; every item needs an id of 1 to {VectorIndex.MaxIdBytes} UTF-8 bytes.", param);
        if (id.Length == 0) throw new InvalidIdException($"The id{where} is empty; every item needs an id of 1 to {VectorIndex.MaxIdBytes} UTF-8 bytes.", param);
        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(id);
        }
        catch (EncoderFallbackException)
        {
            throw new InvalidIdException($"The id{where} contains an unpaired surrogate and cannot be stored as UTF-8; pass valid Unicode text.", param);
        }
        if (bytes > VectorIndex.MaxIdBytes)
            throw new InvalidIdException($"The id{where} is {bytes} UTF-8 bytes; ids are limited to {VectorIndex.MaxIdBytes} bytes. Use a shorter key, for example a hash of the long one.", param);
    }

    public static void Payload(byte[]? payload, string param)
    {
        if (payload is not null && payload.Length > VectorIndex.MaxPayloadBytes) throw new PayloadTooLargeException(payload.Length, param);
    }

    public static void Vector(ReadOnlySpan<float> v, int dimensions, Metric metric, string param, int row = -1)
    {
        string where = row >= 0 ? $" in row {row}" : "";
        if (metric == Metric.Hamming)
            throw new InvalidVectorException($"This collection stores {dimensions}-bit binary codes (Hamming); pass codes as ulong words, not float vectors.", param);
        if (v.Length != dimensions) throw new DimensionMismatchException(dimensions, v.Length, "components", param);
        float max = MathF.Abs(TensorPrimitives.MaxMagnitude(v));
        if (!(max <= VectorIndex.MaxComponentMagnitude))
        {
            for (int i = 0; i < v.Length; i++)
            {
                if (!float.IsFinite(v[i]))
                    throw new InvalidVectorException($"Component {i}{where} is {v[i]}; vectors must hold finite numbers only (no NaN or infinity).", param);
                if (MathF.Abs(v[i]) > VectorIndex.MaxComponentMagnitude)
                    throw new InvalidVectorException($"Component {i}{where} is {v[i]}, beyond ±{VectorIndex.MaxComponentMagnitude:G}, where squared distances would overflow float32; scale your vectors down.", param);
            }
        }
        if (metric == Metric.Cosine && (max == 0 || TensorPrimitives.SumOfSquares(v) < 1e-30f))
            throw new InvalidVectorException($"The vector{where} is zero or too short to have a direction under cosine distance; normalise your data or drop zero vectors.", param);
    }

    public static void Code(ReadOnlySpan<ulong> code, int dimensions, Metric metric, string param)
    {
        if (metric != Metric.Hamming)
            throw new InvalidVectorException($"This collection stores float vectors ({metric}); binary codes (ulong words) need a collection created with Metric.Hamming.", param);
        if (code.Length != dimensions / 64) throw new DimensionMismatchException(dimensions / 64, code.Length, "64-bit words", param);
    }

    public static void CollectionName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"The collection name '{name}' is not allowed: use 1 to 64 ASCII letters, digits, '-' or '_' (it names folders on every silo).", nameof(name));
    }
}

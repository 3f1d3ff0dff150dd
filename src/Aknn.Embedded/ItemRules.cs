using System.Numerics.Tensors;
using System.Text;

namespace Aknn.Embedded;

/// <summary>
/// The rules every id, payload, vector and code must meet, exactly as <see cref="VectorIndex"/>
/// enforces them, with the same exceptions and messages. Use them to check input before it leaves
/// the process (a distributed collection, a queue), so that bad rows fail where they were made.
/// </summary>
public static class ItemRules
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Whether <paramref name="id"/> passes <see cref="ValidateId"/>, without an exception or a copy,
    /// with its UTF-8 length when it does: the bulk load checks its ids on all cores with this, then
    /// calls <see cref="ValidateId"/> on the first bad one for its message. The same rules as
    /// <see cref="ValidateId"/>, which must change with them.
    /// </summary>
    internal static bool TryMeasureId(string? id, out int utf8Length)
    {
        utf8Length = 0;
        if (id is not { Length: > 0 and <= VectorIndex.MaxIdBytes }) return false;
        try
        {
            utf8Length = StrictUtf8.GetByteCount(id);
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
        return utf8Length <= VectorIndex.MaxIdBytes;
    }

    /// <summary>Checks an id (1 to <see cref="VectorIndex.MaxIdBytes"/> UTF-8 bytes of valid Unicode) and returns its UTF-8 bytes.</summary>
    /// <param name="id">The id.</param>
    /// <param name="paramName">The argument named in the exception.</param>
    /// <param name="row">A batch row to name in the message, or -1.</param>
    /// <returns>The id's UTF-8 bytes.</returns>
    /// <exception cref="InvalidIdException">The id is null, empty, longer than <see cref="VectorIndex.MaxIdBytes"/> UTF-8 bytes, or not valid Unicode.</exception>
    public static byte[] ValidateId(string? id, string paramName = "id", int row = -1)
    {
        if (id is null) throw new InvalidIdException($"The id{RowNote(row, " (row ", ")")} is null; every item needs an id of 1 to {VectorIndex.MaxIdBytes} UTF-8 bytes.", paramName);
        if (id.Length == 0) throw new InvalidIdException($"The id{RowNote(row, " (row ", ")")} is empty; every item needs an id of 1 to {VectorIndex.MaxIdBytes} UTF-8 bytes.", paramName);
        if (id.Length > VectorIndex.MaxIdBytes) throw TooLong(id.Length, RowNote(row, " (row ", ")"), paramName);
        byte[] utf8;
        try
        {
            utf8 = StrictUtf8.GetBytes(id);
        }
        catch (EncoderFallbackException)
        {
            throw new InvalidIdException($"The id{RowNote(row, " (row ", ")")} contains an unpaired surrogate and cannot be stored as UTF-8; pass valid Unicode text.", paramName);
        }
        if (utf8.Length > VectorIndex.MaxIdBytes) throw TooLong(utf8.Length, RowNote(row, " (row ", ")"), paramName);
        return utf8;
    }

    /// <summary>Checks a payload's length against <see cref="VectorIndex.MaxPayloadBytes"/>.</summary>
    /// <param name="length">The payload's length in bytes.</param>
    /// <param name="paramName">The argument named in the exception.</param>
    /// <exception cref="PayloadTooLargeException">The payload is longer than <see cref="VectorIndex.MaxPayloadBytes"/>.</exception>
    public static void ValidatePayload(long length, string paramName = "payload")
    {
        if (length > VectorIndex.MaxPayloadBytes) throw new PayloadTooLargeException(length, paramName);
    }

    /// <summary>Checks a float vector for an index of <paramref name="dimensions"/> components under <paramref name="metric"/>.</summary>
    /// <param name="vector">The vector.</param>
    /// <param name="dimensions">The index's dimensions.</param>
    /// <param name="metric">The index's metric.</param>
    /// <param name="paramName">The argument named in the exception.</param>
    /// <param name="row">A batch row to name in the message, or -1.</param>
    /// <exception cref="InvalidVectorException">The index stores binary codes; a component is NaN, infinite or beyond ±<see cref="VectorIndex.MaxComponentMagnitude"/>; or, under cosine, the vector has no direction.</exception>
    /// <exception cref="DimensionMismatchException">The vector's length is not <paramref name="dimensions"/>.</exception>
    public static void ValidateVector(ReadOnlySpan<float> vector, int dimensions, Metric metric, string paramName = "vector", int row = -1)
    {
        if (metric == Metric.Hamming) throw WrongKind(dimensions, metric, paramName);
        if (vector.Length != dimensions) throw new DimensionMismatchException(dimensions, vector.Length, "components", paramName);
        // One vectorised pass: the largest magnitude is NaN or infinite when a component is, and the
        // exact loop then names the component.
        float max = MathF.Abs(TensorPrimitives.MaxMagnitude(vector)); // MaxMagnitude keeps the sign
        if (!(max <= VectorIndex.MaxComponentMagnitude))
        {
            for (int i = 0; i < vector.Length; i++)
            {
                if (!float.IsFinite(vector[i]))
                    throw new InvalidVectorException($"Component {i}{RowNote(row, " in row ", "")} is {vector[i]}; vectors must hold finite numbers only (no NaN or infinity).", paramName);
                if (MathF.Abs(vector[i]) > VectorIndex.MaxComponentMagnitude)
                    throw new InvalidVectorException($"Component {i}{RowNote(row, " in row ", "")} is {vector[i]}, beyond ±{VectorIndex.MaxComponentMagnitude:G}, where squared distances would overflow float32; scale your vectors down.", paramName);
            }
        }
        if (metric == Metric.Cosine)
        {
            if (max == 0)
                throw new InvalidVectorException($"The vector{RowNote(row, " in row ", "")} is all zeros, which has no direction under cosine distance; normalise your data or drop zero vectors.", paramName);
            if (TensorPrimitives.SumOfSquares(vector) < 1e-30f)
                throw new InvalidVectorException($"The vector{RowNote(row, " in row ", "")} is so short (length below 1e-15) that its direction is lost to float32 rounding under cosine distance; scale it up or normalise it.", paramName);
        }
    }

    /// <summary>Checks a binary code for an index of <paramref name="dimensions"/> bits (Hamming).</summary>
    /// <param name="code">The code as 64-bit words.</param>
    /// <param name="dimensions">The index's code length in bits.</param>
    /// <param name="metric">The index's metric.</param>
    /// <param name="paramName">The argument named in the exception.</param>
    /// <exception cref="InvalidVectorException">The index stores float vectors.</exception>
    /// <exception cref="DimensionMismatchException">The code does not have <paramref name="dimensions"/>/64 words.</exception>
    public static void ValidateCode(ReadOnlySpan<ulong> code, int dimensions, Metric metric, string paramName = "code")
    {
        if (metric != Metric.Hamming) throw WrongKind(dimensions, metric, paramName);
        if (code.Length != dimensions / 64) throw new DimensionMismatchException(dimensions / 64, code.Length, "64-bit words", paramName);
    }

    /// <summary>The exception for float vectors given to a code index, or codes given to a float index.</summary>
    internal static InvalidVectorException WrongKind(int dimensions, Metric metric, string paramName) => metric == Metric.Hamming
        ? new InvalidVectorException($"This index stores {dimensions}-bit binary codes (Hamming); pass codes as ulong words, not float vectors.", paramName)
        : new InvalidVectorException($"This index stores float vectors ({metric}); binary codes (ulong words) need an index created with Metric.Hamming.", paramName);

    /// <summary>Names a batch row in an error message (built only when throwing: validation runs for every row).</summary>
    private static string RowNote(int row, string before, string after) => row >= 0 ? before + row + after : "";

    private static InvalidIdException TooLong(int length, string where, string paramName) =>
        new($"The id{where} is {length} UTF-8 bytes or more; ids are limited to {VectorIndex.MaxIdBytes} bytes. Use a shorter key, for example a hash of the long one.", paramName);
}

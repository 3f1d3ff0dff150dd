namespace Aknn.Embedded;

/// <summary>A vector or code has the wrong length for the index.</summary>
public sealed class DimensionMismatchException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="expected">Length the index expects.</param>
    /// <param name="actual">Length that was passed.</param>
    /// <param name="unit">"components" or "64-bit words".</param>
    /// <param name="paramName">The argument.</param>
    public DimensionMismatchException(int expected, int actual, string unit, string? paramName)
        : base($"The index expects {expected} {unit} but got {actual}. Pass vectors of the length the index was created with (IndexOptions.Dimensions).", paramName)
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>Length the index expects.</summary>
    public int Expected { get; }

    /// <summary>Length that was passed.</summary>
    public int Actual { get; }
}

/// <summary>
/// A vector cannot be stored or searched: it holds NaN or infinity, it is a zero vector under
/// cosine distance, or it is a float vector given to a binary-code index (or the reverse).
/// </summary>
public sealed class InvalidVectorException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and what to do.</param>
    /// <param name="paramName">The argument.</param>
    public InvalidVectorException(string message, string? paramName) : base(message, paramName) { }
}

/// <summary>An id is null, empty, longer than 512 UTF-8 bytes, or not valid Unicode.</summary>
public sealed class InvalidIdException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and what to do.</param>
    /// <param name="paramName">The argument.</param>
    public InvalidIdException(string message, string? paramName) : base(message, paramName) { }
}

/// <summary>A payload is larger than <see cref="VectorIndex.MaxPayloadBytes"/>.</summary>
public sealed class PayloadTooLargeException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="length">The payload's length in bytes.</param>
    /// <param name="paramName">The argument.</param>
    public PayloadTooLargeException(long length, string? paramName)
        : base($"The payload is {length} bytes; the largest allowed is {VectorIndex.MaxPayloadBytes} bytes (16 MiB). Store large blobs elsewhere and keep a key to them in the payload.", paramName)
    {
        Length = length;
    }

    /// <summary>The rejected payload's length.</summary>
    public long Length { get; }
}

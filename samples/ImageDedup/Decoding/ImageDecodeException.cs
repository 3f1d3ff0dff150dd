namespace ImageDedup.Decoding;

/// <summary>
/// One image could not be decoded (truncated, damaged, not a supported format, too large); the
/// scan reports it by name with this message, does not hash it, and goes on with the others.
/// </summary>
/// <param name="message">Why the image could not be decoded, phrased to follow the file's name.</param>
public sealed class ImageDecodeException(string message) : Exception(message);

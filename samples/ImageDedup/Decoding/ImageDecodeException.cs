namespace ImageDedup.Decoding;

/// <summary>One image could not be decoded; the scan reports it and goes on with the others.</summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why the image could not be decoded.</param>
    /// <param name="interrupted">
    /// Whether the decoder was stopped by a signal (for example the Ctrl+C that also reaches child
    /// processes) rather than failing on the file.
    /// </param>
    public ImageDecodeException(string message, bool interrupted = false) : base(message) => Interrupted = interrupted;

    /// <summary>
    /// Whether the decoder process was stopped by a signal rather than failing on the file; such a
    /// file is not reported as undecodable and is tried again on the next scan.
    /// </summary>
    public bool Interrupted { get; }
}

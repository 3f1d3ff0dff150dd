using System.ComponentModel;
using System.Diagnostics;

namespace ImageDedup.Decoding;

/// <summary>
/// Decodes images by running ImageMagick once per image:
/// <c>convert FILE[0] -auto-orient -colorspace sRGB -depth 8 ppm:-</c> (or <c>magick …</c> with
/// ImageMagick 7), and reading the 8-bit PPM it writes to its standard output.
/// </summary>
/// <remarks>
/// <c>[0]</c> takes the first frame of animations and multi-page files; <c>-auto-orient</c> applies
/// the EXIF orientation, so a photo and its rotated-by-tag copy decode to the same pixels. Each
/// process is limited to one thread (<c>MAGICK_THREAD_LIMIT=1</c>) because the scan runs one
/// process per core already. Instances are thread-safe.
/// </remarks>
public sealed class ImageMagickDecoder
{
    /// <summary>How long one image may take to decode before its process is killed.</summary>
    public static readonly TimeSpan DecodeTimeout = TimeSpan.FromMinutes(2);

    private ImageMagickDecoder(string executable, string version)
    {
        Executable = executable;
        Version = version;
    }

    /// <summary>The full path of the ImageMagick executable in use.</summary>
    public string Executable { get; }

    /// <summary>The first line of the executable's <c>-version</c> output.</summary>
    public string Version { get; }

    /// <summary>
    /// Finds ImageMagick and checks that it runs: <paramref name="executable"/> when given (a path,
    /// or a name looked up on PATH), otherwise <c>magick</c> and then <c>convert</c> on PATH
    /// (only <c>magick</c> on Windows, whose <c>convert.exe</c> is an unrelated system tool).
    /// </summary>
    /// <param name="executable">The executable to use, or null to search PATH.</param>
    /// <exception cref="ImageMagickNotFoundException">ImageMagick was not found or does not run; the message says how to install it.</exception>
    public static ImageMagickDecoder Create(string? executable = null)
    {
        string? path = executable is null ? Locate() : Resolve(executable);
        if (path is null)
        {
            throw new ImageMagickNotFoundException(executable is null
                ? $"ImageMagick was not found: none of {string.Join(", ", CandidateNames.Select(n => $"'{n}'"))} is on PATH. It decodes the images."
                : $"The ImageMagick executable '{executable}' does not exist.");
        }
        return new ImageMagickDecoder(path, Probe(path));
    }

    /// <summary>The full path of ImageMagick on PATH (<c>magick</c>, else <c>convert</c>), or null when it is not installed.</summary>
    public static string? Locate()
    {
        foreach (string name in CandidateNames)
        {
            if (FindOnPath(name) is { } path) return path;
        }
        return null;
    }

    private static string[] CandidateNames => OperatingSystem.IsWindows() ? ["magick"] : ["magick", "convert"];

    private static string? Resolve(string executable)
    {
        bool isPath = Path.IsPathRooted(executable) || executable.Contains(Path.DirectorySeparatorChar) || executable.Contains(Path.AltDirectorySeparatorChar);
        if (!isPath) return FindOnPath(executable);
        string full = Path.GetFullPath(executable);
        return File.Exists(full) ? full : null;
    }

    private static string? FindOnPath(string name)
    {
        string[] extensions = OperatingSystem.IsWindows()
            ? (Environment.GetEnvironmentVariable("PATHEXT") ?? ".EXE").Split(';', StringSplitOptions.RemoveEmptyEntries)
            : [""];
        string[] folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (string folder in folders)
        {
            foreach (string extension in extensions)
            {
                string candidate = Path.Combine(folder, name + extension);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    /// <summary>Runs <c>-version</c> to make sure the executable starts and is ImageMagick.</summary>
    private static string Probe(string path)
    {
        var start = NewStartInfo(path);
        start.ArgumentList.Add("-version");
        string output;
        try
        {
            using var process = Process.Start(start) ?? throw new ImageMagickNotFoundException($"'{path}' could not be started.");
            Task<string> errors = process.StandardError.ReadToEndAsync();
            output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(DecodeTimeout)) process.Kill(entireProcessTree: true);
            errors.Wait();
        }
        catch (Win32Exception e)
        {
            throw new ImageMagickNotFoundException($"'{path}' could not be started: {e.Message}.", e);
        }
        string firstLine = output.Split('\n', 2)[0].Trim();
        if (!output.Contains("ImageMagick", StringComparison.Ordinal))
            throw new ImageMagickNotFoundException($"'{path}' does not look like ImageMagick: its '-version' output does not name it{(firstLine.Length > 0 ? $" ('{firstLine}')" : "")}.");
        return firstLine;
    }

    /// <summary>Decodes the first frame of the image at <paramref name="path"/> into 8-bit sRGB pixels.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="cancellationToken">Kills the ImageMagick process and throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="ImageDecodeException">ImageMagick could not decode the file (the message carries its error).</exception>
    public async Task<DecodedImage> DecodeAsync(string path, CancellationToken cancellationToken = default)
    {
        var start = NewStartInfo(Executable);
        // An absolute path cannot be mistaken for an option (a leading '-') or a format prefix ('png:').
        start.ArgumentList.Add(Path.GetFullPath(path) + "[0]");
        foreach (string argument in (ReadOnlySpan<string>)["-auto-orient", "-colorspace", "sRGB", "-depth", "8", "ppm:-"])
            start.ArgumentList.Add(argument);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DecodeTimeout);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new ImageMagickNotFoundException($"'{Executable}' could not be started: {e.Message}.", e);
        }

        using var kill = timeout.Token.Register(() => KillQuietly(process));
        Task<string> errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        DecodedImage? image = null;
        InvalidDataException? badOutput = null;
        try
        {
            image = await PpmReader.ReadAsync(process.StandardOutput.BaseStream, CancellationToken.None);
        }
        catch (InvalidDataException e)
        {
            badOutput = e;
        }
        catch (IOException e)
        {
            badOutput = new InvalidDataException(e.Message, e);
        }
        finally
        {
            // Drain what is left so the process never blocks on a full pipe, then let it finish.
            await process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        string stderr = (await errors).Trim();
        cancellationToken.ThrowIfCancellationRequested();
        if (timeout.IsCancellationRequested)
            throw new ImageDecodeException($"ImageMagick took longer than {DecodeTimeout.TotalMinutes:0} minutes and was stopped");

        // A complete image is accepted even when ImageMagick also reported a warning (a truncated
        // JPEG, an unknown EXIF tag) and exited with a non-zero code.
        if (image is not null) return image;
        if (KilledBySignal(process.ExitCode))
            throw new ImageDecodeException($"ImageMagick was stopped by a signal (exit code {process.ExitCode})", interrupted: true);
        string reason = FirstLine(stderr) ?? badOutput?.Message ?? $"ImageMagick exited with code {process.ExitCode}";
        throw new ImageDecodeException(reason);
    }

    private static ProcessStartInfo NewStartInfo(string executable)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        start.Environment["MAGICK_THREAD_LIMIT"] = "1";
        return start;
    }

    private static void KillQuietly(Process process)
    {
        try { process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { } // already exited
        catch (Win32Exception) { }
    }

    /// <summary>On Unix a process ended by signal N reports 128 + N: SIGINT (Ctrl+C), SIGKILL, SIGTERM.</summary>
    private static bool KilledBySignal(int exitCode) => !OperatingSystem.IsWindows() && exitCode is 130 or 137 or 143;

    private static string? FirstLine(string text)
    {
        if (text.Length == 0) return null;
        string line = text.Split('\n', 2)[0].Trim();
        // ImageMagick prefixes its messages with the program's name ("convert-im6.q16: ...").
        int colon = line.IndexOf(": ", StringComparison.Ordinal);
        if (colon > 0 && !line[..colon].Contains(' ')) line = line[(colon + 2)..];
        // ... and ends them with the source location (" @ error/jpeg.c/ReadJPEGImage/1174.").
        int at = line.LastIndexOf(" @ ", StringComparison.Ordinal);
        return at > 0 ? line[..at] : line;
    }
}

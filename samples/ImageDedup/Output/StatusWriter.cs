using System.Diagnostics;
using System.Globalization;
using ImageDedup.Scanning;

namespace ImageDedup.Output;

/// <summary>
/// Writes progress and warnings to standard error: a progress bar redrawn in place when standard
/// error is a terminal and the step takes more than half a second, otherwise a plain line every
/// ten seconds (so logs stay readable). Thread-safe.
/// </summary>
public sealed class StatusWriter : IProgress<ScanProgress>
{
    private static readonly TimeSpan BarDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan BarInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(10);
    private const int BarWidth = 30;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly TextWriter _error;
    private readonly bool _terminal;
    private readonly bool _quiet;
    private readonly Lock _lock = new();
    private readonly Stopwatch _phaseClock = new();
    private string? _phase;
    private TimeSpan _lastDrawn;
    private int _barLength; // characters of the bar now on screen, 0 when none

    /// <summary>Creates the writer.</summary>
    /// <param name="error">Standard error.</param>
    /// <param name="isTerminal">Whether standard error is a terminal (draw a bar) or a file or pipe (plain lines).</param>
    /// <param name="quiet">Show neither progress nor warnings.</param>
    public StatusWriter(TextWriter error, bool isTerminal, bool quiet)
    {
        _error = error;
        _terminal = isTerminal;
        _quiet = quiet;
    }

    /// <summary>Shows progress, throttled.</summary>
    /// <param name="value">The progress.</param>
    public void Report(ScanProgress value)
    {
        if (_quiet) return;
        lock (_lock)
        {
            if (value.Phase != _phase)
            {
                _phase = value.Phase;
                _phaseClock.Restart();
                _lastDrawn = TimeSpan.Zero;
            }
            TimeSpan now = _phaseClock.Elapsed;
            if (_terminal)
            {
                if (now < BarDelay || now - _lastDrawn < BarInterval) return;
                _lastDrawn = now;
                DrawBar(value);
            }
            else if (now - _lastDrawn >= LineInterval)
            {
                _lastDrawn = now;
                _error.WriteLine(Describe(value));
            }
        }
    }

    /// <summary>Writes a warning on its own line (unless quiet).</summary>
    /// <param name="message">The warning, without a "warning:" prefix.</param>
    public void Warn(string message)
    {
        if (_quiet) return;
        lock (_lock)
        {
            EraseBar();
            _error.WriteLine("warning: " + message);
        }
    }

    /// <summary>Removes the progress bar, if one is shown, before other output.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            EraseBar();
            _phase = null;
        }
    }

    private void DrawBar(ScanProgress value)
    {
        string text;
        if (value.Total > 0)
        {
            double fraction = Math.Clamp((double)value.Done / value.Total, 0, 1);
            int filled = (int)(fraction * BarWidth);
            text = string.Create(Invariant, $"{value.Phase,-8} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {fraction * 100,3:0}% {value.Done:N0}/{value.Total:N0}");
        }
        else
        {
            text = Describe(value);
        }
        _error.Write('\r' + text.PadRight(_barLength));
        _error.Flush();
        _barLength = text.Length;
    }

    private void EraseBar()
    {
        if (_barLength == 0) return;
        _error.Write('\r' + new string(' ', _barLength) + '\r');
        _error.Flush();
        _barLength = 0;
    }

    private static string Describe(ScanProgress value) => value switch
    {
        { Phase: "listing" } => string.Create(Invariant, $"listing: {value.Done:N0} image files found"),
        { Phase: "hashing" } => string.Create(Invariant, $"hashing: {value.Done:N0} of {value.Total:N0} files ({Percent(value)})"),
        _ => $"{value.Phase}: {Percent(value)}",
    };

    private static string Percent(ScanProgress value) =>
        value.Total > 0 ? string.Create(Invariant, $"{100.0 * value.Done / value.Total:0}%") : "?";
}

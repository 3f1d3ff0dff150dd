namespace Aknn.Embedded.BrowserTests.Support;

/// <summary>
/// Where the system's Chromium is. Playwright's own browser download is not used (it cannot be
/// fetched offline): the tests drive the distribution's build through <c>ExecutablePath</c>.
/// </summary>
internal static class Chromium
{
    /// <summary>Names an executable to use instead of the usual places.</summary>
    public const string EnvironmentVariable = "AKNN_CHROMIUM";

    // Debian's package installs /usr/bin/chromium (a launcher script); other distributions use
    // chromium-browser, and Google's build google-chrome.
    private static readonly string[] Candidates =
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ];

    private static readonly Lazy<string?> Found = new(Locate);

    /// <summary>The executable, or null when none was found.</summary>
    public static string? ExecutablePath => Found.Value;

    /// <summary>Why the browser tests cannot run here, or null when a Chromium was found.</summary>
    public static string? MissingReason => ExecutablePath is null
        ? $"no Chromium found (looked at {string.Join(", ", Candidates)} and ${EnvironmentVariable}); "
          + "install it with 'apt-get install chromium' (.ci/run does). The HTML report is still covered by the AngleSharp parsing tests."
        : null;

    private static string? Locate()
    {
        string? chosen = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(chosen)) return File.Exists(chosen) ? chosen : null;
        return Candidates.FirstOrDefault(File.Exists);
    }
}

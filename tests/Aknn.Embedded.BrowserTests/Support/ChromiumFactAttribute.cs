namespace Aknn.Embedded.BrowserTests.Support;

/// <summary>
/// A fact that drives a real Chromium: skipped, with the install command as the reason, where no
/// Chromium executable exists. (xunit 2 has no dynamic skip, so this is decided at discovery.) A
/// Chromium that exists but fails to start makes the test fail, not skip.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when no Chromium is installed.</summary>
    public ChromiumFactAttribute()
    {
        if (Chromium.MissingReason is { } why) Skip = why;
    }
}

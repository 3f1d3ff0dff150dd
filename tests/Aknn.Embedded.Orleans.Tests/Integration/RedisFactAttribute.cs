namespace Aknn.Embedded.Orleans.Tests.Integration;

/// <summary>A fact that needs <c>redis-server</c> on PATH; skipped, saying so, where it is not installed.</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisServerPath is null)
            Skip = "redis-server is not on PATH: install it (Debian: apt-get install redis-server; .ci/run does) to run the Redis membership test.";
    }

    /// <summary>The full path of <c>redis-server</c> found on PATH, or null.</summary>
    public static string? RedisServerPath { get; } = FindOnPath("redis-server");

    private static string? FindOnPath(string program)
    {
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}

namespace Aknn.Embedded.Orleans;

/// <summary>
/// A shard could not be reached: the silo that holds its files is down, not yet back, or did not
/// answer in time. Nothing was applied by the failed call on that shard.
/// </summary>
[GenerateSerializer]
public sealed class ShardUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="shard">The shard number.</param>
    /// <param name="silo">The name of the silo that holds the shard.</param>
    /// <param name="message">What happened and what to do.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public ShardUnavailableException(int shard, string silo, string message, Exception? inner = null) : base(message, inner)
    {
        Shard = shard;
        Silo = silo;
    }

    /// <summary>The shard number (0 to shard count − 1).</summary>
    [Id(0)]
    public int Shard { get; }

    /// <summary>The name of the silo that holds the shard's files.</summary>
    [Id(1)]
    public string Silo { get; }
}

using Aknn.Embedded.Orleans.Hosting;
using Orleans.TestingHost;

namespace Aknn.Embedded.Orleans.Tests.Support;

/// <summary>
/// An in-process Orleans cluster of three silos, each with its own data folder under one temp
/// folder (deleted on dispose), and the shard maps in a folder they share.
/// </summary>
public sealed class ShardCluster : IAsyncLifetime
{
    /// <summary>A cluster in a new temp folder (the class fixture).</summary>
    public ShardCluster() : this(Path.Combine(Path.GetTempPath(), "aknn-orleans-tests", Guid.NewGuid().ToString("N")), deleteOnDispose: true)
    {
    }

    /// <summary>A cluster on the folders of <paramref name="root"/>, as a restarted cluster finds them.</summary>
    internal ShardCluster(string root, bool deleteOnDispose)
    {
        Root = root;
        _deleteOnDispose = deleteOnDispose;
    }

    private readonly bool _deleteOnDispose;

    public string Root { get; }

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    /// <summary>The data folder of the silo named <paramref name="siloName"/>.</summary>
    public string DataFolder(string siloName) => Path.Combine(Root, "silos", siloName);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false;
        string root = Root;
        builder.ConfigureSilo((options, silo) =>
        {
            silo.AddAknnShards(Path.Combine(root, "silos", options.SiloName));
            silo.AddAknnShardMapFileStorage(Path.Combine(root, "maps"));
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }
        finally
        {
            try { if (_deleteOnDispose) Directory.Delete(Root, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}

using Aknn.Embedded.Orleans.Placement;
using Aknn.Embedded.Orleans.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;

namespace Aknn.Embedded.Orleans.Hosting;

/// <summary>Registers shard hosting on an Orleans silo.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>
    /// Lets this silo host shards of <see cref="ShardedCollection"/>s: their files go under
    /// <paramref name="dataFolder"/>, and the shard placement keeps each shard on the silo that holds
    /// its files. The silo also needs a grain storage provider named
    /// <see cref="ShardHostOptions.MapStorageName"/> for the shard maps (for example
    /// <see cref="AddAknnShardMapFileStorage"/>, or Redis or ADO.NET storage under that name).
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="dataFolder">This silo's data folder (kept across restarts).</param>
    /// <param name="configure">Optional changes to the other options.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddAknnShards(this ISiloBuilder builder, string dataFolder, Func<ShardHostOptions, ShardHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(dataFolder);
        var options = new ShardHostOptions { DataFolder = Path.GetFullPath(dataFolder) };
        if (configure is not null) options = configure(options);
        builder.Services.AddSingleton(options);
        builder.AddPlacementDirector<ShardPlacementStrategy, ShardPlacementDirector>();
        return builder;
    }

    /// <summary>
    /// Keeps the shard maps in files under <paramref name="folder"/>, which every silo of the cluster
    /// must see (one machine, or a shared folder). For silos on several machines use a shared store
    /// instead (Redis or ADO.NET grain storage named <see cref="ShardHostOptions.MapStorageName"/>).
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="folder">The shared folder for the maps.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddAknnShardMapFileStorage(this ISiloBuilder builder, string folder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        string full = Path.GetFullPath(folder);
        builder.Services.AddGrainStorage(ShardHostOptions.MapStorageName, (sp, _) => new FileGrainStorage(full, sp.GetRequiredService<Serializer>()));
        return builder;
    }
}

using Aknn.Embedded.Orleans.Contracts;
using Aknn.Embedded.Orleans.Routing;
using Orleans.Runtime.Placement;

namespace Aknn.Embedded.Orleans.Placement;

/// <summary>
/// Chooses the silo of a new shard activation from the shard map in grain storage: the silo whose
/// name the map records for the shard. When that silo is not in the cluster, the activation fails
/// with <see cref="ShardUnavailableException"/> instead of landing on another silo, whose disk does
/// not hold the shard's files (an empty shard there would answer searches wrongly and later
/// collide with the real one).
/// </summary>
internal sealed class ShardPlacementDirector(IGrainFactory grains, IClusterMembershipService membership) : IPlacementDirector
{
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var (collection, shard, transferSilo) = ShardRouter.Parse(target.GrainIdentity.Key.ToString()!);
        string silo;
        if (transferSilo is not null)
        {
            silo = transferSilo;
        }
        else
        {
            ShardMapState map = await grains.GetGrain<IShardMapGrain>(collection).Get()
                ?? throw new InvalidOperationException($"There is no collection '{collection}': create it with ShardedCollection.CreateAsync first.");
            silo = map.Owners[shard];
        }

        var members = membership.CurrentSnapshot.Members;
        foreach (SiloAddress candidate in context.GetCompatibleSilos(target))
        {
            if (members.TryGetValue(candidate, out ClusterMember? member) && member.Status == SiloStatus.Active && member.Name == silo)
                return candidate;
        }
        throw new ShardUnavailableException(shard, silo,
            $"Shard {shard} of collection '{collection}' lives on silo '{silo}', which is not active in the cluster. " +
            "Restart that silo with the same name and data folder to bring the shard back (its files are on that silo's disk).");
    }
}

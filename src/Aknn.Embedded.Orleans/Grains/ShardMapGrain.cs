using Aknn.Embedded.Orleans.Contracts;
using Aknn.Embedded.Orleans.Hosting;

namespace Aknn.Embedded.Orleans.Grains;

/// <summary>Keeps one collection's shard map in grain storage and assigns shards to silos at creation.</summary>
internal sealed class ShardMapGrain(
    [PersistentState("map", ShardHostOptions.MapStorageName)] IPersistentState<ShardMapState> state,
    IClusterMembershipService membership) : Grain, IShardMapGrain
{
    public async Task<ShardMapState> Create(CollectionSpec spec)
    {
        if (state.RecordExists && state.State.Spec is { } existing)
        {
            if (existing != spec)
                throw new InvalidOperationException(
                    $"The collection '{spec.Name}' already exists with {existing.ShardCount} shards of {existing.Dimensions}-dimensional {existing.Metric} data ({existing.ModelKind}); " +
                    "open it with ShardedCollection.OpenAsync, or create the new one under another name.");
            return state.State;
        }
        string[] silos = await ActiveSilos();
        if (silos.Length == 0) throw new InvalidOperationException("No silo is active: start at least one silo before creating a collection.");
        // Round-robin over the silos sorted by name: shards spread evenly, and the same cluster gives the same map.
        state.State = new ShardMapState
        {
            Spec = spec,
            Owners = Enumerable.Range(0, spec.ShardCount).Select(i => silos[i % silos.Length]).ToArray(),
            Version = 1,
        };
        await state.WriteStateAsync();
        return state.State;
    }

    public Task<ShardMapState?> Get() => Task.FromResult(state.RecordExists ? state.State : null);

    public async Task SetOwner(int shard, string silo)
    {
        if (!state.RecordExists) throw new InvalidOperationException($"There is no collection '{this.GetPrimaryKeyString()}'.");
        string[] owners = (string[])state.State.Owners.Clone();
        owners[shard] = silo;
        state.State = new ShardMapState { Spec = state.State.Spec, Owners = owners, Version = state.State.Version + 1 };
        await state.WriteStateAsync();
    }

    public Task<string[]> ActiveSilos() => Task.FromResult(
        membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.Name)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray());
}

using Aknn.Embedded.Orleans.Contracts;
using Aknn.Embedded.Orleans.Hosting;
using Aknn.Embedded.Orleans.Placement;
using Aknn.Embedded.Orleans.Routing;

namespace Aknn.Embedded.Orleans.Grains;

/// <summary>
/// Runs on the silo a shard moves to (placed there by its key) and pulls the shard's files from the
/// old owner chunk by chunk, so the data goes straight from silo to silo, not through the caller.
/// </summary>
[ShardPlacement]
internal sealed class ShardTransferGrain(ShardHostOptions host, IGrainFactory grains) : Grain, IShardTransferGrain
{
    public async Task<long> Pull(string[] files)
    {
        var (collection, shard, _) = ShardRouter.Parse(this.GetPrimaryKeyString());
        string folder = ShardRouter.ShardFolder(host.DataFolder, collection, shard);
        string incoming = folder + ".incoming";
        if (Directory.Exists(incoming)) Directory.Delete(incoming, recursive: true);
        Directory.CreateDirectory(incoming);
        IShardGrain source = grains.GetGrain<IShardGrain>(ShardRouter.ShardKey(collection, shard));
        long total = 0;
        foreach (string name in files)
        {
            await using var output = new FileStream(Path.Combine(incoming, name), FileMode.CreateNew, FileAccess.Write);
            long offset = 0;
            while (true)
            {
                FileChunk chunk = await source.ReadFile(name, offset, host.TransferChunkBytes);
                await output.WriteAsync(chunk.Data);
                offset += chunk.Data.Length;
                if (chunk.Last) break;
            }
            output.Flush(flushToDisk: true);
            total += offset;
        }
        // The folder appears under its real name only when complete, so a half-copied shard is never opened.
        if (Directory.Exists(folder))
        {
            if (VectorIndex.Exists(folder))
                throw new InvalidOperationException($"The target silo already holds an index for shard {shard} of '{collection}' at '{folder}'; move or delete that folder before moving the shard here.");
            Directory.Delete(folder, recursive: true);
        }
        Directory.Move(incoming, folder);
        DeactivateOnIdle();
        return total;
    }
}

using System.IO.Hashing;
using System.Text;
using Orleans.Serialization;
using Orleans.Storage;

namespace Aknn.Embedded.Orleans.Storage;

/// <summary>
/// Grain storage in files of one folder, written atomically (temp file, flush, rename). It keeps the
/// shard maps of a cluster whose silos share that folder (one machine, or a network share); Orleans'
/// memory storage would not do, because it lives in grains that die with their silo.
/// </summary>
internal sealed class FileGrainStorage(string folder, Serializer serializer) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        string path = PathOf(stateName, grainId);
        if (File.Exists(path))
        {
            grainState.State = serializer.Deserialize<T>(File.ReadAllBytes(path));
            grainState.RecordExists = true;
            grainState.ETag = File.GetLastWriteTimeUtc(path).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        Directory.CreateDirectory(folder);
        string path = PathOf(stateName, grainId);
        string temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(serializer.SerializeToArray(grainState.State));
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        grainState.RecordExists = true;
        grainState.ETag = File.GetLastWriteTimeUtc(path).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        File.Delete(PathOf(stateName, grainId));
        grainState.RecordExists = false;
        grainState.ETag = null;
        return Task.CompletedTask;
    }

    /// <summary>A file name from the grain id: a readable, sanitised prefix plus a hash of the full key, so that two keys never share a file.</summary>
    private string PathOf(string stateName, GrainId grainId)
    {
        string key = stateName + "_" + grainId;
        var readable = new StringBuilder();
        foreach (char c in key.Length > 80 ? key[..80] : key) readable.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        ulong hash = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(key));
        return Path.Combine(folder, $"{readable}_{hash:x16}.state");
    }
}

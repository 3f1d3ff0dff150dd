using Microsoft.Extensions.Hosting;

namespace Aknn.Perf.Workloads;

/// <summary>
/// A host lifetime that takes no signals. The default console lifetime of the cluster workload's
/// Orleans client host would catch Ctrl+C and SIGTERM and only stop the host, leaving the harness
/// running; with this one they end the program as usual, and <see cref="LocalSilos"/>' exit hooks
/// kill the silo processes and delete the temporary folders.
/// </summary>
internal sealed class PlainLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

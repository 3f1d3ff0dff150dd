namespace Aknn.Perf.Peers;

/// <summary>
/// Runs <c>peers/faiss_peer.py</c> (float vectors) or <c>peers/faiss_binary_peer.py</c> (binary
/// codes), FAISS from Debian's python3-faiss, single-threaded, on the same data files and relays the
/// RESULT lines it prints.
/// </summary>
internal static class FaissPeer
{
    public static List<ResultRow> Run(PerfContext ctx, string mode, params string[] args) => RunScript(ctx, "faiss_peer.py", mode, args);

    /// <summary>Runs <c>peers/faiss_binary_peer.py</c>.</summary>
    public static List<ResultRow> RunBinary(PerfContext ctx, string mode, params string[] args) => RunScript(ctx, "faiss_binary_peer.py", mode, args);

    /// <summary>One thread, as for the library: FAISS reads these before it starts its OpenMP pool.</summary>
    private static readonly Dictionary<string, string> OneThread = new()
    {
        ["OMP_NUM_THREADS"] = "1",
        ["OPENBLAS_NUM_THREADS"] = "1",
    };

    private static List<ResultRow> RunScript(PerfContext ctx, string scriptName, string mode, string[] args) =>
        PythonPeer.Run(ctx, "faiss", scriptName, mode, args, OneThread);
}

using System.Net;
using System.Net.Sockets;

namespace Aknn.Embedded.Orleans.Tests.Integration;

/// <summary>Free TCP ports on 127.0.0.1, as the operating system hands them out, never the same one twice per process.</summary>
internal static class LocalPorts
{
    private static readonly HashSet<int> Handed = [];

    /// <summary>A free port.</summary>
    public static int Free() => FreeWithPartner(offset: 0);

    /// <summary>
    /// A free port P such that P + <paramref name="offset"/> is free too (the sample's silos listen on
    /// their port and on port + 1000 for the gateway). Offset 0 asks for one port only.
    /// </summary>
    public static int FreeWithPartner(int offset)
    {
        lock (Handed)
        {
            for (int attempt = 0; attempt < 200; attempt++)
            {
                using var first = new TcpListener(IPAddress.Loopback, 0);
                first.Start();
                int port = ((IPEndPoint)first.LocalEndpoint).Port;
                if (Handed.Contains(port) || (offset != 0 && (port + offset > IPEndPoint.MaxPort || Handed.Contains(port + offset) || !IsFree(port + offset))))
                    continue;
                Handed.Add(port);
                if (offset != 0) Handed.Add(port + offset);
                return port;
            }
        }
        throw new InvalidOperationException($"Found no free pair of TCP ports {offset} apart on 127.0.0.1 in 200 attempts.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

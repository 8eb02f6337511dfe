using SocketKit.Transport.ProxyProtocol;
using SocketKit.Transport.Tls;

namespace SocketKit.Transport.Connections;

/// <summary>
/// The one place a connection's byte layers are composed from the server's options, wire first: the PROXY header
/// (<see cref="ServerOptions.ProxyHeaderBytes"/>), TLS (<see cref="ServerOptions.Tls"/>), then the options' own
/// (<see cref="ServerOptions.ByteLayers"/>), next to the handler. Every engine's connections get theirs here.
/// </summary>
internal static class ConnectionLayers
{
    /// <summary>The layers of a connection just accepted; empty (and allocation-free) for plain bytes.</summary>
    /// <param name="options">The server's options.</param>
    /// <param name="accepted">The connection as accepted.</param>
    /// <param name="logger">Where the layers log (the PROXY header's relays and refusals).</param>
    public static ByteLayer[] Compose(ServerOptions options, ConnectionInfo accepted, ILogger logger)
    {
        int count = (options.ProxyHeaderBytes is null ? 0 : 1) + (options.Tls is null ? 0 : 1) + options.ByteLayers.Count;
        if (count == 0)
        {
            return [];
        }
        var layers = new ByteLayer[count];
        int next = 0;
        if (options.ProxyHeaderBytes is int maxHeaderBytes)
        {
            layers[next++] = new ProxyHeaderLayer(new ProxyPreamble(accepted, logger, maxHeaderBytes));
        }
        if (options.Tls is { } tls)
        {
            layers[next++] = TlsLayer.ForServer(tls);
        }
        for (int i = 0; i < options.ByteLayers.Count; i++)
        {
            layers[next++] = options.ByteLayers[i](accepted);
        }
        return layers;
    }
}

using System.Globalization;

namespace SocketKit.Diagnostics.SocketTable;

/// <summary>Formats socket addresses as ss does: 127.0.0.1:65432, [::1]:65432, and * for port 0.</summary>
internal static class SocketAddresses
{
    public static string Format(IPAddress address, int port)
    {
        string host = address.AddressFamily == AddressFamily.InterNetworkV6
            ? (address.IsIPv4MappedToIPv6 ? $"[::ffff:{address.MapToIPv4()}]" : $"[{address}]")
            : address.ToString();
        return $"{host}:{(port == 0 ? "*" : port.ToString(CultureInfo.InvariantCulture))}";
    }
}

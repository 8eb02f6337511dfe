namespace SocketKit.Diagnostics.Netcat;

/// <summary>Which way bytes went through a <see cref="NetcatConnection"/>.</summary>
public enum NetcatDirection
{
    /// <summary>From the input to the peer.</summary>
    Sent,

    /// <summary>From the peer to the output.</summary>
    Received,
}

namespace SocketKit.Logging;

/// <summary>
/// The ids of the events that carry a server's request and response content (as a bounded preview). They are logged at
/// Debug, so a server's logs hold no request content unless asked for; the command line shows them at its default level,
/// as the tutorial's programs print them.
/// </summary>
public static class ContentLogEvents
{
    /// <summary>"Received request ... on connection N".</summary>
    public const int RequestReceived = 8;

    /// <summary>"Sending response ... on connection N".</summary>
    public const int ResponseSending = 9;

    /// <summary>Whether an event is one of these.</summary>
    public static bool Contains(int eventId) => eventId is RequestReceived or ResponseSending;
}

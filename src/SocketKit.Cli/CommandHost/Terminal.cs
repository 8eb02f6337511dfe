namespace SocketKit.Cli.CommandHost;

/// <summary>Whether output goes to a person's terminal, which alone gets colour (and honours NO_COLOR, TERM=dumb).</summary>
internal static class Terminal
{
    public static bool IsColourTerminal(TextWriter writer) =>
        ReferenceEquals(writer, Console.Out)
        && !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && Environment.GetEnvironmentVariable("TERM") != "dumb";
}

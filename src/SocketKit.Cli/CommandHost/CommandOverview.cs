namespace SocketKit.Cli.CommandHost;

/// <summary>What `socketkit` alone prints: the commands grouped by what they are for, one line each.</summary>
internal static class CommandOverview
{
    /// <summary>One line each; a command's help starts with a paragraph, too long for a list.</summary>
    private static readonly Dictionary<string, string> Summaries = new()
    {
        ["tour"] = "A guided run of the whole tutorial on 127.0.0.1, in one command.",
        ["echo-server"] = "The tutorial's echo-server.py: sends back every byte it receives.",
        ["echo-client"] = "The tutorial's echo-client.py: sends a message, checks the echo.",
        ["multiconn-server"] = "The tutorial's multiconn-server.py: one thread, a readiness loop.",
        ["multiconn-client"] = "The tutorial's multiconn-client.py: several connections on one loop.",
        ["app-server"] = "The tutorial's app-server.py: the framed application protocol.",
        ["app-client"] = "The tutorial's app-client.py: one request, its answer.",
        ["ping"] = "Is the host there (ICMP), and is the server listening (--tcp)?",
        ["netstat"] = "This machine's sockets, their states and queues, as netstat and ss (alias ss).",
        ["diagnose"] = "Why can a client not talk to a server? Every step checked, one verdict.",
        ["trace"] = "A relay that prints every protocol message crossing it; --pcap for Wireshark.",
        ["explain"] = "What a socket error means and what to check: ECONNREFUSED, 111, 10061, a pasted line.",
        ["nc"] = "Netcat (ncat): standard input to a socket, the socket to standard output, byte for byte.",
        ["bench"] = "Load an echo or app server: throughput, latency percentiles, CPU per request.",
    };

    private static readonly (string Title, string[] Commands)[] Groups =
    [
        ("Start here", ["tour"]),
        ("The tutorial's programs", ["echo-server", "echo-client", "multiconn-server", "multiconn-client", "app-server", "app-client"]),
        ("Troubleshooting", ["diagnose", "ping", "netstat", "trace", "explain", "nc"]),
        ("Load", ["bench"]),
    ];

    public static void Write(Command root, TextWriter output)
    {
        output.WriteLine("socketkit: the programs of the \"Socket Programming in Python\" tutorial, in C#, and tools to troubleshoot connections.");
        Command[] visible = [.. root.Subcommands.Where(c => !c.Hidden)];
        int width = visible.Select(c => c.Name.Length).DefaultIfEmpty(0).Max() + 2;
        var listed = new HashSet<string>();
        foreach ((string title, string[] names) in Groups)
        {
            WriteGroup(output, title, visible.Where(c => names.Contains(c.Name)).OrderBy(c => Array.IndexOf(names, c.Name)), width, listed);
        }
        // A command added later without a group still shows.
        WriteGroup(output, "Other", visible.Where(c => !listed.Contains(c.Name)), width, listed);
        output.WriteLine();
        output.WriteLine("Run 'socketkit COMMAND --help' for a command's arguments and examples, 'socketkit --help' for the options every command takes.");
    }

    private static void WriteGroup(TextWriter output, string title, IEnumerable<Command> commands, int width, HashSet<string> listed)
    {
        Command[] group = [.. commands];
        if (group.Length == 0)
        {
            return;
        }
        output.WriteLine();
        output.WriteLine($"{title}:");
        foreach (Command command in group)
        {
            listed.Add(command.Name);
            string summary = Summaries.TryGetValue(command.Name, out string? said) ? said
                : (command.Description ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
            output.WriteLine($"  {command.Name.PadRight(width)}{summary}");
        }
    }
}

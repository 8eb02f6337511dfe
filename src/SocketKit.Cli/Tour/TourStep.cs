namespace SocketKit.Cli.Tour;

/// <summary>One step of the tour: what it shows, and the tutorial section it sends the reader to.</summary>
/// <param name="Title">The heading the step prints.</param>
/// <param name="Section">The tutorial section's title, as the tutorial writes it.</param>
/// <param name="Anchor">The section's anchor on the tutorial's page.</param>
internal sealed record TourStep(string Title, string Section, string Anchor)
{
    /// <summary>The tutorial the tour follows.</summary>
    public const string Tutorial = "https://realpython.com/python-sockets/";

    /// <summary>The section's address.</summary>
    public string Url => $"{Tutorial}#{Anchor}";
}

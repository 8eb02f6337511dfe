namespace SocketKit.Cli.OptionGroups;

/// <summary>
/// Options a command adds together and reads together into one value: every group has this shape, so a command
/// is a list of groups (created with <c>new</c>, added with <see cref="AddTo"/>, read with <see cref="Read"/>).
/// </summary>
/// <typeparam name="T">What the group's options mean together, e.g. a library options record.</typeparam>
internal interface IOptionGroup<out T>
{
    /// <summary>Adds the group's options (and their validators) to <paramref name="command"/>.</summary>
    void AddTo(Command command);

    /// <summary>What the options say on this command line.</summary>
    T Read(ParseResult result);
}

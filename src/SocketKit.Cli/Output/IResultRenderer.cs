namespace SocketKit.Cli.Output;

/// <summary>
/// Writes a command's result for one reader: every command that prints a result has a text renderer (for a person)
/// and, with <c>--json</c>, a JSON renderer (for a script), both reading the same result object, so the two say
/// the same facts and a renderer is tested without a socket.
/// </summary>
/// <typeparam name="T">The command's result.</typeparam>
internal interface IResultRenderer<in T>
{
    /// <summary>The whole of stdout for <paramref name="result"/>, every line ended by a newline.</summary>
    string Render(T result);
}

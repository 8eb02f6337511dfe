using System.CommandLine.Parsing;

namespace SocketKit.Cli.CommandHost;

/// <summary>
/// A validator that reads a value the parser could not convert gets an exception, not the value, and the parser
/// lets it escape as a crash. The conversion's own error already says what is wrong, so a validator that meets
/// one steps aside. Applied to the whole tree, so validators added later are covered too.
/// </summary>
internal static class ValidatorGuard
{
    public static void Apply(Command command)
    {
        Wrap(command.Validators);
        foreach (Option option in command.Options)
        {
            Wrap(option.Validators);
        }
        foreach (Argument argument in command.Arguments)
        {
            Wrap(argument.Validators);
        }
        foreach (Command subcommand in command.Subcommands)
        {
            Apply(subcommand);
        }
    }

    private static void Wrap<T>(List<Action<T>> validators) where T : SymbolResult
    {
        Action<T>[] original = [.. validators];
        validators.Clear();
        foreach (Action<T> validate in original)
        {
            validators.Add(result =>
            {
                try
                {
                    validate(result);
                }
                catch (InvalidOperationException)
                {
                    // GetValue throws this for a value that did not convert, and that value reports its own error.
                }
            });
        }
    }
}

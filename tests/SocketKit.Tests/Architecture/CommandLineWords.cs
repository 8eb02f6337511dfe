using System.CommandLine;
using System.Text.RegularExpressions;
using Mono.Cecil;
using Mono.Cecil.Cil;
using SocketKit.Cli;
using SocketKit.Cli.CommandHost;

namespace SocketKit.Tests.Architecture;

/// <summary>One string of compiled code that names a piece of the command line: where it is, the string, and the word.</summary>
public sealed record CommandLineWord(string Where, string Text, string Word);

/// <summary>
/// The command line's words, taken from the CLI's own command tree: every command as "socketkit NAME" (and its
/// aliases), every long option of every command ("--tls-ca"), and the short aliases of the options every command
/// takes ("-v", "-q"). A command's own short aliases ("-l", "-t") are not words of socketkit's alone ("ls -l", "ss -t"),
/// so they are left out; a command's long name is. Finds them in every string a module compiles in: literals in method
/// bodies (ldstr), constants of fields and parameters, and the arguments of attributes.
/// </summary>
public sealed partial class CommandLineWords
{
    private readonly Regex _commands;
    private readonly Regex _options;

    private CommandLineWords(IEnumerable<string> commands, IEnumerable<string> options)
    {
        _commands = new Regex($@"\bsocketkit\s+({Alternation(commands)})(?![\w-])", RegexOptions.CultureInvariant);
        _options = new Regex($@"(?<![\w-])({Alternation(options)})(?![\w-])", RegexOptions.CultureInvariant);
    }

    /// <summary>The command names, as "socketkit NAME" would spell them.</summary>
    public IReadOnlyList<string> Commands { get; private init; } = [];

    /// <summary>The options, as typed ("--tls-ca", "-v").</summary>
    public IReadOnlyList<string> Options { get; private init; } = [];

    /// <summary>The words of socketkit's command tree as <see cref="SocketKitCli.Build"/> makes it.</summary>
    public static CommandLineWords FromCli()
    {
        Command root = SocketKitCli.Build(new CliContext(TextWriter.Null, TextWriter.Null));
        var commands = new SortedSet<string>(StringComparer.Ordinal);
        var options = new SortedSet<string>(StringComparer.Ordinal);
        void Walk(Command command, bool isRoot)
        {
            if (!isRoot)
            {
                commands.Add(command.Name);
                commands.UnionWith(command.Aliases);
            }
            foreach (Option option in command.Options)
            {
                foreach (string name in option.Aliases.Prepend(option.Name))
                {
                    // Long names of every option; short ones ("-v") only of the options every command takes.
                    if (name.StartsWith("--", StringComparison.Ordinal) || (name.StartsWith('-') && (isRoot || option.Recursive)))
                    {
                        options.Add(name);
                    }
                }
            }
            foreach (Command sub in command.Subcommands)
            {
                Walk(sub, isRoot: false);
            }
        }
        Walk(root, isRoot: true);
        return Of(commands, options);
    }

    /// <summary>Words of a given command line, for a fixture.</summary>
    public static CommandLineWords Of(IEnumerable<string> commands, IEnumerable<string> options) =>
        new([.. commands], [.. options]) { Commands = [.. commands], Options = [.. options] };

    /// <summary>Every command-line word in a string the module compiles in, with where the string is.</summary>
    public IEnumerable<CommandLineWord> In(ModuleDefinition module, Func<TypeDefinition, bool>? which = null)
    {
        foreach (TypeDefinition type in module.GetTypes().Where(which ?? (_ => true)))
        {
            foreach ((string where, string text) in Strings(type))
            {
                foreach (Match match in _commands.Matches(text).Concat(_options.Matches(text)))
                {
                    yield return new CommandLineWord(where, text, match.Value);
                }
            }
        }
    }

    /// <summary>
    /// Every command-line word in an XML documentation file (what IntelliSense shows a library's user): the text of each
    /// member's documentation, with the member's id.
    /// </summary>
    public IEnumerable<CommandLineWord> InDocumentation(string xmlPath)
    {
        foreach (System.Xml.Linq.XElement member in System.Xml.Linq.XDocument.Load(xmlPath).Descendants("member"))
        {
            // Text and the cref/name attributes both: <see langword="..."/> and <c>...</c> say words too.
            string text = string.Join(" ", member.DescendantNodes().Select(n => n switch
            {
                System.Xml.Linq.XText t => t.Value,
                System.Xml.Linq.XElement e => string.Join(" ", e.Attributes().Where(a => a.Name != "name" || e.Name != "param").Select(a => a.Value)),
                _ => "",
            }));
            text = Regex.Replace(text, @"\s+", " ").Trim();
            foreach (Match match in _commands.Matches(text).Concat(_options.Matches(text)))
            {
                yield return new CommandLineWord((string?)member.Attribute("name") ?? "?", text, match.Value);
            }
        }
    }

    private static IEnumerable<(string Where, string Text)> Strings(TypeDefinition type)
    {
        foreach ((string where, string text) in AttributeStrings(type, type.FullName))
        {
            yield return (where, text);
        }
        foreach (FieldDefinition field in type.Fields)
        {
            if (field.HasConstant && field.Constant is string constant)
            {
                yield return ($"{type.FullName}.{field.Name}", constant);
            }
            foreach ((string where, string text) in AttributeStrings(field, $"{type.FullName}.{field.Name}"))
            {
                yield return (where, text);
            }
        }
        foreach (PropertyDefinition property in type.Properties)
        {
            foreach ((string where, string text) in AttributeStrings(property, $"{type.FullName}.{property.Name}"))
            {
                yield return (where, text);
            }
        }
        foreach (MethodDefinition method in type.Methods)
        {
            string at = $"{type.FullName}.{method.Name}";
            foreach ((string where, string text) in AttributeStrings(method, at))
            {
                yield return (where, text);
            }
            foreach (ParameterDefinition parameter in method.Parameters)
            {
                if (parameter.HasConstant && parameter.Constant is string constant)
                {
                    yield return ($"{at}({parameter.Name} default)", constant);
                }
            }
            if (!method.HasBody)
            {
                continue;
            }
            foreach (Instruction instruction in method.Body.Instructions)
            {
                if (instruction.OpCode == OpCodes.Ldstr && instruction.Operand is string literal)
                {
                    yield return (at, literal);
                }
            }
        }
    }

    private static IEnumerable<(string Where, string Text)> AttributeStrings(ICustomAttributeProvider provider, string where) =>
        from attribute in provider.CustomAttributes
        from argument in attribute.ConstructorArguments.Concat(attribute.Properties.Select(p => p.Argument)).Concat(attribute.Fields.Select(f => f.Argument))
        where argument.Value is string
        select ($"{where} [{attribute.AttributeType.Name}]", (string)argument.Value);

    private static string Alternation(IEnumerable<string> words) =>
        string.Join("|", words.OrderByDescending(w => w.Length).Select(Regex.Escape));
}

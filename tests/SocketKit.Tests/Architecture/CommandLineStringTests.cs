using Mono.Cecil;

namespace SocketKit.Tests.Architecture;

/// <summary>
/// The library returns facts and the command line words them: no string the library assemblies compile in names a
/// socketkit command or one of its options. The words come from the CLI's command tree, so a new command or option is
/// checked the day it is added.
/// </summary>
[Tier(TestTier.Unit)]
public class CommandLineStringTests
{
    [Fact]
    public void NoLibraryStringNamesACommandOrAnOptionOfTheCommandLine()
    {
        CommandLineWords words = CommandLineWords.FromCli();

        List<string> found = [.. LayeringTests.LibraryAssemblies.SelectMany(path =>
        {
            using ModuleDefinition module = ModuleDefinition.ReadModule(path);
            return words.In(module).Select(w => $"{w.Where}: \"{w.Word}\" in \"{w.Text}\"").ToList();
        })];

        Assert.True(found.Count == 0, $"{found.Count} library strings name the command line:\n{string.Join("\n", found.Distinct().Order())}");
    }

    [Fact]
    public void NoLibraryDocumentationNamesACommandOrAnOptionOfTheCommandLine()
    {
        CommandLineWords words = CommandLineWords.FromCli();

        // The XML documentation each library assembly ships beside it (and in its package): what a user's editor shows.
        List<string> found = [.. LayeringTests.LibraryAssemblies.SelectMany(path => words.InDocumentation(Path.ChangeExtension(path, ".xml")))
            .Select(w => $"{w.Where}: \"{w.Word}\" in \"{w.Text}\"")];

        Assert.True(found.Count == 0, $"{found.Count} library doc comments name the command line:\n{string.Join("\n", found.Distinct().Order())}");
    }

    [Fact]
    public void TheDocumentationCheckFindsACommandAndAnOptionInTextAndInCode()
    {
        CommandLineWords words = CommandLineWords.Of(["netstat"], ["--tls-ca"]);
        string xml = Path.Combine(Path.GetTempPath(), $"socketkit-docs-{Guid.NewGuid():N}.xml");
        File.WriteAllText(xml, """
            <doc><members>
              <member name="P:A.Clean"><summary>The CA certificates, as files.</summary></member>
              <member name="P:A.Flag"><summary>As <c>--tls-ca</c> sets it.</summary></member>
              <member name="M:A.Advice"><remarks>Run socketkit netstat to see it.</remarks></member>
            </members></doc>
            """);
        try
        {
            Assert.Equal(
                [("M:A.Advice", "socketkit netstat"), ("P:A.Flag", "--tls-ca")],
                words.InDocumentation(xml).Select(w => (w.Where, w.Word)).Order());
        }
        finally
        {
            File.Delete(xml);
        }
    }

    [Fact]
    public void TheWordsComeFromTheCommandTree()
    {
        CommandLineWords words = CommandLineWords.FromCli();

        Assert.Contains("netstat", words.Commands);
        Assert.Contains("echo-server", words.Commands);
        Assert.Contains("--tls-ca", words.Options);
        Assert.Contains("-v", words.Options);
        // A command's own short alias is another program's flag too ("ls -l"): not a word of socketkit's alone.
        Assert.DoesNotContain("-l", words.Options);
    }

    [Fact]
    public void TheCheckFindsACommandAnOptionAndAShortOptionInALiteralAConstantAndAnInterpolation()
    {
        CommandLineWords words = CommandLineWords.Of(["netstat", "echo-server"], ["--tls-ca", "-v"]);
        using ModuleDefinition tests = ModuleDefinition.ReadModule(typeof(CommandLineStringTests).Assembly.Location);

        List<CommandLineWord> found = [.. words.In(tests, t => t.Namespace == typeof(Fixture.Strings.Advice).Namespace)];

        Assert.Equal(
            [
                ("Advice.Constant", "-v"),
                ("Advice.Interpolated", "--tls-ca"),
                ("Advice.Literal", "socketkit netstat"),
            ],
            found.Select(w => (w.Where.Replace(typeof(Fixture.Strings.Advice).Namespace + ".", ""), w.Word)).Order());
    }
}

using Mono.Cecil;
using SocketKit.Cli.Serving;
using SocketKit.Hosting;

namespace SocketKit.Tests.Architecture;

/// <summary>
/// The layers of docs/ARCHITECTURE.md hold in the compiled code: every type a layer's code uses, in signatures and
/// method bodies alike, belongs to the layer itself or to one its row in the table lists.
/// </summary>
[Tier(TestTier.Unit)]
public class LayeringTests
{
    /// <summary>The library assemblies: the protocol core, the library and hosting.</summary>
    internal static readonly string[] LibraryAssemblies =
    [
        typeof(MessageDecoder).Assembly.Location,
        typeof(AppServer).Assembly.Location,
        typeof(SocketKitHostedServer).Assembly.Location,
    ];

    /// <summary>The shipped assemblies: the library's and the command line.</summary>
    private static readonly string[] Assemblies = [.. LibraryAssemblies, typeof(ServerCommand).Assembly.Location];

    [Fact]
    public void EveryLayerUsesOnlyItselfAndTheLayersTheArchitectureAllows()
    {
        LayerTable table = LayerTable.FromArchitectureDoc();
        List<string> violations = [.. ShippedModules().SelectMany(module => Violations(table, module))];
        Assert.True(violations.Count == 0, $"{violations.Count} uses across layers that docs/ARCHITECTURE.md does not allow:\n{string.Join("\n", violations.Distinct().Order())}");
    }

    [Fact]
    public void EveryNamespaceOfTheShippedCodeBelongsToALayer()
    {
        LayerTable table = LayerTable.FromArchitectureDoc();
        SortedSet<string> unowned = [.. ShippedModules().SelectMany(module => module.Types)
            .Where(type => type.Namespace.StartsWith("SocketKit", StringComparison.Ordinal) && table.LayerOf(type.Namespace) is null)
            .Select(type => type.Namespace)];
        Assert.Empty(unowned);
    }

    /// <summary>The module of each shipped assembly, read in turn and disposed when the caller moves on to the next.</summary>
    private static IEnumerable<ModuleDefinition> ShippedModules()
    {
        foreach (string path in Assemblies)
        {
            using ModuleDefinition module = ModuleDefinition.ReadModule(path);
            yield return module;
        }
    }

    [Fact]
    public void TheTableListsOnlyLayersItDefines()
    {
        LayerTable table = LayerTable.FromArchitectureDoc();
        Assert.Equal(["Protocol", "Observability", "Transport", "Applications", "Diagnostics", "Hosting", "CLI"], table.Layers.Select(l => l.Name));
        Assert.All(table.Layers.SelectMany(l => l.MayUse), used => Assert.Contains(used, table.Layers.Select(l => l.Name)));
    }

    [Fact]
    public void TheCheckFindsAUseHiddenInAMethodBodyALambdaOrAnAsyncMethod()
    {
        LayerTable fixture = LayerTable.Parse(
        [
            "| layer | namespaces | may use |",
            "|---|---|---|",
            "| Lower | `SocketKit.Tests.Architecture.Fixture.Lower` | — |",
            "| Upper | `SocketKit.Tests.Architecture.Fixture.Upper` | Lower |",
        ]);
        using ModuleDefinition tests = ModuleDefinition.ReadModule(typeof(LayeringTests).Assembly.Location);

        List<string> violations = [.. Violations(fixture, tests)];

        Assert.NotEmpty(violations);
        Assert.All(violations, v => Assert.StartsWith("SocketKit.Tests.Architecture.Fixture.Lower.Plain", v));
        Assert.All(violations, v => Assert.Contains("uses SocketKit.Tests.Architecture.Fixture.Upper.Tool (Upper)", v));
        Assert.Contains(violations, v => v.Contains("in method HiddenInABody (body: newobj)", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("<HiddenInALambda>", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("<HiddenInAnAsyncMethod>", StringComparison.Ordinal) && v.Contains("MoveNext", StringComparison.Ordinal));
    }

    /// <summary>Each use of a type of a layer that the user's layer may not use, as "user (layer) uses used (layer) in where".</summary>
    private static IEnumerable<string> Violations(LayerTable table, ModuleDefinition module) =>
        from use in TypeReferences.Of(module)
        let userLayer = table.LayerOf(TypeReferences.NamespaceOf(use.User))
        let usedLayer = table.LayerOf(TypeReferences.NamespaceOf(use.Used))
        where userLayer is not null && usedLayer is not null && !LayerTable.Allows(userLayer, usedLayer)
        select $"{use.User.FullName} ({userLayer.Name}) uses {use.Used.FullName} ({usedLayer.Name}) in {use.Where}";
}

namespace SocketKit.Tests.Support;

/// <summary>A conformance suite written once and run on every engine: each engine's sealed subclass names its engine.</summary>
public abstract class EngineSuite(EngineKind engine)
{
    /// <summary>The engine every server of the suite runs.</summary>
    protected EngineKind Engine { get; } = engine;
}

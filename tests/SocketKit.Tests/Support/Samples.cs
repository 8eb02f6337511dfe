using System.Reflection;

namespace SocketKit.Tests.Support;

/// <summary>The programs under samples/, as the solution build left them beside this test build.</summary>
public static class Samples
{
    /// <summary>The built samples/<paramref name="project"/>/bin/CONFIGURATION/net10.0/<paramref name="project"/>.dll; the test fails when the build did not make it.</summary>
    public static string Dll(string project)
    {
        string configuration = typeof(Samples).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        string dll = Path.Combine(Repository.Root, "samples", project, "bin", configuration, "net10.0", project + ".dll");
        Assert.True(File.Exists(dll), $"the solution build should have built {dll}");
        return dll;
    }
}

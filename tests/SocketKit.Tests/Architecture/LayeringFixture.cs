// Two layers made to be checked: Lower may use nothing, Upper may use Lower. Lower uses Upper only where a look at
// signatures cannot see it (a method body, a lambda, an async method), so the check must find it there.
namespace SocketKit.Tests.Architecture.Fixture.Upper
{
    public sealed class Tool
    {
        public static string Name => "tool";

        public override string ToString() => Name;
    }

    public static class UsesLower
    {
        public static int Depth() => Lower.Plain.Depth;
    }
}

namespace SocketKit.Tests.Architecture.Fixture.Lower
{
    public static class Plain
    {
        public static int Depth => 1;

        public static string HiddenInABody()
        {
            object made = new Upper.Tool();
            return made.ToString()!;
        }

        public static Func<string> HiddenInALambda() => () => Upper.Tool.Name;

        public static async Task<string> HiddenInAnAsyncMethod()
        {
            await Task.Yield();
            return Upper.Tool.Name;
        }
    }
}

// Strings made to be checked: each method or constant of Advice names one command-line word; Facts names none, though
// it holds words near them ("ls -l", "--tls-cafile", "netstats").
namespace SocketKit.Tests.Architecture.Fixture.Strings
{
    public static class Advice
    {
        public const string Constant = "Run with -v to see the bytes.";

        public static string Literal() => "See who listens with `socketkit netstat -tln`.";

        public static string Interpolated(string file) => $"give the client --tls-ca {file}";
    }

    public static class Facts
    {
        public static string Words() => "ls -l PATH, openssl --tls-cafile, netstats, the tutorial's echo-server, socketkit-bench-1, -vv";
    }
}

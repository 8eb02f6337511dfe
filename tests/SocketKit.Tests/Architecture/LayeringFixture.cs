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

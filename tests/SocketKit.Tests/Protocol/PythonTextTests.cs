using System.Globalization;
using System.Runtime.InteropServices;
using SocketKit.Protocol.Python;
using SocketKit.Tests.Protocol.Differential;

namespace SocketKit.Tests.Protocol;

/// <summary>Python's repr() of strings and floats against CPython itself: every code point, and seeded random doubles.</summary>
public sealed class PythonTextTests
{
    [ExternalFact("python3")]
    public async Task EveryCodePointIsQuotedAsPythonsReprQuotesIt()
    {
        // One line a code point: repr(chr(cp)) in UTF-16-LE hex, lone surrogates kept.
        string output = await PythonScript.RunAsync("-c", [
            "import sys\nsys.stdout.write('\\n'.join(repr(chr(c)).encode('utf-16-le', 'surrogatepass').hex() for c in range(0x110000)))",
        ]);
        string[] lines = output.Split('\n');
        Assert.Equal(0x110000, lines.Length);
        var differences = new List<string>();
        for (int cp = 0; cp < lines.Length; cp++)
        {
            string python = new(MemoryMarshal.Cast<byte, char>(Convert.FromHexString(lines[cp])));
            string ours = PythonText.StrRepr(cp is >= 0xD800 and <= 0xDFFF ? ((char)cp).ToString() : char.ConvertFromUtf32(cp));
            if (ours != python && differences.Count < 10)
            {
                differences.Add($"U+{cp:X4}: Python {python}, SocketKit {ours}");
            }
        }
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    [ExternalFact("python3")]
    public async Task FloatsAreWrittenAsPythonsReprWritesThem()
    {
        int seed = Random.Shared.Next();
        var rng = new Random(seed);
        double[] values = [.. Enumerable.Range(0, 5000).Select(i => (i % 4) switch
        {
            0 => BitConverter.Int64BitsToDouble(rng.NextInt64()),
            1 => rng.Next(-100000, 100000) / Math.Pow(10, rng.Next(0, 20)),
            2 => Math.Pow(10, rng.Next(-330, 310)) * (rng.Next(2) == 0 ? 1 : -1),
            _ => rng.NextDouble() * Math.Pow(2, rng.Next(-1080, 1030)),
        }), 0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 1e16, 1e-4, 1e-5, 100, 9999999999999998, double.Epsilon, double.MaxValue];
        string input = string.Join('\n', values.Select(v => BitConverter.DoubleToInt64Bits(v).ToString(CultureInfo.InvariantCulture)));
        string[] python = (await PythonScript.RunAsync("-c", [
            "import struct, sys\nfor line in sys.stdin: print(repr(struct.unpack('<d', struct.pack('<q', int(line)))[0]))",
        ], input)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(values.Length, python.Length);
        var differences = values.Select((v, i) => (v, Python: python[i], Ours: PythonText.FloatRepr(v)))
            .Where(d => d.Python != d.Ours).Select(d => $"{d.v:R}: Python {d.Python}, SocketKit {d.Ours}").Take(10).ToList();
        Assert.True(differences.Count == 0, $"seed {seed}:\n{string.Join("\n", differences)}");
    }
}

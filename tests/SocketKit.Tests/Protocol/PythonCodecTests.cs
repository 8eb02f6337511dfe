using System.Globalization;
using System.Text.Json;
using SocketKit.Protocol.Python;
using SocketKit.Tests.Protocol.Differential;

namespace SocketKit.Tests.Protocol;

/// <summary>The codec table against Python's own registry: every name and alias, and every codec's decoding.</summary>
public sealed class PythonCodecTests
{
    [ExternalFact("python3")]
    public async Task TheGeneratedTablesAreWhatTheScriptDerivesFromThisPython()
    {
        string folder = Path.Combine(TestScratch.Directory, $"tables-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        await PythonScript.RunAsync(Path.Combine(Repository.Root, "scripts", "generate-python-tables.py"), [folder]);
        foreach (string file in new[] { "PythonPrintable.g.cs", "PythonCharmaps.g.cs", "PythonCodecNames.g.cs", "PythonDoubleByteCodecs.bin" })
        {
            string checkedIn = Path.Combine(Repository.Root, "src", "SocketKit.Protocol", "Python", file);
            // The .bin is compared inflated: another zlib may compress the same tables to other bytes.
            Assert.True(Inflated(checkedIn).AsSpan().SequenceEqual(Inflated(Path.Combine(folder, file))),
                $"{file} differs from what scripts/generate-python-tables.py writes with this machine's python3: run it and commit the result "
                + "(the reference, and so the tables, are CPython 3.11's: another python3 would give other tables)");
        }
    }

    private static byte[] Inflated(string path)
    {
        if (!path.EndsWith(".bin", StringComparison.Ordinal))
        {
            return File.ReadAllBytes(path);
        }
        using var inflated = new System.IO.Compression.ZLibStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        inflated.CopyTo(buffer);
        return buffer.ToArray();
    }

    [ExternalFact("python3")]
    public async Task EveryNameAndAliasInEverySpellingResolvesAsPythonResolvesIt()
    {
        List<string> names = [];
        foreach ((string name, _, _) in PythonCodecs.Table)
        {
            names.Add(name);
            names.Add(name.ToUpperInvariant());
            names.Add(name.Replace('_', '-'));
            names.Add(" " + name.Replace("_", " - ", StringComparison.Ordinal) + "_");
            names.Add(name.Replace('_', '.'));
            names.Add(name.Replace("_", "é", StringComparison.Ordinal));
            names.Add(name + ".");
        }
        names.AddRange(["", "-", "utf.8", "latin.1", "ｕtf8", "u t f 8", "Utf--8", "utf8\t", "no-such-codec", "base_64", "iso.8859.1"]);
        string[] python = (await PythonScript.RunAsync(PythonScript.BesideTests("codec_oracle.py"), ["resolve"],
            string.Concat(names.Select(n => JsonSerializer.Serialize(n) + "\n")))).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(names.Count, python.Length);
        var differences = names.Select((n, i) => (Name: n, Python: python[i], SocketKit: PythonCodecs.Resolve(n, out _) ?? "-"))
            .Where(d => d.Python != d.SocketKit).Select(d => $"{JsonSerializer.Serialize(d.Name)}: Python {d.Python}, SocketKit {d.SocketKit}").ToList();
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    public static TheoryData<string> SupportedCodecs => [.. TextEncodings.SupportedNames];

    [ExternalTheory("python3")]
    [MemberData(nameof(SupportedCodecs))]
    public async Task EachCodecDecodesEveryByteAndPairAsPythonDoes(string codec)
    {
        string[] lines = (await PythonScript.RunAsync(PythonScript.BesideTests("codec_oracle.py"), ["decode", codec])).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var wrong = new List<string>();
        int lenient = 0;
        foreach (string line in lines)
        {
            string[] parts = line.Split(' ');
            byte[] bytes = Convert.FromHexString(parts[0]);
            string? ours;
            try
            {
                ours = string.Join('.', TextEncodings.Decode(codec, bytes).EnumerateRunes().Select(r => r.Value.ToString("x", CultureInfo.InvariantCulture)));
            }
            catch (ProtocolException)
            {
                ours = null;
            }
            if (parts[1] == "!")
            {
                if (ours is not null) lenient++;
            }
            else if (ours != parts[1])
            {
                wrong.Add($"{parts[0]}: Python {parts[1]}, SocketKit {ours ?? "refuses"}");
            }
        }
        Assert.True(wrong.Count == 0, $"{codec}: {wrong.Count} of {lines.Length} byte strings decoded differently, e.g.\n{string.Join("\n", wrong.Take(10))}");
        Assert.True(lenient == 0, $"{codec}: {lenient} of {lines.Length} byte strings that Python refuses are decoded");
    }
}

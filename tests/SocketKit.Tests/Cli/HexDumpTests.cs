using SocketKit.Cli.Output;

namespace SocketKit.Tests.Cli;

/// <summary>nc --hex's dump, line for line what hexdump -C prints.</summary>
[Tier(TestTier.Unit)]
public class HexDumpTests
{
    [Fact]
    public void ALineShorterThanSixteenBytesIsPaddedAndTheEndOffsetFollows() =>
        Assert.Equal(
            "00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 0a           |Hello, world.|\n0000000d\n",
            HexDump.Format("Hello, world\n"u8));

    [Fact]
    public void RepeatedLinesBecomeOneStarAndOffsetsContinueTheStream() =>
        Assert.Equal(
            "00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n"
            + "00000030  00 00 00 00 00 00 00 00                           |........|\n00000038\n",
            HexDump.Format(new byte[40], offset: 16));

    [Fact]
    public void NothingDumpsAsNothing() => Assert.Equal("", HexDump.Format([]));

    [ExternalFact("hexdump")]
    public async Task RandomBytesDumpAsTheHexdumpProgramDumpsThem()
    {
        byte[] bytes = new byte[1000];
        Random.Shared.NextBytes(bytes);
        bytes.AsSpan(100, 64).Clear(); // Repeated lines, squeezed.
        string path = Path.Combine(TestScratch.Directory, $"random-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(path, bytes);
        (int exitCode, string expected, string error) = await ExternalProgram.RunAsync("hexdump", ["-C", path]);
        File.Delete(path);
        Assert.True(exitCode == 0, error);
        Assert.Equal(expected, HexDump.Format(bytes));
    }
}

using System.Text.RegularExpressions;

namespace SocketKit.Tests.Robustness;

/// <summary>
/// A server holding idle connections runs nothing: its readiness loops sleep until a connection's deadline comes, with
/// no heartbeat in between. The server runs in a process of its own, so its loop threads are the only ones named so.
/// </summary>
[Tier(TestTier.Socket)]
public sealed partial class IdleServerTests
{
    [Fact]
    public async Task LoopsHoldingIdleConnectionsAreNotWokenWhileNoDeadlineIsNear()
    {
        // Idle connections close after the idle timeout (two minutes by default): nothing is due in the window watched.
        using CliProcess server = await CliProcess.StartServerAsync("echo-server", "127.0.0.1", "0", "--loops", "2");
        var clients = new List<Socket>();
        try
        {
            for (int i = 0; i < 50; i++)
            {
                var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                clients.Add(client);
                await client.ConnectAsync(IPAddress.Loopback, server.Port).WaitAsync(TimeSpan.FromSeconds(10));
                await client.SendAsync(new byte[] { (byte)i });
                var echo = new byte[1];
                Assert.Equal(1, await client.ReceiveAsync(echo).WaitAsync(TimeSpan.FromSeconds(10)));
            }
            Dictionary<int, long> before = LoopWakeUps(server.Id);
            Assert.Equal(2, before.Count);
            // A heartbeat every 250 ms would wake each loop four times in this second.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Dictionary<int, long> after = LoopWakeUps(server.Id);
            Assert.Equal(before, after);
        }
        finally
        {
            foreach (Socket client in clients) client.Dispose();
        }
    }

    /// <summary>Each readiness loop thread's context switches so far: a loop that sleeps in its selector and wakes adds one.</summary>
    private static Dictionary<int, long> LoopWakeUps(int pid)
    {
        var wakeUps = new Dictionary<int, long>();
        foreach (string task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            string name;
            string status;
            try
            {
                name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                status = File.ReadAllText(Path.Combine(task, "status"));
            }
            catch (IOException)
            {
                continue; // The thread ended meanwhile.
            }
            if (name.StartsWith("socketkit-loop", StringComparison.Ordinal))
            {
                wakeUps[int.Parse(Path.GetFileName(task))] = SwitchCount().Matches(status).Sum(m => long.Parse(m.Groups[1].Value));
            }
        }
        return wakeUps;
    }

    [GeneratedRegex(@"ctxt_switches:\s+(\d+)")]
    private static partial Regex SwitchCount();
}

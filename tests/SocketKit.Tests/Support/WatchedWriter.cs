using System.Text.RegularExpressions;

namespace SocketKit.Tests.Support;

/// <summary>A TextWriter that keeps what is written and lets a test wait, with a timeout, for a line to appear.</summary>
public sealed class WatchedWriter : TextWriter
{
    private readonly StringBuilder _text = new();
    private readonly Lock _gate = new();
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate)
        {
            _text.Append(value);
            if (value == '\n') Check();
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            _text.Append(value);
            Check();
        }
    }

    public override string ToString()
    {
        lock (_gate) return _text.ToString();
    }

    public async Task<Match> WaitForAsync(string pattern, TimeSpan? timeout = null)
    {
        var waiter = (new Regex(pattern, RegexOptions.Multiline), new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate)
        {
            _waiters.Add(waiter);
            Check();
        }
        try
        {
            return await waiter.Item2.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no line matching '{pattern}' within the timeout; written so far:\n{this}");
        }
    }

    private void Check()
    {
        if (_waiters.Count == 0)
        {
            return; // Nobody waits: no copy of the whole text per line (a long log would make that quadratic).
        }
        string text = _text.ToString();
        foreach (var (pattern, found) in _waiters.ToList())
        {
            Match m = pattern.Match(text);
            if (m.Success)
            {
                found.TrySetResult(m);
                _waiters.Remove((pattern, found));
            }
        }
    }
}

namespace SocketKit.Applications.App;

public sealed partial class AppClient
{
    /// <summary>
    /// Sends every request and returns the responses in request order. They share one connection with the
    /// keep-alive key (the last goes without it, so the server closes first as in the reference conversation),
    /// up to <paramref name="pipeline"/> in flight at once. A server that does not grant keep-alive (the
    /// reference: its response has no key and it closes) gets the rest one connection per request, without the key.
    /// The first request goes alone, so no request is in flight when such a server closes (unread bytes would
    /// make its close a reset, which can destroy the answer before it is read). <paramref name="pipeline"/>
    /// (default 1) is how many requests are sent before waiting for their responses.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pipeline"/> is less than 1.</exception>
    /// <exception cref="NetworkException">A connection failed, or a response did not come within the client's timeout.</exception>
    /// <exception cref="ProtocolException">The server's bytes broke the protocol, or it closed partway through a response.</exception>
    public static async Task<IReadOnlyList<Message>> RequestManyAsync(string host, int port, IReadOnlyList<Message> requests, int pipeline = 1,
        ClientOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pipeline, 1);
        var responses = new List<Message>(requests.Count);
        if (requests.Count == 0)
        {
            return responses;
        }
        int answered;
        await using (AppClient client = await ConnectAsync(host, port, options, logger, cancellationToken: cancellationToken))
        {
            answered = await client.SendPipelinedAsync(requests, pipeline, responses, cancellationToken);
        }
        // The server answered without keep-alive and closed: the reference conversation for the rest.
        for (int i = answered; i < requests.Count; i++)
        {
            Message plain = requests[i] with { Header = requests[i].Header with { KeepAlive = false } };
            responses.Add(await RequestAsync(host, port, plain, options, logger, cancellationToken));
        }
        return responses;
    }

    /// <summary>
    /// Sends requests in batches of <paramref name="pipeline"/>; stops at the first response that does not keep the
    /// connection. Returns how many of the requests have been answered.
    /// </summary>
    private Task<int> SendPipelinedAsync(IReadOnlyList<Message> requests, int pipeline, List<Message> responses, CancellationToken cancellationToken) =>
        ExchangeAsync(async timer =>
        {
            int next = 0;
            while (next < requests.Count)
            {
                int batch = next == 0 ? 1 : Math.Min(pipeline, requests.Count - next);
                _output.ResetWrittenCount();
                for (int i = next; i < next + batch; i++)
                {
                    bool last = i == requests.Count - 1;
                    Message request = requests[i];
                    _conversation.Send(_output, request.Header with { KeepAlive = !last }, request.Content.Span);
                    LogSending(request);
                }
                await SendWireAsync(_output.WrittenMemory, timer);
                for (int i = 0; i < batch; i++)
                {
                    Message response = await ReceiveAsync(timer);
                    LogReceived(response);
                    responses.Add(response);
                    if (_conversation.State == ClientConversationState.Done)
                    {
                        return responses.Count; // Not granted (or the last): the server closes now; the requests in flight are lost with it.
                    }
                }
                next += batch;
            }
            return responses.Count;
        }, cancellationToken);
}

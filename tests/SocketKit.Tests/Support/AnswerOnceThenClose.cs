namespace SocketKit.Tests.Support;

/// <summary>
/// An application server's connection handler that answers one request as the reference does, without "keep-alive"
/// whatever was asked, then closes: a server that does not keep connections alive (app-server.py's way).
/// </summary>
public sealed class AnswerOnceThenClose : IConnectionHandler
{
    private readonly MessageDecoder _decoder = new();

    public static SocketServer Start() =>
        SocketServer.Start(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, _ => new AnswerOnceThenClose());

    public NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output)
    {
        if (!_decoder.TryDecode(ref data, out Message request))
        {
            return NextStep.Receive;
        }
        AppResponse answer = AppServerHandler.Answer(TutorialHandlers.CreateRouter(), request with { Header = request.Header with { KeepAlive = false } });
        output.Write(MessageEncoder.Encode(new MessageHeader(answer.ContentType, answer.ContentEncoding, answer.Content.Length), answer.Content.Span));
        return NextStep.CloseAfterSending;
    }

    public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output) => NextStep.CloseAfterSending;
}

namespace SocketKit.Protocol;

/// <summary>What was wrong with a message. Each value names one rule of PROTOCOL.md or one limit.</summary>
public enum ProtocolError
{
    /// <summary>The protoheader announced a JSON header larger than <see cref="ProtocolLimits.MaxHeaderBytes"/>.</summary>
    HeaderTooLarge,
    /// <summary>The protoheader announced a JSON header of zero bytes.</summary>
    EmptyHeader,
    /// <summary>The JSON header is not valid UTF-8.</summary>
    HeaderNotUtf8,
    /// <summary>The JSON header is not valid JSON.</summary>
    InvalidHeaderJson,
    /// <summary>The JSON header is valid JSON but not an object.</summary>
    HeaderNotObject,
    /// <summary>One of the four required header keys is absent.</summary>
    MissingHeaderKey,
    /// <summary>A header key has a value of the wrong type or outside its allowed values.</summary>
    InvalidHeaderValue,
    /// <summary>The header declared more content than <see cref="ProtocolLimits.MaxContentBytes"/>.</summary>
    ContentTooLarge,
    /// <summary>JSON nesting deeper than <see cref="ProtocolLimits.MaxJsonDepth"/>.</summary>
    NestingTooDeep,
    /// <summary>The content-encoding names no text encoding SocketKit supports.</summary>
    UnsupportedEncoding,
    /// <summary>The content bytes are not valid in the declared content-encoding.</summary>
    InvalidContentEncoding,
    /// <summary>text/json content that is not valid JSON.</summary>
    InvalidContentJson,
    /// <summary>text/json content that is valid JSON but not the object the conversation expects.</summary>
    ContentNotObject,
    /// <summary>The peer closed the connection in the middle of a message.</summary>
    TruncatedMessage,
    /// <summary>The server sent bytes no request asked for: none was awaiting an answer, or it had said it would close.</summary>
    UnrequestedAnswer,
    /// <summary>The server ended the stream between answers with requests still unanswered.</summary>
    UnansweredRequest,
}

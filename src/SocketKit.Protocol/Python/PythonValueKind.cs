namespace SocketKit.Protocol.Python;

/// <summary>The Python type that <c>json.loads</c> makes of a JSON value.</summary>
public enum PythonValueKind
{
    /// <summary><c>None</c>, from <c>null</c>.</summary>
    None,

    /// <summary><c>bool</c>, from <c>true</c> and <c>false</c>.</summary>
    Bool,

    /// <summary><c>int</c>, from a number without fraction or exponent, of any length.</summary>
    Int,

    /// <summary><c>float</c>, from a number with a fraction or an exponent, and from <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>.</summary>
    Float,

    /// <summary><c>str</c>.</summary>
    Str,

    /// <summary><c>list</c>, from an array.</summary>
    List,

    /// <summary><c>dict</c>, from an object.</summary>
    Dict,
}

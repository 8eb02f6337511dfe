using System.Globalization;
using System.Text;

namespace SocketKit.Protocol.Python;

/// <summary>
/// Reads JSON text as Python's <c>json.loads</c> does (CPython 3.11): <c>NaN</c>, <c>Infinity</c> and
/// <c>-Infinity</c> are floats; a number with a fraction or an exponent is a float (<c>inf</c> when too large);
/// an integer keeps all its digits, up to Python's 4,300; escaped lone surrogates are kept; of duplicate keys
/// the last wins; white space is space, tab, CR and LF only. Nesting is bounded by
/// <see cref="ProtocolLimits.MaxJsonDepth"/>, and malformed text is a clear error.
/// </summary>
public sealed class PythonJsonReader
{
    /// <summary>The most digits Python 3.11 converts into an int (sys.int_info.default_max_str_digits).</summary>
    public const int MaxIntegerDigits = 4300;

    private readonly string _text;
    private readonly int _maxDepth;
    private int _at;
    private int _depth;

    private PythonJsonReader(string text, int maxDepth)
    {
        _text = text;
        _maxDepth = maxDepth;
    }

    /// <summary>Parses one JSON document.</summary>
    /// <exception cref="ProtocolException">The text is not JSON as Python reads it (<see cref="ProtocolError.InvalidContentJson"/>),
    /// or nests deeper than the limit (<see cref="ProtocolError.NestingTooDeep"/>).</exception>
    public static PythonValue Parse(string text, ProtocolLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new PythonJsonReader(text, (limits ?? ProtocolLimits.Default).MaxJsonDepth);
        if (text.StartsWith('\uFEFF'))
        {
            throw reader.Error("it starts with a byte order mark (U+FEFF)");
        }
        reader.SkipWhiteSpace();
        PythonValue value = reader.ReadValue();
        reader.SkipWhiteSpace();
        if (reader._at < text.Length)
        {
            throw reader.Error("extra data after the JSON value");
        }
        return value;
    }

    private PythonValue ReadValue()
    {
        if (_at >= _text.Length)
        {
            throw Error("expecting a value");
        }
        switch (_text[_at])
        {
            case '"':
                return PythonValue.Str(ReadString());
            case '{':
                return ReadObject();
            case '[':
                return ReadArray();
            case 'n' when Literal("null"):
                return PythonValue.None;
            case 't' when Literal("true"):
                return PythonValue.True;
            case 'f' when Literal("false"):
                return PythonValue.False;
            case 'N' when Literal("NaN"):
                return PythonValue.Float(double.NaN);
            case 'I' when Literal("Infinity"):
                return PythonValue.Float(double.PositiveInfinity);
            case '-' when Literal("-Infinity"):
                return PythonValue.Float(double.NegativeInfinity);
            case '-' or (>= '0' and <= '9'):
                return ReadNumber();
            default:
                throw Error("expecting a value");
        }
    }

    private bool Literal(string literal)
    {
        if (string.CompareOrdinal(_text, _at, literal, 0, literal.Length) != 0)
        {
            return false;
        }
        _at += literal.Length;
        return true;
    }

    // Python's NUMBER_RE: (-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?
    private PythonValue ReadNumber()
    {
        int start = _at;
        if (_text[_at] == '-') _at++;
        if (_at < _text.Length && _text[_at] == '0')
        {
            _at++;
        }
        else if (_at < _text.Length && _text[_at] is >= '1' and <= '9')
        {
            SkipDigits();
        }
        else
        {
            throw Error("expecting a value");
        }
        int integerEnd = _at;
        bool isFloat = false;
        if (_at + 1 < _text.Length && _text[_at] == '.' && char.IsAsciiDigit(_text[_at + 1]))
        {
            _at++;
            SkipDigits();
            isFloat = true;
        }
        if (_at < _text.Length && _text[_at] is 'e' or 'E')
        {
            int exponentAt = _at++;
            if (_at < _text.Length && _text[_at] is '+' or '-') _at++;
            if (_at < _text.Length && char.IsAsciiDigit(_text[_at]))
            {
                SkipDigits();
                isFloat = true;
            }
            else
            {
                _at = exponentAt; // Not an exponent: Python stops before the 'e' (and then finds extra data).
            }
        }
        if (isFloat)
        {
            // .NET parses correctly rounded at any length, and gives ±Infinity where Python's float() gives ±inf.
            return PythonValue.Float(double.Parse(_text.AsSpan(start, _at - start), NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        int digits = integerEnd - start - (_text[start] == '-' ? 1 : 0);
        if (digits > MaxIntegerDigits)
        {
            throw new ProtocolException(ProtocolError.InvalidContentJson,
                $"the content is not valid JSON as Python reads it: an integer of {digits} digits at character {start} (Python converts at most {MaxIntegerDigits})");
        }
        return PythonValue.IntFromDigits(_text[start..integerEnd]);
    }

    private void SkipDigits()
    {
        while (_at < _text.Length && char.IsAsciiDigit(_text[_at])) _at++;
    }

    private string ReadString()
    {
        _at++; // The opening quote.
        StringBuilder? sb = null;
        int runStart = _at;
        while (true)
        {
            if (_at >= _text.Length)
            {
                throw Error("unterminated string");
            }
            char c = _text[_at];
            if (c == '"')
            {
                string result = sb is null ? _text[runStart.._at] : sb.Append(_text, runStart, _at - runStart).ToString();
                _at++;
                return result;
            }
            if (c < ' ')
            {
                throw Error("invalid control character in a string");
            }
            if (c != '\\')
            {
                _at++;
                continue;
            }
            sb ??= new StringBuilder();
            sb.Append(_text, runStart, _at - runStart);
            _at++;
            if (_at >= _text.Length)
            {
                throw Error("unterminated string");
            }
            char escape = _text[_at++];
            switch (escape)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    // A high surrogate joins a following \u low surrogate; unpaired, each stays a lone surrogate as in Python.
                    sb.Append(ReadHex4());
                    break;
                default:
                    _at--;
                    throw Error("invalid \\escape");
            }
            runStart = _at;
        }
    }

    private char ReadHex4()
    {
        if (_at + 4 > _text.Length || !int.TryParse(_text.AsSpan(_at, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
        {
            throw Error("invalid \\uXXXX escape");
        }
        _at += 4;
        return (char)code;
    }

    private PythonValue ReadObject()
    {
        Enter();
        _at++;
        var pairs = new List<KeyValuePair<string, PythonValue>>();
        if (!TryClose('}'))
        {
            do
            {
                if (_at >= _text.Length || _text[_at] != '"')
                {
                    throw Error("expecting a property name enclosed in double quotes");
                }
                string key = ReadString();
                SkipWhiteSpace();
                if (_at >= _text.Length || _text[_at] != ':')
                {
                    throw Error("expecting ':' delimiter");
                }
                _at++;
                SkipWhiteSpace();
                pairs.Add(new(key, ReadValue()));
            }
            while (!CloseOrComma('}'));
        }
        return PythonValue.DictOf(pairs);
    }

    private PythonValue ReadArray()
    {
        Enter();
        _at++;
        var items = new List<PythonValue>();
        if (!TryClose(']'))
        {
            do
            {
                items.Add(ReadValue());
            }
            while (!CloseOrComma(']'));
        }
        return PythonValue.List(items);
    }

    /// <summary>Whether <paramref name="close"/> comes next, after white space; if so it is read and the nesting level left.</summary>
    private bool TryClose(char close)
    {
        SkipWhiteSpace();
        if (_at < _text.Length && _text[_at] == close)
        {
            _at++;
            _depth--;
            return true;
        }
        return false;
    }

    /// <summary>After a member of an object or array: true at its end (read), else reads the ',' that must come and the white space after it.</summary>
    private bool CloseOrComma(char close)
    {
        if (TryClose(close))
        {
            return true;
        }
        if (_at >= _text.Length || _text[_at] != ',')
        {
            throw Error("expecting ',' delimiter");
        }
        _at++;
        SkipWhiteSpace();
        return false;
    }

    private void Enter()
    {
        if (++_depth > _maxDepth)
        {
            throw new ProtocolException(ProtocolError.NestingTooDeep, $"the JSON content nests deeper than {_maxDepth} levels");
        }
    }

    private void SkipWhiteSpace()
    {
        while (_at < _text.Length && _text[_at] is ' ' or '\t' or '\n' or '\r') _at++;
    }

    private ProtocolException Error(string what) =>
        new(ProtocolError.InvalidContentJson, $"the content is not valid JSON: {what} at character {_at}");
}

using System.Globalization;

namespace SocketKit.Protocol.Json;

/// <summary>Formats a double as Python's repr(float) does, which is what json.dumps writes.</summary>
internal static class PythonFloat
{
    public static string Format(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsPositiveInfinity(value)) return "Infinity";
        if (double.IsNegativeInfinity(value)) return "-Infinity";
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";

        // "R" gives the shortest digits that round-trip, as Python's repr does; only the layout differs.
        string r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOfAny(['E', 'e']);
        string mantissa = e < 0 ? r : r[..e];
        int exponent = e < 0 ? 0 : int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.');
        string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        // decimalPoint: the value is 0.DIGITS x 10^decimalPoint.
        int decimalPoint = (dot < 0 ? mantissa.Length : dot) + exponent;
        int leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        decimalPoint -= leadingZeros;

        string sign = value < 0 ? "-" : "";
        // Python's float_repr_style 'short': scientific when the point is far from the digits.
        if (decimalPoint is <= -4 or > 16)
        {
            int exp = decimalPoint - 1;
            string body = digits.Length == 1 ? digits : digits[..1] + "." + digits[1..];
            return $"{sign}{body}e{(exp < 0 ? '-' : '+')}{Math.Abs(exp):00}";
        }
        if (decimalPoint <= 0)
        {
            return $"{sign}0.{new string('0', -decimalPoint)}{digits}";
        }
        if (decimalPoint >= digits.Length)
        {
            return $"{sign}{digits}{new string('0', decimalPoint - digits.Length)}.0";
        }
        return $"{sign}{digits[..decimalPoint]}.{digits[decimalPoint..]}";
    }
}

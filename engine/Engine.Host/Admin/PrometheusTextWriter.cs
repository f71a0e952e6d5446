using System.Buffers;
using System.Globalization;
using System.Text;

namespace Engine.Host.Admin;

/// <summary>
/// Writes the Prometheus text exposition format, version 0.0.4: a HELP and a TYPE line per
/// metric family, then one sample per line with escaped label values.
/// </summary>
internal sealed class PrometheusTextWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new(16 * 1024);

    /// <summary>Starts a new exposition, keeping the buffer: a scrape should not cost its own size in garbage.</summary>
    public void Clear() => _text.Clear();

    public void Family(string name, string type, string help)
    {
        _text.Append("# HELP ").Append(name).Append(' ');
        foreach (var c in help)
        {
            _ = c switch
            {
                '\\' => _text.Append("\\\\"),
                '\n' => _text.Append("\\n"),
                _ => _text.Append(c),
            };
        }
        _text.Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    /// <param name="labels">Already formatted by <see cref="Labels"/> (without braces), or empty.</param>
    public void Sample(string name, string labels, double value)
    {
        StartSample(name, labels);
        AppendValue(value);
    }

    public void Sample(string name, string labels, long value)
    {
        StartSample(name, labels);
        AppendValue(value);
    }

    /// <summary>`name` + `suffix` {`labels`,`moreLabels`} `value`, without building the pieces into new strings.</summary>
    public void Sample(string name, string suffix, string labels, string moreLabels, long value)
    {
        StartSample(name, labels, suffix, moreLabels);
        AppendValue(value);
    }

    /// <inheritdoc cref="Sample(string, string, string, string, long)"/>
    public void Sample(string name, string suffix, string labels, string moreLabels, double value)
    {
        StartSample(name, labels, suffix, moreLabels);
        AppendValue(value);
    }

    private void StartSample(string name, string labels, string suffix = "", string moreLabels = "")
    {
        _text.Append(name).Append(suffix);
        if (labels.Length + moreLabels.Length > 0)
        {
            _text.Append('{').Append(labels);
            if (labels.Length > 0 && moreLabels.Length > 0)
            {
                _text.Append(',');
            }
            _text.Append(moreLabels).Append('}');
        }
        _text.Append(' ');
    }

    private void AppendValue(long value) => _text.Append(CultureInfo.InvariantCulture, $"{value}\n");

    private void AppendValue(double value)
    {
        if (double.IsFinite(value))
        {
            _text.Append(CultureInfo.InvariantCulture, $"{value:R}\n");
        }
        else
        {
            _text.Append(FormatValue(value)).Append('\n');
        }
    }

    public override string ToString() => _text.ToString();

    /// <summary>The text as UTF-8 in a buffer rented from <see cref="ArrayPool{T}.Shared"/>; the caller returns it.</summary>
    public (byte[] Buffer, int Length) RentUtf8()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(_text.Length));
        var length = 0;
        foreach (var chunk in _text.GetChunks())
        {
            length += Encoding.UTF8.GetBytes(chunk.Span, buffer.AsSpan(length));
        }
        return (buffer, length);
    }

    /// <summary>`a="x",b="y"` with names sanitised and values escaped, in the order given.</summary>
    public static string Labels(ReadOnlySpan<KeyValuePair<string, string>> labels)
    {
        if (labels.IsEmpty)
        {
            return "";
        }
        var text = new StringBuilder();
        foreach (var (key, value) in labels)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }
            text.Append(SanitizeName(key, allowColon: false)).Append("=\"");
            foreach (var c in value)
            {
                _ = c switch
                {
                    '\\' => text.Append("\\\\"),
                    '"' => text.Append("\\\""),
                    '\n' => text.Append("\\n"),
                    _ => text.Append(c),
                };
            }
            text.Append('"');
        }
        return text.ToString();
    }

    public static string Label(string key, string value) => Labels([new(key, value)]);

    /// <summary>Metric names are [a-zA-Z_:][a-zA-Z0-9_:]*, label names the same without colons: anything else becomes '_'.</summary>
    public static string SanitizeName(string name, bool allowColon = true)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            var ok = char.IsAsciiLetter(c) || c == '_' || (allowColon && c == ':') || (i > 0 && char.IsAsciiDigit(c));
            if (!ok)
            {
                chars[i] = '_';
            }
        }
        return chars.Length == 0 ? "_" : new string(chars);
    }

    public static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}

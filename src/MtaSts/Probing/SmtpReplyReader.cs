using System.Globalization;
using System.Text;

namespace MtaSts.Probing;

/// <summary>One SMTP reply: the code and the text of each line (RFC 5321 §4.2).</summary>
internal readonly record struct SmtpReply(int Code, IReadOnlyList<string> Lines)
{
    public bool IsPositive => Code is >= 200 and < 400;

    /// <summary>The first word after the code of the first line: the host name a greeting or EHLO reply starts with.</summary>
    public string? FirstWord
    {
        get
        {
            var text = Lines.Count > 0 ? Lines[0] : string.Empty;
            var end = text.IndexOf(' ', StringComparison.Ordinal);
            var word = end < 0 ? text : text[..end];
            return word.Length is > 0 and <= 255 && word.All(static c => c is > ' ' and < (char)127) ? word : null;
        }
    }

    /// <summary>Whether an EHLO reply lists an extension keyword (case-insensitive).</summary>
    public bool HasExtension(string keyword)
    {
        for (var i = 1; i < Lines.Count; i++)
        {
            var line = Lines[i];
            if (line.Equals(keyword, StringComparison.OrdinalIgnoreCase)
                || (line.StartsWith(keyword, StringComparison.OrdinalIgnoreCase) && line.Length > keyword.Length && line[keyword.Length] == ' '))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A reply violated RFC 5321's syntax or the reader's bounds.</summary>
internal sealed class SmtpProtocolException(string message) : Exception(message);

/// <summary>
/// Reads SMTP replies from a stream with bounded lines (RFC 5321 §4.5.3.1.5 allows 512 octets; 2,000 are accepted) and
/// a bounded number of lines per reply, so a hostile server cannot make the client buffer without end.
/// </summary>
internal sealed class SmtpReplyReader(Stream stream)
{
    internal const int MaxLineLength = 2000;
    internal const int MaxLines = 100;

    private readonly byte[] _buffer = new byte[4096];
    private Stream _stream = stream;
    private int _start;
    private int _end;

    /// <summary>Whether bytes the server sent are waiting unread (after a STARTTLS reply that is an injection attempt).</summary>
    public bool HasBufferedData => _end > _start;

    /// <summary>Reads from <paramref name="stream"/> from now on, dropping anything buffered (RFC 3207 §4.2: nothing read before TLS counts after it).</summary>
    public void SwitchTo(Stream stream)
    {
        _stream = stream;
        _start = _end = 0;
    }

    public async Task<SmtpReply> ReadReplyAsync(CancellationToken cancellationToken)
    {
        var lines = new List<string>(4);
        var code = -1;
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var lineCode) || lineCode < 200 || lineCode > 599)
            {
                throw new SmtpProtocolException("a reply line does not start with a three-digit code");
            }

            if (code >= 0 && lineCode != code)
            {
                throw new SmtpProtocolException("the lines of a multi-line reply carry different codes");
            }

            code = lineCode;
            var more = line.Length > 3 && line[3] == '-';
            if (line.Length > 3 && line[3] != '-' && line[3] != ' ')
            {
                throw new SmtpProtocolException("a reply code is not followed by a space or a hyphen");
            }

            lines.Add(line.Length > 4 ? line[4..] : string.Empty);
            if (!more)
            {
                return new SmtpReply(code, lines);
            }

            if (lines.Count >= MaxLines)
            {
                throw new SmtpProtocolException($"a reply has more than {MaxLines} lines");
            }
        }
    }

    public async Task WriteLineAsync(string line, CancellationToken cancellationToken)
    {
        var bytes = Encoding.ASCII.GetBytes(line + "\r\n");
        await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await _stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
                if (_end == 0)
                {
                    throw new EndOfStreamException("the server closed the connection");
                }
            }

            var span = _buffer.AsSpan(_start, _end - _start);
            var lf = span.IndexOf((byte)'\n');
            var take = lf < 0 ? span : span[..lf];
            if (line.Length + take.Length > MaxLineLength)
            {
                throw new SmtpProtocolException($"a reply line is longer than {MaxLineLength} octets");
            }

            foreach (var b in take)
            {
                line.Append(b is >= 0x20 and < 0x7F ? (char)b : b == '\r' ? '\r' : '?');
            }

            if (lf < 0)
            {
                _start = _end;
                continue;
            }

            _start += lf + 1;
            if (line.Length > 0 && line[^1] == '\r')
            {
                line.Length--;
            }

            return line.ToString();
        }
    }
}

using System.Buffers;

namespace MtaSts.Testing;

/// <summary>
/// The buffered input side of one SMTP connection: command lines of bounded length, and raw bytes for DATA. Switching to
/// a new stream (after STARTTLS) throws away whatever was buffered, so plain-text bytes a client pipelined behind
/// STARTTLS never reach the TLS session.
/// </summary>
internal sealed class SmtpReader
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private Stream _stream;
    private int _start;
    private int _end;

    public SmtpReader(Stream stream) => _stream = stream;

    /// <summary>Reads from <paramref name="stream"/> from now on and drops the buffered bytes.</summary>
    public void Reset(Stream stream)
    {
        _stream = stream;
        _start = 0;
        _end = 0;
    }

    /// <summary>
    /// Reads one line ended by LF (a CR before it is removed). A line longer than <paramref name="maxLength"/> bytes is
    /// read to its end and thrown away, using no more memory than the buffer.
    /// </summary>
    /// <returns>The line's bytes; <see cref="SmtpLine.TooLong"/> for an overlong line; <see langword="null"/> at the end of the stream.</returns>
    public async ValueTask<SmtpLine?> ReadLineAsync(int maxLength, CancellationToken cancellationToken)
    {
        var discarding = false;
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            var newline = available.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var length = newline > 0 && available[newline - 1] == '\r' ? newline - 1 : newline;
                var line = available[..length].ToArray();
                _start += newline + 1;
                return discarding || length > maxLength ? SmtpLine.TooLong : new SmtpLine(line);
            }

            if (available.Length > maxLength + 1)
            {
                // Keep a trailing CR: the LF may come in the next read.
                var keep = available[^1] == '\r' ? 1 : 0;
                _start = _end - keep;
                discarding = true;
            }

            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
        }
    }

    /// <summary>Feeds the buffered and incoming bytes to <paramref name="decoder"/> until it sees the end of the message.</summary>
    /// <param name="decoder">The decoder.</param>
    /// <param name="beforeRead">Called before each read from the stream (to restart an idle timer).</param>
    /// <param name="cancellationToken">Cancels the reading.</param>
    /// <returns><see langword="false"/> when the stream ended first.</returns>
    public async ValueTask<bool> ReadDataAsync(DotDecoder decoder, Action beforeRead, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_start < _end)
            {
                var used = decoder.Feed(_buffer.AsSpan(_start, _end - _start), out var complete);
                _start += used;
                if (complete)
                {
                    return true;
                }
            }

            beforeRead();
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = 0;
            _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        return read > 0;
    }
}

/// <summary>One command line as received, without its line end.</summary>
internal sealed class SmtpLine(byte[] bytes)
{
    public static readonly SmtpLine TooLong = new([]);

    public byte[] Bytes { get; } = bytes;
}

/// <summary>
/// Turns the bytes after DATA into the message: removes the dot-stuffing and stops at CRLF <c>.</c> CRLF (the CRLF
/// that ended the DATA command counts as the first). Only CRLF ends a line; a bare CR or LF is message text. Keeps at
/// most the given number of bytes and notes an overflow instead of growing further.
/// </summary>
internal sealed class DotDecoder(int maxBytes)
{
    private readonly ArrayBufferWriter<byte> _data = new();
    private State _state = State.LineStart;

    private enum State
    {
        LineStart,
        Dot,
        DotCr,
        Text,
        Cr,
    }

    public bool Overflow { get; private set; }

    public byte[] ToArray() => _data.WrittenSpan.ToArray();

    /// <summary>Decodes bytes; returns how many it used (all, unless the end of the message came first).</summary>
    public int Feed(ReadOnlySpan<byte> input, out bool complete)
    {
        complete = false;
        for (var i = 0; i < input.Length; i++)
        {
            var b = input[i];
            switch (_state)
            {
                case State.LineStart when b == '.':
                    _state = State.Dot;
                    break;
                case State.Dot when b == '\r':
                    _state = State.DotCr;
                    break;
                case State.DotCr when b == '\n':
                    complete = true;
                    return i + 1;
                case State.DotCr:
                    // ".\rX": the dot was stuffing and the CR is text.
                    Emit((byte)'\r');
                    Text(b);
                    break;
                case State.Cr:
                    Emit(b);
                    _state = b == '\n' ? State.LineStart : b == '\r' ? State.Cr : State.Text;
                    break;
                default:
                    // Text, LineStart without a dot, or a stuffing dot followed by text.
                    Text(b);
                    break;
            }
        }

        return input.Length;
    }

    private void Text(byte b)
    {
        Emit(b);
        _state = b == '\r' ? State.Cr : State.Text;
    }

    private void Emit(byte b)
    {
        if (_data.WrittenCount < maxBytes)
        {
            _data.GetSpan(1)[0] = b;
            _data.Advance(1);
        }
        else
        {
            Overflow = true;
        }
    }
}

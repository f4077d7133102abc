using System.Globalization;
using System.Text;

namespace MtaSts.Cli.Postfix;

/// <summary>What <see cref="Netstring.TryRead"/> found at the start of a buffer.</summary>
internal enum NetstringStatus
{
    /// <summary>A whole netstring: its payload and the bytes it took are known.</summary>
    Complete,

    /// <summary>A valid beginning; more bytes are needed.</summary>
    Incomplete,

    /// <summary>Not a netstring: no digits before the colon, a leading zero, a non-digit, or no comma after the payload.</summary>
    Malformed,

    /// <summary>The length prefix announces more than the caller allows (known before any of the payload is read).</summary>
    TooLong,
}

/// <summary>
/// Netstrings (<c>&lt;length&gt;:&lt;bytes&gt;,</c>, D. J. Bernstein's format), the framing of Postfix's socketmap protocol
/// (socketmap_table(5)). Pure functions over bytes: no I/O, no allocation when reading.
/// </summary>
/// <remarks>
/// The length is decimal ASCII without leading zeros (<c>0</c> only for the empty string). A reader gives up as soon as the
/// prefix shows that the payload would exceed its limit, so a peer can never make it buffer more than
/// <see cref="MaxFrameLength"/> bytes.
/// </remarks>
internal static class Netstring
{
    /// <summary>The most bytes a netstring whose payload is at most <paramref name="maxPayload"/> bytes can take.</summary>
    public static int MaxFrameLength(int maxPayload) => Digits(maxPayload) + maxPayload + 2;

    /// <summary>Reads the netstring at the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">The bytes received so far.</param>
    /// <param name="maxPayload">The longest payload accepted.</param>
    /// <param name="payloadStart">For <see cref="NetstringStatus.Complete"/>: where the payload starts in <paramref name="buffer"/>.</param>
    /// <param name="payloadLength">For <see cref="NetstringStatus.Complete"/>: the payload's length.</param>
    /// <param name="consumed">For <see cref="NetstringStatus.Complete"/>: the bytes the whole netstring took, comma included.</param>
    /// <returns>What the buffer holds.</returns>
    public static NetstringStatus TryRead(ReadOnlySpan<byte> buffer, int maxPayload, out int payloadStart, out int payloadLength, out int consumed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPayload);
        payloadStart = payloadLength = consumed = 0;
        long length = 0;
        var digits = 0;
        var maxDigits = Digits(maxPayload);
        for (var i = 0; i < buffer.Length; i++)
        {
            var b = buffer[i];
            if (b == (byte)':')
            {
                if (digits == 0)
                {
                    return NetstringStatus.Malformed;
                }

                payloadStart = i + 1;
                payloadLength = (int)length;
                if (buffer.Length - payloadStart < payloadLength + 1)
                {
                    return NetstringStatus.Incomplete;
                }

                if (buffer[payloadStart + payloadLength] != (byte)',')
                {
                    return NetstringStatus.Malformed;
                }

                consumed = payloadStart + payloadLength + 1;
                return NetstringStatus.Complete;
            }

            if (b is < (byte)'0' or > (byte)'9' || (digits == 1 && length == 0))
            {
                // A non-digit, or a digit after a leading zero.
                return NetstringStatus.Malformed;
            }

            digits++;
            length = (length * 10) + (b - '0');
            if (digits > maxDigits || length > maxPayload)
            {
                return NetstringStatus.TooLong;
            }
        }

        return NetstringStatus.Incomplete;
    }

    /// <summary>Encodes <paramref name="payload"/> as UTF-8 in a netstring.</summary>
    /// <param name="payload">The text to frame.</param>
    /// <returns>The netstring's bytes.</returns>
    public static byte[] Encode(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var length = Encoding.UTF8.GetByteCount(payload);
        var prefix = length.ToString(CultureInfo.InvariantCulture);
        var frame = new byte[prefix.Length + 1 + length + 1];
        Encoding.ASCII.GetBytes(prefix, frame);
        frame[prefix.Length] = (byte)':';
        Encoding.UTF8.GetBytes(payload, frame.AsSpan(prefix.Length + 1));
        frame[^1] = (byte)',';
        return frame;
    }

    private static int Digits(int value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }
}

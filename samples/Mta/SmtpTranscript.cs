using System.Text;
using MailKit;

namespace MtaSts.Samples.Mta;

/// <summary>
/// Watches the start of one MailKit SMTP session (MailKit's protocol log hook) for what its exceptions do not tell:
/// the server's greeting (its code, and the host name for TLS-RPT's <c>receiving-mx-helo</c>) and whether STARTTLS was
/// sent. Stops looking once the mail transaction begins, so message content is never inspected or kept.
/// </summary>
internal sealed class SmtpTranscript : IProtocolLogger
{
    private const int MaxGreetingBytes = 512;
    private readonly StringBuilder _greeting = new();
    private bool _greetingDone;
    private bool _transactionStarted;

    /// <inheritdoc/>
    public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

    /// <summary>The three-digit code of the greeting, or 0 when none was read.</summary>
    public int GreetingCode { get; private set; }

    /// <summary>The first word after the greeting's code (the server's name), or <see langword="null"/>.</summary>
    public string? ServerName { get; private set; }

    /// <summary>Whether the client sent STARTTLS.</summary>
    public bool SentStartTls { get; private set; }

    /// <inheritdoc/>
    public void LogConnect(Uri uri)
    {
    }

    /// <inheritdoc/>
    public void LogClient(byte[] buffer, int offset, int count)
    {
        if (_transactionStarted)
        {
            return;
        }

        var command = Encoding.ASCII.GetString(buffer, offset, Math.Min(count, 16));
        if (command.StartsWith("STARTTLS", StringComparison.OrdinalIgnoreCase))
        {
            SentStartTls = true;
        }
        else if (command.StartsWith("MAIL ", StringComparison.OrdinalIgnoreCase))
        {
            _transactionStarted = true;
        }
    }

    /// <inheritdoc/>
    public void LogServer(byte[] buffer, int offset, int count)
    {
        if (_greetingDone)
        {
            return;
        }

        _greeting.Append(Encoding.ASCII.GetString(buffer, offset, Math.Min(count, MaxGreetingBytes - _greeting.Length)));
        var text = _greeting.ToString();
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        if (end < 0 && _greeting.Length < MaxGreetingBytes)
        {
            return;
        }

        _greetingDone = true;
        var line = (end < 0 ? text : text[..end]).TrimEnd('\r');
        if (line.Length >= 3 && int.TryParse(line.AsSpan(0, 3), System.Globalization.CultureInfo.InvariantCulture, out var code))
        {
            GreetingCode = code;
            var words = line[3..].TrimStart(' ', '-').Split(' ', 2);
            ServerName = words[0].Length > 0 ? words[0] : null;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}

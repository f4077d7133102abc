using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace MtaSts.Testing;

/// <summary>The state of one session that the logs show; changed and read under the server's log lock.</summary>
internal sealed class SmtpSessionState(int id, string host, IPEndPoint remoteEndPoint)
{
    public const int MaxCommands = 1000;

    public int Id { get; } = id;

    public string Host { get; } = host;

    public IPEndPoint RemoteEndPoint { get; } = remoteEndPoint;

    public string? EhloName { get; set; }

    public bool StartTls { get; set; }

    public SslProtocols TlsProtocol { get; set; }

    public string? Sni { get; set; }

    public string? AuthUser { get; set; }

    public List<string> Commands { get; } = [];

    public SmtpSessionEnd? End { get; set; }

    public SmtpSessionLog Snapshot() => new(Id, Host, RemoteEndPoint, EhloName, StartTls, TlsProtocol, Sni, AuthUser, [.. Commands], End);
}

/// <summary>One connection to a <see cref="LoopbackSmtpServer"/> host: the ESMTP dialogue, STARTTLS, AUTH and DATA.</summary>
internal sealed class SmtpSession : IAsyncDisposable
{
    private const int MaxLineLength = 4096;
    private const int MaxRecipients = 100;
    private const int MaxErrorsInARow = 20;
    private const int MaxVerbLength = 16;

    private readonly LoopbackSmtpServer _server;
    private readonly SmtpSessionState _state;
    private readonly SmtpHostBehavior _behavior;
    private readonly string _hostName;
    private readonly CancellationToken _stopping;
    private readonly SmtpReader _reader;
    private readonly NetworkStream _network;
    private Stream _stream;
    private CancellationTokenSource _timeout = null!;
    private bool _greeted;
    private bool _tls;
    private SslProtocols _protocol;
    private string? _authUser;
    private string? _mailFrom;
    private readonly List<string> _recipients = [];
    private int _errorsInARow;

    public SmtpSession(LoopbackSmtpServer server, SmtpSessionState state, SmtpHostBehavior behavior, Socket socket, CancellationToken stopping)
    {
        _server = server;
        _state = state;
        _behavior = behavior;
        _hostName = state.Host;
        _stopping = stopping;
        _network = new NetworkStream(socket, ownsSocket: true);
        _stream = _network;
        _reader = new SmtpReader(_network);
    }

    private enum Outcome
    {
        Continue,
        Close,
    }

    /// <summary>Runs the session to its end; never throws.</summary>
    public async Task RunAsync(bool tooManySessions)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        _timeout = timeout;
        SmtpSessionEnd end;
        try
        {
            end = await DialogueAsync(tooManySessions).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            end = _stopping.IsCancellationRequested ? SmtpSessionEnd.ServerStopped : SmtpSessionEnd.IdleTimeout;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            end = _stopping.IsCancellationRequested ? SmtpSessionEnd.ServerStopped : SmtpSessionEnd.ClientClosed;
        }
#pragma warning disable CA1031 // a fault in the test server ends the session and shows in its log, never in the test process
        catch (Exception)
#pragma warning restore CA1031
        {
            end = SmtpSessionEnd.ServerError;
        }

        _server.Update(_state, s => s.End ??= end);
    }

    /// <summary>Closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
            await _network.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The connection is gone anyway.
        }
    }

    private static bool IsPositive(string reply) => reply.StartsWith("220", StringComparison.Ordinal);

    private static (string Verb, string Arguments) Split(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (line, string.Empty) : (line[..space], line[(space + 1)..].Trim());
    }

    /// <summary>Parses <c>FROM:&lt;path&gt; params</c> or <c>TO:&lt;path&gt; params</c>; null when malformed.</summary>
    private static (string Path, string[] Parameters)? ParsePath(string arguments, string keyword)
    {
        if (!arguments.StartsWith(keyword, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var rest = arguments[keyword.Length..].TrimStart();
        if (!rest.StartsWith('<'))
        {
            return null;
        }

        var close = rest.IndexOf('>', StringComparison.Ordinal);
        if (close < 0)
        {
            return null;
        }

        var path = rest[1..close];
        if (path.Contains('<', StringComparison.Ordinal) || path.Any(char.IsWhiteSpace))
        {
            return null;
        }

        var parameters = rest[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (path, parameters);
    }

    private static string? DecodeBase64(string text)
    {
        if (text == "=")
        {
            return string.Empty;
        }

        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out var written) ? Encoding.UTF8.GetString(bytes, 0, written) : null;
    }

    private async Task<SmtpSessionEnd> DialogueAsync(bool tooManySessions)
    {
        if (tooManySessions)
        {
            await ReplyAsync("421 4.7.0 Too many sessions, try again later").ConfigureAwait(false);
            return SmtpSessionEnd.TooManySessions;
        }

        if (_behavior.GreetingDelay > TimeSpan.Zero)
        {
            await Task.Delay(_behavior.GreetingDelay, TimeProvider.System, _stopping).ConfigureAwait(false);
        }

        var greeting = _behavior.Greeting ?? $"220 {_hostName} ESMTP MtaSts.Testing";
        await ReplyAsync(greeting).ConfigureAwait(false);
        if (_behavior.CloseAfterGreeting)
        {
            return SmtpSessionEnd.ClosedAfterGreeting;
        }

        var serving = IsPositive(greeting);
        while (true)
        {
            var line = await ReadLineAsync().ConfigureAwait(false);
            if (line is null)
            {
                return SmtpSessionEnd.ClientClosed;
            }

            Outcome outcome;
            if (ReferenceEquals(line, SmtpLine.TooLong))
            {
                outcome = await ErrorAsync("500 5.5.2 Line too long").ConfigureAwait(false);
            }
            else
            {
                var (verb, arguments) = Split(Encoding.UTF8.GetString(line.Bytes));
                verb = verb.ToUpperInvariant();
                _server.Update(_state, s =>
                {
                    if (s.Commands.Count < SmtpSessionState.MaxCommands)
                    {
                        s.Commands.Add(verb.Length > MaxVerbLength ? verb[..MaxVerbLength] : verb);
                    }
                });

                if (verb == "QUIT")
                {
                    _server.Update(_state, s => s.End = SmtpSessionEnd.Quit);
                    await ReplyAsync("221 2.0.0 Bye").ConfigureAwait(false);
                    return SmtpSessionEnd.Quit;
                }

                outcome = serving
                    ? await CommandAsync(verb, arguments).ConfigureAwait(false)
                    : await ErrorAsync("503 5.5.1 No service here, only QUIT").ConfigureAwait(false);
            }

            if (outcome == Outcome.Close)
            {
                return _state.End ?? SmtpSessionEnd.TooManyErrors;
            }
        }
    }

    private async Task<Outcome> CommandAsync(string verb, string arguments)
    {
        switch (verb)
        {
            case "EHLO":
            case "HELO":
                return await HelloAsync(verb == "EHLO", arguments).ConfigureAwait(false);
            case "STARTTLS":
                return await StartTlsAsync(arguments).ConfigureAwait(false);
            case "AUTH":
                return await AuthAsync(arguments).ConfigureAwait(false);
            case "MAIL":
                return await MailAsync(arguments).ConfigureAwait(false);
            case "RCPT":
                return await RecipientAsync(arguments).ConfigureAwait(false);
            case "DATA":
                return await DataAsync(arguments).ConfigureAwait(false);
            case "RSET":
                ResetTransaction();
                return await OkAsync("250 2.0.0 OK").ConfigureAwait(false);
            case "NOOP":
                return await OkAsync("250 2.0.0 OK").ConfigureAwait(false);
            case "VRFY":
            case "EXPN":
            case "HELP":
            case "BDAT":
            case "ETRN":
            case "TURN":
                return await ErrorAsync("502 5.5.1 Command not implemented").ConfigureAwait(false);
            default:
                return await ErrorAsync("500 5.5.2 Command not recognized").ConfigureAwait(false);
        }
    }

    private async Task<Outcome> HelloAsync(bool extended, string arguments)
    {
        if (arguments.Length == 0 || arguments.Contains(' ', StringComparison.Ordinal))
        {
            return await ErrorAsync(extended ? "501 5.5.4 Syntax: EHLO hostname" : "501 5.5.4 Syntax: HELO hostname").ConfigureAwait(false);
        }

        ResetTransaction();
        _greeted = true;
        _server.Update(_state, s => s.EhloName = arguments);
        if (!extended)
        {
            return await OkAsync($"250 {_hostName}").ConfigureAwait(false);
        }

        var lines = new List<string>
        {
            $"{_hostName} greets {arguments}",
            "8BITMIME",
            "ENHANCEDSTATUSCODES",
            "SIZE " + LoopbackSmtpServer.MaxMessageSize.ToString(CultureInfo.InvariantCulture),
        };
        if (_behavior.OfferStartTls && !_tls)
        {
            lines.Add("STARTTLS");
        }

        if (_tls)
        {
            lines.Add("AUTH PLAIN LOGIN");
        }

        var reply = new StringBuilder();
        for (var i = 0; i < lines.Count; i++)
        {
            reply.Append("250").Append(i == lines.Count - 1 ? ' ' : '-').Append(lines[i]);
            if (i < lines.Count - 1)
            {
                reply.Append("\r\n");
            }
        }

        return await OkAsync(reply.ToString()).ConfigureAwait(false);
    }

    private async Task<Outcome> StartTlsAsync(string arguments)
    {
        if (_tls)
        {
            return await ErrorAsync("503 5.5.1 TLS already active").ConfigureAwait(false);
        }

        if (!_behavior.OfferStartTls)
        {
            return await ErrorAsync("502 5.5.1 STARTTLS not offered").ConfigureAwait(false);
        }

        if (arguments.Length > 0)
        {
            return await ErrorAsync("501 5.5.4 Syntax: STARTTLS").ConfigureAwait(false);
        }

        var reply = _behavior.StartTlsReply ?? "220 2.0.0 Ready to start TLS";
        await ReplyAsync(reply).ConfigureAwait(false);
        if (!IsPositive(reply))
        {
            _errorsInARow = 0;
            return Outcome.Continue;
        }

        var ssl = new SslStream(_network, leaveInnerStreamOpen: true);
        _stream = ssl;
        try
        {
            _timeout.CancelAfter(_server.IdleTimeout);
            await ssl.AuthenticateAsServerAsync(
                (_, hello, _, _) =>
                {
                    var sni = string.IsNullOrWhiteSpace(hello.ServerName) ? null : global::MtaSts.Dns.DnsNames.FromWire(hello.ServerName.Trim());
                    _server.Update(_state, s => s.Sni = sni);
                    return ValueTask.FromResult(_server.ServerOptions(_hostName, _behavior));
                },
                null,
                _timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            _server.Update(_state, s => s.End = SmtpSessionEnd.TlsHandshakeFailed);
            return Outcome.Close;
        }

        // RFC 3207 §4.2: the client starts again from EHLO; nothing learnt before the handshake carries over.
        _tls = true;
        _protocol = ssl.SslProtocol;
        _reader.Reset(ssl);
        _greeted = false;
        _authUser = null;
        ResetTransaction();
        _errorsInARow = 0;
        _server.Update(_state, s =>
        {
            s.StartTls = true;
            s.TlsProtocol = ssl.SslProtocol;
            s.EhloName = null;
            s.AuthUser = null;
        });
        return Outcome.Continue;
    }

    private async Task<Outcome> AuthAsync(string arguments)
    {
        if (!_greeted)
        {
            return await ErrorAsync("503 5.5.1 Send EHLO first").ConfigureAwait(false);
        }

        if (!_tls)
        {
            return await ErrorAsync("538 5.7.11 Encryption required for requested authentication mechanism").ConfigureAwait(false);
        }

        if (_authUser is not null)
        {
            return await ErrorAsync("503 5.5.1 Already authenticated").ConfigureAwait(false);
        }

        if (_mailFrom is not null)
        {
            return await ErrorAsync("503 5.5.1 AUTH not allowed during a mail transaction").ConfigureAwait(false);
        }

        var (mechanism, initial) = Split(arguments);
        string? user;
        switch (mechanism.ToUpperInvariant())
        {
            case "PLAIN":
            {
                var response = initial.Length > 0 ? initial : await ChallengeAsync("334 ").ConfigureAwait(false);
                if (response is null)
                {
                    return Outcome.Close;
                }

                if (response == "*")
                {
                    return await ErrorAsync("501 5.7.0 Authentication cancelled").ConfigureAwait(false);
                }

                var parts = DecodeBase64(response)?.Split('\0');
                user = parts is { Length: 3 } && parts[1].Length > 0 ? parts[1] : null;
                break;
            }

            case "LOGIN":
            {
                var name = initial.Length > 0 ? initial : await ChallengeAsync("334 VXNlcm5hbWU6").ConfigureAwait(false);
                if (name is null)
                {
                    return Outcome.Close;
                }

                if (name == "*")
                {
                    return await ErrorAsync("501 5.7.0 Authentication cancelled").ConfigureAwait(false);
                }

                user = DecodeBase64(name);
                if (user is not null)
                {
                    var password = await ChallengeAsync("334 UGFzc3dvcmQ6").ConfigureAwait(false);
                    if (password is null)
                    {
                        return Outcome.Close;
                    }

                    if (password == "*")
                    {
                        return await ErrorAsync("501 5.7.0 Authentication cancelled").ConfigureAwait(false);
                    }

                    user = DecodeBase64(password) is null || user.Length == 0 ? null : user;
                }

                break;
            }

            default:
                return await ErrorAsync("504 5.5.4 Unrecognized authentication type").ConfigureAwait(false);
        }

        if (user is null)
        {
            return await ErrorAsync("501 5.5.2 Cannot decode the response").ConfigureAwait(false);
        }

        _authUser = user;
        _server.Update(_state, s => s.AuthUser = user);
        return await OkAsync("235 2.7.0 Authentication successful").ConfigureAwait(false);
    }

    /// <summary>Sends a 334 challenge and reads the answer line; null when the client went away.</summary>
    private async Task<string?> ChallengeAsync(string challenge)
    {
        await ReplyAsync(challenge).ConfigureAwait(false);
        var line = await ReadLineAsync().ConfigureAwait(false);
        if (line is null)
        {
            _server.Update(_state, s => s.End = SmtpSessionEnd.ClientClosed);
            return null;
        }

        // An overlong answer cannot be base64 of anything sensible: it fails to decode like garbage.
        return ReferenceEquals(line, SmtpLine.TooLong) ? "!" : Encoding.ASCII.GetString(line.Bytes).Trim();
    }

    private async Task<Outcome> MailAsync(string arguments)
    {
        if (!_greeted)
        {
            return await ErrorAsync("503 5.5.1 Send EHLO or HELO first").ConfigureAwait(false);
        }

        if (_mailFrom is not null)
        {
            return await ErrorAsync("503 5.5.1 Nested MAIL command").ConfigureAwait(false);
        }

        if (ParsePath(arguments, "FROM:") is not { } parsed)
        {
            return await ErrorAsync("501 5.5.4 Syntax: MAIL FROM:<address>").ConfigureAwait(false);
        }

        foreach (var parameter in parsed.Parameters)
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            var key = (equals < 0 ? parameter : parameter[..equals]).ToUpperInvariant();
            var value = equals < 0 ? string.Empty : parameter[(equals + 1)..];
            switch (key)
            {
                case "SIZE" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size):
                    if (size > LoopbackSmtpServer.MaxMessageSize)
                    {
                        return await ErrorAsync("552 5.3.4 Message size exceeds fixed maximum message size").ConfigureAwait(false);
                    }

                    break;
                case "BODY" when value.Equals("7BIT", StringComparison.OrdinalIgnoreCase) || value.Equals("8BITMIME", StringComparison.OrdinalIgnoreCase):
                case "AUTH" when value.Length > 0:
                    break;
                default:
                    return await ErrorAsync("555 5.5.4 MAIL FROM parameter not recognized or not implemented").ConfigureAwait(false);
            }
        }

        _mailFrom = parsed.Path;
        return await OkAsync("250 2.1.0 Sender OK").ConfigureAwait(false);
    }

    private async Task<Outcome> RecipientAsync(string arguments)
    {
        if (_mailFrom is null)
        {
            return await ErrorAsync("503 5.5.1 Need MAIL before RCPT").ConfigureAwait(false);
        }

        if (ParsePath(arguments, "TO:") is not { } parsed || parsed.Path.Length == 0)
        {
            return await ErrorAsync("501 5.5.4 Syntax: RCPT TO:<address>").ConfigureAwait(false);
        }

        if (parsed.Parameters.Length > 0)
        {
            return await ErrorAsync("555 5.5.4 RCPT TO parameters not recognized or not implemented").ConfigureAwait(false);
        }

        if (_recipients.Count >= MaxRecipients)
        {
            return await OkAsync("452 4.5.3 Too many recipients").ConfigureAwait(false);
        }

        _recipients.Add(parsed.Path);
        return await OkAsync("250 2.1.5 Recipient OK").ConfigureAwait(false);
    }

    private async Task<Outcome> DataAsync(string arguments)
    {
        if (_mailFrom is null || _recipients.Count == 0)
        {
            return await ErrorAsync("503 5.5.1 Need RCPT before DATA").ConfigureAwait(false);
        }

        if (arguments.Length > 0)
        {
            return await ErrorAsync("501 5.5.4 Syntax: DATA").ConfigureAwait(false);
        }

        await ReplyAsync("354 Start mail input; end with <CRLF>.<CRLF>").ConfigureAwait(false);
        var decoder = new DotDecoder(LoopbackSmtpServer.MaxMessageSize);
        _timeout.CancelAfter(_server.IdleTimeout);
        if (!await _reader.ReadDataAsync(decoder, () => _timeout.CancelAfter(_server.IdleTimeout), _timeout.Token).ConfigureAwait(false))
        {
            _server.Update(_state, s => s.End = SmtpSessionEnd.ClientClosed);
            return Outcome.Close;
        }

        if (decoder.Overflow)
        {
            ResetTransaction();
            return await ErrorAsync("552 5.3.4 Message too big").ConfigureAwait(false);
        }

        var message = new ReceivedSmtpMessage(
            _state.Id, _hostName, _state.RemoteEndPoint, _mailFrom, [.. _recipients], decoder.ToArray(), _tls, _protocol, _authUser);
        ResetTransaction();
        _server.Record(message);
        return await OkAsync("250 2.0.0 Message accepted").ConfigureAwait(false);
    }

    private void ResetTransaction()
    {
        _mailFrom = null;
        _recipients.Clear();
    }

    private async Task<SmtpLine?> ReadLineAsync()
    {
        _timeout.CancelAfter(_server.IdleTimeout);
        return await _reader.ReadLineAsync(MaxLineLength, _timeout.Token).ConfigureAwait(false);
    }

    private async Task ReplyAsync(string reply)
    {
        _timeout.CancelAfter(_server.IdleTimeout);
        var bytes = Encoding.UTF8.GetBytes(reply + "\r\n");
        await _stream.WriteAsync(bytes, _timeout.Token).ConfigureAwait(false);
        await _stream.FlushAsync(_timeout.Token).ConfigureAwait(false);
    }

    private async Task<Outcome> OkAsync(string reply)
    {
        _errorsInARow = 0;
        await ReplyAsync(reply).ConfigureAwait(false);
        return Outcome.Continue;
    }

    private async Task<Outcome> ErrorAsync(string reply)
    {
        if (++_errorsInARow >= MaxErrorsInARow)
        {
            _server.Update(_state, s => s.End = SmtpSessionEnd.TooManyErrors);
            await ReplyAsync("421 4.7.0 Too many errors, closing the connection").ConfigureAwait(false);
            return Outcome.Close;
        }

        await ReplyAsync(reply).ConfigureAwait(false);
        return Outcome.Continue;
    }
}

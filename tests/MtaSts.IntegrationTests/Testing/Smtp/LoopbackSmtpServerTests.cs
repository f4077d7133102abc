using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Testing.Smtp;

public sealed class LoopbackSmtpServerTests(SmtpServerFixture fixture) : IClassFixture<SmtpServerFixture>
{
    private LoopbackSmtpServer Server => fixture.Server;

    [Fact]
    public async Task Greeting_AndEhlo_OfferStartTls_ButNoAuthBeforeTls()
    {
        var address = Server.AddHost("mx1.greeting.example.test");
        await using var client = await SmtpTestClient.ConnectAsync(address, Server.Port);

        var greeting = await client.ReadReplyAsync();
        var ehlo = await client.CommandAsync("EHLO client.example.test");

        Assert.Equal(220, greeting.Code);
        Assert.StartsWith("mx1.greeting.example.test ", greeting.Lines[0], StringComparison.Ordinal);
        Assert.Equal(250, ehlo.Code);
        Assert.Contains("STARTTLS", ehlo.Lines);
        Assert.Contains("8BITMIME", ehlo.Lines);
        Assert.Contains($"SIZE {LoopbackSmtpServer.MaxMessageSize}", ehlo.Lines);
        Assert.DoesNotContain(ehlo.Lines, l => l.StartsWith("AUTH", StringComparison.Ordinal));
        Assert.Equal(538, (await client.CommandAsync("AUTH PLAIN AGFsaWNlAHNlY3JldA==")).Code);
        Assert.Equal(221, (await client.CommandAsync("QUIT")).Code);

        var session = Server.Sessions.Last(s => s.Host == "mx1.greeting.example.test");
        Assert.Equal("client.example.test", session.EhloName);
        Assert.Equal(SmtpSessionEnd.Quit, session.End);
        Assert.False(session.StartTls);
        Assert.Equal(["EHLO", "AUTH", "QUIT"], session.Commands);
        Assert.Equal(client.LocalEndPoint, session.RemoteEndPoint);
    }

    [Fact]
    public async Task StartTls_ValidCertificate_ValidatesAgainstTheRoot_ForTheHostsName()
    {
        const string host = "mx1.valid.example.test";
        var address = Server.AddHost(host);
        await using var client = await SmtpTestClient.ConnectAsync(address, Server.Port);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO client.example.test");

        Assert.Equal(220, (await client.CommandAsync("STARTTLS")).Code);
        await client.StartTlsAsync(host, fixture.Authority);
        var ehlo = await client.CommandAsync("EHLO client.example.test");

        Assert.Equal(SslPolicyErrors.None, client.Errors);
        Assert.Equal(Server.GetCertificate(host).Thumbprint, client.Certificate!.Thumbprint);
        Assert.Contains("AUTH PLAIN LOGIN", ehlo.Lines);
        Assert.DoesNotContain("STARTTLS", ehlo.Lines);
        Assert.Equal(503, (await client.CommandAsync("STARTTLS")).Code);
        var session = Server.Sessions.Last(s => s.Host == host);
        Assert.True(session.StartTls);
        Assert.Equal(host, session.Sni);
        Assert.NotEqual(SslProtocols.None, session.TlsProtocol);
        Assert.Null(session.End);
    }

    [Fact]
    public async Task WrongNameCertificate_FailsTheNameCheck()
    {
        const string host = "mx1.wrong-name.example.test";
        var address = Server.AddHost(host, new SmtpHostBehavior { Certificate = TestCertificateKind.WrongName });
        await using var client = await SmtpTestClient.ConnectAsync(address, Server.Port);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO client.example.test");
        await client.CommandAsync("STARTTLS");

        await client.StartTlsAsync(host, fixture.Authority, acceptAny: true);

        Assert.Equal(SslPolicyErrors.RemoteCertificateNameMismatch, client.Errors);
        Assert.Equal(TestCertificateAuthority.WrongHostName, client.Certificate!.GetNameInfo(X509NameType.DnsName, false));
        Assert.Equal(Server.GetCertificate(host).Thumbprint, client.Certificate.Thumbprint);
    }

    [Fact]
    public async Task NoStartTlsOffered_EhloLacksIt_AndTheCommandIsRejected()
    {
        var address = Server.AddHost("mx1.plain.example.test", new SmtpHostBehavior { OfferStartTls = false });
        await using var client = await SmtpTestClient.ConnectAsync(address, Server.Port);
        await client.ReadReplyAsync();

        var ehlo = await client.CommandAsync("EHLO client.example.test");
        var startTls = await client.CommandAsync("STARTTLS");

        Assert.DoesNotContain("STARTTLS", ehlo.Lines);
        Assert.Equal(502, startTls.Code);
        Assert.Equal(250, (await client.CommandAsync("NOOP")).Code);
    }

    [Fact]
    public async Task StartTlsReply_RefusesTls_AndTheSessionGoesOnInPlainText()
    {
        var address = Server.AddHost("mx1.refuse.example.test", new SmtpHostBehavior { StartTlsReply = "454 4.7.0 TLS not available" });
        await using var client = await SmtpTestClient.ConnectAsync(address, Server.Port);
        await client.ReadReplyAsync();
        Assert.Contains("STARTTLS", (await client.CommandAsync("EHLO client.example.test")).Lines);

        var reply = await client.CommandAsync("STARTTLS");

        Assert.Equal(454, reply.Code);
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<a@client.example.test>")).Code);
        Assert.False(Server.Sessions.Last(s => s.Host == "mx1.refuse.example.test").StartTls);
    }

    [Fact]
    public async Task FullMessage_OverTlsWithAuthPlain_IsRecordedByteExact_WithoutDotStuffing()
    {
        const string host = "mx1.deliver.example.test";
        var address = Server.AddHost(host);
        await using var client = await SmtpTestClient.ConnectAsync(address, Server.Port);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO client.example.test");
        await client.CommandAsync("STARTTLS");
        await client.StartTlsAsync(host, fixture.Authority);
        await client.CommandAsync("EHLO client.example.test");

        Assert.Equal(235, (await client.CommandAsync("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes("\0alice\0secret")))).Code);
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<reports@sender.example.test> SIZE=200 BODY=8BITMIME")).Code);
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<tlsrpt@deliver.example.test>")).Code);
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<copy@deliver.example.test>")).Code);
        Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
        // On the wire: a stuffed lone dot, a stuffed "..", a dot inside a line, a bare LF and 8-bit text.
        await client.WriteAsync("Subject: test\r\n\r\n..\r\n...x\r\na.b\r\nbare\nlf\r\nGrüße\r\n.\r\n"u8.ToArray());
        var accepted = await client.ReadReplyAsync();

        Assert.Equal(250, accepted.Code);
        var message = await Server.WaitForMessageAsync(TimeSpan.FromSeconds(5), m => m.Host == host);
        Assert.Equal("Subject: test\r\n\r\n.\r\n..x\r\na.b\r\nbare\nlf\r\nGrüße\r\n"u8.ToArray(), message.Data);
        Assert.Equal("reports@sender.example.test", message.MailFrom);
        Assert.Equal(["tlsrpt@deliver.example.test", "copy@deliver.example.test"], message.Recipients);
        Assert.True(message.Tls);
        Assert.NotEqual(SslProtocols.None, message.TlsProtocol);
        Assert.Equal("alice", message.AuthUser);
        Assert.Equal("alice", Server.Sessions.Single(s => s.Id == message.SessionId).AuthUser);
        Assert.Equal(221, (await client.CommandAsync("QUIT")).Code);
    }

    [Fact]
    public async Task AuthLogin_AndAnEmptyMessage_AreAccepted()
    {
        const string host = "mx1.login.example.test";
        var address = Server.AddHost(host);
        await using var client = await SmtpTestClient.ConnectAsync(address, Server.Port);
        await client.ReadReplyAsync();
        await client.CommandAsync("STARTTLS");
        await client.StartTlsAsync(host, fixture.Authority);
        Assert.Equal(503, (await client.CommandAsync("MAIL FROM:<>")).Code); // EHLO again first
        await client.CommandAsync("EHLO client.example.test");

        Assert.Equal(334, (await client.CommandAsync("AUTH LOGIN")).Code);
        Assert.Equal(334, (await client.CommandAsync(Convert.ToBase64String("bob"u8))).Code);
        Assert.Equal(235, (await client.CommandAsync(Convert.ToBase64String("pw"u8))).Code);
        await client.CommandAsync("MAIL FROM:<>");
        await client.CommandAsync("RCPT TO:<postmaster@login.example.test>");
        await client.CommandAsync("DATA");
        Assert.Equal(250, (await client.CommandAsync(".")).Code);

        var message = await Server.WaitForMessageAsync(TimeSpan.FromSeconds(5), m => m.Host == host);
        Assert.Empty(message.Data);
        Assert.Equal(string.Empty, message.MailFrom);
        Assert.Equal("bob", message.AuthUser);
    }

    [Fact]
    public async Task TwoHosts_OnTheirOwnAddresses_PresentTheirOwnCertificates()
    {
        var first = Server.AddHost("mx1.two.example.test");
        var second = Server.AddHost("mx2.two.example.test");
        Assert.NotEqual(first, second);
        Assert.Equal(first, Server.AddHost("mx1.two.example.test")); // adding again keeps the address

        foreach (var (host, address) in new[] { ("mx1.two.example.test", first), ("mx2.two.example.test", second) })
        {
            await using var client = await SmtpTestClient.ConnectAsync(address, Server.Port);
            Assert.StartsWith(host, (await client.ReadReplyAsync()).Lines[0], StringComparison.Ordinal);
            await client.CommandAsync("STARTTLS");
            // The SNI name is the other host's: the server must not choose by it.
            await client.StartTlsAsync(host == "mx1.two.example.test" ? "mx2.two.example.test" : "mx1.two.example.test", fixture.Authority, acceptAny: true);

            Assert.Equal(Server.GetCertificate(host).Thumbprint, client.Certificate!.Thumbprint);
            Assert.Equal(SslPolicyErrors.RemoteCertificateNameMismatch, client.Errors);
        }

        Assert.NotEqual(Server.GetCertificate("mx1.two.example.test").Thumbprint, Server.GetCertificate("mx2.two.example.test").Thumbprint);
        Assert.Equal(first, Server.GetAddress("mx1.two.example.test"));
    }

    [Fact]
    public async Task OversizedLine_GetsAnError_AndTheSessionGoesOn()
    {
        var address = Server.AddHost("mx1.long-line.example.test");
        await using var client = await SmtpTestClient.ConnectAsync(address, Server.Port);
        await client.ReadReplyAsync();

        var tooLong = await client.CommandAsync("NOOP " + new string('x', 100_000));
        var garbage = await client.CommandAsync("\u0001\u00ff\u0000 junk");
        var noop = await client.CommandAsync("NOOP");

        Assert.Equal(500, tooLong.Code);
        Assert.Equal(500, garbage.Code);
        Assert.Equal(250, noop.Code);
        Assert.Equal(552, (await client.CommandAsync("EHLO c.example.test", "MAIL FROM:<a@b.test> SIZE=99999999")).Code);
    }

    [Fact]
    public async Task PlainTextPipelinedBehindStartTls_IsThrownAway()
    {
        const string host = "mx1.injection.example.test";
        var address = Server.AddHost(host);
        await using var client = await SmtpTestClient.ConnectAsync(address, Server.Port);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO client.example.test");

        await client.WriteAsync("STARTTLS\r\nRSET\r\n"u8.ToArray());
        Assert.Equal(220, (await client.ReadReplyAsync()).Code);
        await client.StartTlsAsync(host, fixture.Authority);
        var first = await client.CommandAsync("EHLO client.example.test");

        Assert.Contains("AUTH PLAIN LOGIN", first.Lines); // the EHLO reply, not a reply to the injected RSET
        Assert.Equal(250, (await client.CommandAsync("NOOP")).Code);
    }

    [Fact]
    public async Task GreetingDelay_HoldsBackTheGreeting()
    {
        var address = Server.AddHost("mx1.slow.example.test", new SmtpHostBehavior { GreetingDelay = TimeSpan.FromMilliseconds(400) });
        var watch = Stopwatch.StartNew();
        await using var client = await SmtpTestClient.ConnectAsync(address, Server.Port);

        var greeting = await client.ReadReplyAsync();

        Assert.Equal(220, greeting.Code);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task RejectingGreeting_AnswersOnlyQuit()
    {
        var address = Server.AddHost("mx1.reject.example.test", new SmtpHostBehavior { Greeting = "554 5.3.2 No service" });
        await using var client = await SmtpTestClient.ConnectAsync(address, Server.Port);

        Assert.Equal(554, (await client.ReadReplyAsync()).Code);
        Assert.Equal(503, (await client.CommandAsync("EHLO client.example.test")).Code);
        Assert.Equal(221, (await client.CommandAsync("QUIT")).Code);
    }

    [Fact]
    public async Task CloseAfterGreeting_ClosesTheConnection()
    {
        var address = Server.AddHost("mx1.close.example.test", new SmtpHostBehavior { CloseAfterGreeting = true });
        await using var client = await SmtpTestClient.ConnectAsync(address, Server.Port);

        Assert.Equal(220, (await client.ReadReplyAsync()).Code);
        await Assert.ThrowsAsync<EndOfStreamException>(() => client.ReadReplyAsync());
        await TestWait.UntilAsync(() => Server.Sessions.Any(s => s.Host == "mx1.close.example.test" && s.End is not null));
        Assert.Equal(SmtpSessionEnd.ClosedAfterGreeting, Server.Sessions.Last(s => s.Host == "mx1.close.example.test").End);
    }

    [Fact]
    public async Task Tls11OnlyHost_FailsTheHandshake()
    {
        const string host = "mx1.tls11.example.test";
#pragma warning disable SYSLIB0039, CA5397 // an obsolete protocol on purpose
        var address = Server.AddHost(host, new SmtpHostBehavior { TlsProtocols = SslProtocols.Tls11 });
#pragma warning restore SYSLIB0039, CA5397
        await using var client = await SmtpTestClient.ConnectAsync(address, Server.Port);
        await client.ReadReplyAsync();
        await client.CommandAsync("STARTTLS");

        await Assert.ThrowsAnyAsync<Exception>(() => client.StartTlsAsync(host, fixture.Authority));

        await TestWait.UntilAsync(() => Server.Sessions.Any(s => s.Host == host && s.End is not null));
        var session = Server.Sessions.Last(s => s.Host == host);
        Assert.Equal(SmtpSessionEnd.TlsHandshakeFailed, session.End);
        Assert.Equal(host, session.Sni);
        Assert.False(session.StartTls);
    }

    [Fact]
    public async Task OversizedMessage_Gets552_AndTheSessionGoesOn()
    {
        var address = Server.AddHost("mx1.big.example.test");
        await using var client = await SmtpTestClient.ConnectAsync(address, Server.Port);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO client.example.test", "MAIL FROM:<a@client.example.test>", "RCPT TO:<b@big.example.test>");
        Assert.Equal(354, (await client.CommandAsync("DATA")).Code);

        var line = Encoding.ASCII.GetBytes(new string('x', 998) + "\r\n");
        var body = new byte[(LoopbackSmtpServer.MaxMessageSize / line.Length + 10) * line.Length];
        for (var offset = 0; offset < body.Length; offset += line.Length)
        {
            line.CopyTo(body, offset);
        }

        await client.WriteAsync([.. body, .. ".\r\n"u8]);

        Assert.Equal(552, (await client.ReadReplyAsync()).Code);
        Assert.Equal(503, (await client.CommandAsync("DATA")).Code); // the transaction was reset
        Assert.DoesNotContain(Server.Messages, m => m.Host == "mx1.big.example.test");
    }

    [Fact]
    public async Task IdleSession_IsClosed_AndTheDefaultListenerPlaysTheUnknownHost()
    {
        await using var server = await LoopbackSmtpServer.StartAsync(fixture.Authority);
        server.IdleTimeout = TimeSpan.FromMilliseconds(300);
        await using var client = await SmtpTestClient.ConnectAsync(IPAddress.Loopback, server.Port);

        Assert.StartsWith(LoopbackSmtpServer.UnknownHostName + " ", (await client.ReadReplyAsync()).Lines[0], StringComparison.Ordinal);
        await Assert.ThrowsAsync<EndOfStreamException>(() => client.ReadReplyAsync());

        await TestWait.UntilAsync(() => server.Sessions.Any(s => s.End is not null));
        Assert.Equal(SmtpSessionEnd.IdleTimeout, Assert.Single(server.Sessions).End);
    }

    [Fact]
    public void BadBehavior_AndUnknownHosts_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => Server.AddHost("mx1.bad.example.test", new SmtpHostBehavior { Greeting = "220 a\r\n250 b" }));
        Assert.Throws<ArgumentException>(() => Server.GetCertificate("never-added.example.test"));
    }

    [Fact]
    public async Task WaitForMessage_TimesOut_WhenNothingMatches()
    {
        await Assert.ThrowsAsync<TimeoutException>(() => Server.WaitForMessageAsync(TimeSpan.FromMilliseconds(50), m => m.Host == "nobody.example.test"));
    }
}

/// <summary>A bare SMTP client over a socket and, after STARTTLS, an SslStream: just enough to drive the server.</summary>
internal sealed class SmtpTestClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _network;
    private Stream _stream;
    private readonly List<byte> _pending = [];
    private readonly byte[] _buffer = new byte[8192];

    private SmtpTestClient(Socket socket)
    {
        _socket = socket;
        _network = new NetworkStream(socket, ownsSocket: true);
        _stream = _network;
    }

    public SslPolicyErrors Errors { get; private set; }

    public X509Certificate2? Certificate { get; private set; }

    public EndPoint LocalEndPoint => _socket.LocalEndPoint!;

    public static async Task<SmtpTestClient> ConnectAsync(IPAddress address, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await socket.ConnectAsync(address, port, timeout.Token);
        return new SmtpTestClient(socket);
    }

    public async Task WriteAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Sends the commands in one write (pipelined) and returns the reply to the last.</summary>
    public async Task<SmtpReply> CommandAsync(params string[] commands)
    {
        await WriteAsync(Encoding.UTF8.GetBytes(string.Concat(commands.Select(c => c + "\r\n"))));
        SmtpReply reply = null!;
        foreach (var _ in commands)
        {
            reply = await ReadReplyAsync();
        }

        return reply;
    }

    public async Task<SmtpReply> ReadReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync();
            Assert.True(line.Length >= 3, $"Short reply line '{line}'.");
            lines.Add(line.Length > 4 ? line[4..] : string.Empty);
            if (line.Length == 3 || line[3] == ' ')
            {
                return new SmtpReply(int.Parse(line[..3], System.Globalization.CultureInfo.InvariantCulture), lines);
            }
        }
    }

    public async Task StartTlsAsync(string host, TestCertificateAuthority authority, bool acceptAny = false)
    {
        Assert.Empty(_pending);
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(authority.RootCertificate);
        var ssl = new SslStream(_network, leaveInnerStreamOpen: true);
        _stream = ssl;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = host,
                CertificateChainPolicy = policy,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    Errors = errors;
                    Certificate = certificate is null ? null : new X509Certificate2(certificate);
                    return acceptAny || errors == SslPolicyErrors.None;
                },
            },
            timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        await _network.DisposeAsync();
        Certificate?.Dispose();
    }

    private async Task<string> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (true)
        {
            var newline = _pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = Encoding.UTF8.GetString([.. _pending.Take(newline)]).TrimEnd('\r');
                _pending.RemoveRange(0, newline + 1);
                return line;
            }

            var read = await _stream.ReadAsync(_buffer, timeout.Token);
            if (read == 0)
            {
                throw new EndOfStreamException("The server closed the connection.");
            }

            _pending.AddRange(_buffer.AsSpan(0, read));
        }
    }
}

internal sealed record SmtpReply(int Code, IReadOnlyList<string> Lines);

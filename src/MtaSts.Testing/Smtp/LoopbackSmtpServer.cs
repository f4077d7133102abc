using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Testing;

/// <summary>
/// An SMTP server on the loopback network that plays any number of MX hosts at once, each on its own address
/// (127.0.0.2, 127.0.0.3, …) and all on one shared <see cref="Port"/>, with STARTTLS, AUTH and a log of every session
/// and message. Hosts are told apart by the address the client connected to, as a real MX is; SNI only shows in the log.
/// </summary>
/// <remarks>
/// <para>
/// The dialogue is minimal ESMTP (RFC 5321): a <c>220</c> greeting; EHLO (listing 8BITMIME, ENHANCEDSTATUSCODES, SIZE,
/// STARTTLS when offered and not yet in TLS, and <c>AUTH PLAIN LOGIN</c> only after TLS) or HELO; STARTTLS (RFC 3207:
/// after the handshake the client must EHLO again and everything it sent before the handshake is forgotten); AUTH PLAIN
/// and LOGIN accepting any credentials; MAIL FROM (SIZE, BODY and AUTH parameters), RCPT TO (up to 100), DATA
/// (dot-stuffing removed, ended by CRLF <c>.</c> CRLF, at most <see cref="MaxMessageSize"/> bytes or <c>552</c>), RSET,
/// NOOP and QUIT. Unknown commands get <c>500</c>, lines over 4096 bytes <c>500</c>; twenty errors in a row end the
/// session with <c>421</c>. A session that sends nothing for <see cref="IdleTimeout"/> is closed, and at most 64
/// sessions are served at once. No input makes the server use more than a bounded amount of memory per session.
/// </para>
/// <para>
/// A host's behaviour (<see cref="SmtpHostBehavior"/>) produces the failures RFC 8460 reports: no STARTTLS, STARTTLS
/// refused, a failing handshake, a bad certificate, a slow or rejecting greeting. A name never given to
/// <see cref="AddHost"/> has no listener, so publishing it in DNS at an unused loopback address gives "connection
/// refused". The listener on 127.0.0.1 (which picks the port) plays <see cref="UnknownHostName"/>.
/// </para>
/// <para>
/// The many loopback addresses need Linux or Windows, which route all of 127.0.0.0/8 to the loopback interface; on
/// macOS only 127.0.0.1 exists unless aliases are added, and <see cref="AddHost"/> throws
/// <see cref="PlatformNotSupportedException"/>.
/// </para>
/// <para>All members are thread-safe. A host's behaviour applies to the connections made after it was set.</para>
/// </remarks>
public sealed class LoopbackSmtpServer : IAsyncDisposable
{
    /// <summary>The host name the listener on 127.0.0.1 plays (greeting, certificate).</summary>
    public const string UnknownHostName = "unknown.invalid";

    /// <summary>The largest message accepted, in bytes after dot-unstuffing, as advertised by SIZE: 10 MiB.</summary>
    public const int MaxMessageSize = 10 * 1024 * 1024;

    private const int MaxOpenSessions = 64;
    private const int AddressAttempts = 16;

    private readonly TestCertificateAuthority _authority;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private readonly Dictionary<string, HostEntry> _hosts = new(StringComparer.Ordinal);
    private readonly List<Socket> _listeners = [];
    private readonly List<SmtpSessionState> _sessions = [];
    private readonly List<ReceivedSmtpMessage> _messages = [];
    private readonly List<MessageWaiter> _waiters = [];
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly ConcurrentDictionary<X509Certificate2, SslStreamCertificateContext> _contexts = new(ReferenceEqualityComparer.Instance);
    private readonly HostEntry _unknownHost = new(UnknownHostName, IPAddress.Loopback) { Behavior = new SmtpHostBehavior() };
    private uint _nextAddress = 0x7F000002; // 127.0.0.2
    private int _nextSessionId;
    private int _openSessions;
    private long _idleTimeoutTicks = TimeSpan.FromSeconds(30).Ticks;
    private int _disposed;

    private LoopbackSmtpServer(TestCertificateAuthority authority) => _authority = authority;

    /// <summary>The TCP port every host listens on.</summary>
    public int Port { get; private set; }

    /// <summary>How long a session may stay silent (or leave a reply unread, or a handshake unfinished) before the server closes it.</summary>
    /// <value>The default is 30 seconds; it applies from the next read or write of every session.</value>
    public TimeSpan IdleTimeout
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _idleTimeoutTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _idleTimeoutTicks, value.Ticks);
        }
    }

    /// <summary>Every session accepted so far (since <see cref="ClearLogs"/>), oldest first, open ones included; a snapshot.</summary>
    public IReadOnlyList<SmtpSessionLog> Sessions
    {
        get { lock (_gate) { return [.. _sessions.Select(s => s.Snapshot())]; } }
    }

    /// <summary>Every message accepted so far (since <see cref="ClearLogs"/>), oldest first; a snapshot.</summary>
    public IReadOnlyList<ReceivedSmtpMessage> Messages
    {
        get { lock (_gate) { return [.. _messages]; } }
    }

    /// <summary>Starts a server whose hosts present certificates from <paramref name="authority"/>; it listens on 127.0.0.1 and a free port.</summary>
    /// <param name="authority">The authority that mints the hosts' certificates; the caller keeps owning it.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server; dispose it to stop it.</returns>
    public static Task<LoopbackSmtpServer> StartAsync(TestCertificateAuthority authority, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(authority);
        cancellationToken.ThrowIfCancellationRequested();
        var server = new LoopbackSmtpServer(authority);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            socket.Listen(128);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        server.Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        server.Listen(socket, server._unknownHost);
        return Task.FromResult(server);
    }

    /// <summary>
    /// Adds a host on the next free loopback address (127.0.0.2, 127.0.0.3, …) at <see cref="Port"/>, or changes the
    /// behaviour of a host added before (which keeps its address). Publish the address in DNS as the host's A record
    /// (<see cref="MtaStsTestWorld.PublishMxHost"/> does both).
    /// </summary>
    /// <param name="host">The host name (any case, optional trailing dot).</param>
    /// <param name="behavior">How the host behaves; <see langword="null"/> for a well-behaved host with a valid certificate.</param>
    /// <returns>The address the host listens on.</returns>
    /// <exception cref="ArgumentException">A reply line in <paramref name="behavior"/> contains a line break, the host name is invalid, or the certificate kind does not fit it (a wildcard for a single label).</exception>
    /// <exception cref="IOException">Another program holds <see cref="Port"/> on the next sixteen addresses.</exception>
    /// <exception cref="PlatformNotSupportedException">The platform has no loopback address but 127.0.0.1 (macOS without aliases).</exception>
    public IPAddress AddHost(string host, SmtpHostBehavior? behavior = null)
    {
        var name = TestCertificateAuthority.NormalizeHost(host);
        behavior ??= new SmtpHostBehavior();
        if (!IsOneLine(behavior.Greeting) || !IsOneLine(behavior.StartTlsReply))
        {
            throw new ArgumentException("Greeting and StartTlsReply must each be one non-empty line without CR or LF.", nameof(behavior));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(behavior.GreetingDelay, TimeSpan.Zero, nameof(behavior));

        // Minted now, so a kind the name cannot have (a wildcard for a single label) fails here and the first handshake is quick.
        _authority.GetServerCertificate(name, behavior.Certificate);
        Socket socket;
        HostEntry entry;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            if (_hosts.TryGetValue(name, out var existing))
            {
                existing.Behavior = behavior;
                return existing.Address;
            }

            socket = BindNext();
            entry = new HostEntry(name, ((IPEndPoint)socket.LocalEndPoint!).Address) { Behavior = behavior };
            _hosts[name] = entry;
        }

        Listen(socket, entry);
        return entry.Address;
    }

    /// <summary>The address a host listens on.</summary>
    /// <param name="host">A host name given to <see cref="AddHost"/>.</param>
    /// <returns>Its loopback address.</returns>
    /// <exception cref="ArgumentException">The host was never added.</exception>
    public IPAddress GetAddress(string host) => Entry(host).Address;

    /// <summary>The certificate a host presents after STARTTLS (without its intermediates), e.g. to compute a TLSA record from.</summary>
    /// <param name="host">A host name given to <see cref="AddHost"/>.</param>
    /// <returns>The leaf certificate of the host's current <see cref="SmtpHostBehavior.Certificate"/> kind. The authority owns it: do not dispose it.</returns>
    /// <exception cref="ArgumentException">The host was never added.</exception>
    public X509Certificate2 GetCertificate(string host)
    {
        var entry = Entry(host);
        return _authority.GetServerCertificate(entry.Name, entry.Behavior.Certificate);
    }

    /// <summary>
    /// Waits for the first message (already received, or still to come) that <paramref name="match"/> accepts. The
    /// server records a message before it answers <c>250</c> to it, so a client that saw the <c>250</c> finds it here at once.
    /// </summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="match">Which message to wait for; <see langword="null"/> for any.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The message.</returns>
    /// <exception cref="TimeoutException">No such message arrived within <paramref name="timeout"/>.</exception>
    public async Task<ReceivedSmtpMessage> WaitForMessageAsync(TimeSpan timeout, Func<ReceivedSmtpMessage, bool>? match = null, CancellationToken cancellationToken = default)
    {
        match ??= static _ => true;
        MessageWaiter waiter;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            foreach (var message in _messages)
            {
                if (match(message))
                {
                    return message;
                }
            }

            waiter = new MessageWaiter(match);
            _waiters.Add(waiter);
        }

        try
        {
            return await waiter.Completion.Task.WaitAsync(timeout, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No matching SMTP message arrived within {timeout.TotalSeconds:0.###} s.");
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Empties the session and message logs (open sessions go on, unlogged).</summary>
    public void ClearLogs()
    {
        lock (_gate)
        {
            _sessions.Clear();
            _messages.Clear();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        List<MessageWaiter> waiters;
        lock (_gate)
        {
            foreach (var listener in _listeners)
            {
                listener.Dispose();
            }

            _listeners.Clear();
            waiters = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var waiter in waiters)
        {
            waiter.Completion.TrySetException(new ObjectDisposedException(nameof(LoopbackSmtpServer)));
        }

        try
        {
            await Task.WhenAll(_running.Keys).WaitAsync(TimeSpan.FromSeconds(2), TimeProvider.System).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A session that does not notice the cancellation in time is left to finish on its own.
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Sessions and accept loops end this way when stopped.
        }

        _stopping.Dispose();
        _contexts.Clear();
    }

    /// <summary>Changes a session's logged state under the log lock.</summary>
    internal void Update(SmtpSessionState state, Action<SmtpSessionState> change)
    {
        lock (_gate)
        {
            change(state);
        }
    }

    /// <summary>Logs an accepted message and wakes the waiters it matches.</summary>
    internal void Record(ReceivedSmtpMessage message)
    {
        List<MessageWaiter> woken = [];
        lock (_gate)
        {
            _messages.Add(message);
            foreach (var waiter in _waiters)
            {
                if (waiter.Match(message))
                {
                    woken.Add(waiter);
                }
            }

            _waiters.RemoveAll(woken.Contains);
        }

        foreach (var waiter in woken)
        {
            waiter.Completion.TrySetResult(message);
        }
    }

    /// <summary>The TLS settings for a handshake with a host.</summary>
    internal SslServerAuthenticationOptions ServerOptions(string host, SmtpHostBehavior behavior)
    {
        var certificate = _authority.GetServerCertificate(host, behavior.Certificate);
        X509Certificate2Collection intermediates = behavior.Certificate is TestCertificateKind.Untrusted or TestCertificateKind.SelfSigned
            ? []
            : _authority.IntermediateCertificates;
        var context = _contexts.GetOrAdd(certificate, cert => SslStreamCertificateContext.Create(cert, intermediates, offline: true));
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            EnabledSslProtocols = behavior.TlsProtocols ?? SslProtocols.None,
            ClientCertificateRequired = false,
        };
    }

    private static bool IsOneLine(string? line) => line is null || (line.Length > 0 && line.AsSpan().IndexOfAny('\r', '\n') < 0);

    private HostEntry Entry(string host)
    {
        var name = TestCertificateAuthority.NormalizeHost(host);
        lock (_gate)
        {
            return _hosts.TryGetValue(name, out var entry)
                ? entry
                : throw new ArgumentException($"'{name}' is not a host of this server; add it with AddHost first.", nameof(host));
        }
    }

    /// <summary>Binds a listener at the next loopback address that is free at <see cref="Port"/>; the caller holds <see cref="_gate"/>.</summary>
    private Socket BindNext()
    {
        SocketException? lastError = null;
        for (var attempt = 0; attempt < AddressAttempts; attempt++)
        {
            if ((_nextAddress & 0xFF) is 0 or 0xFF)
            {
                _nextAddress++;
                attempt--;
                continue;
            }

            if (_nextAddress >= 0x7FFFFFFF)
            {
                throw new InvalidOperationException("The loopback network 127.0.0.0/8 has no address left.");
            }

            var address = new IPAddress(BitConverterBigEndian(_nextAddress++));
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(address, Port));
                socket.Listen(128);
                _listeners.Add(socket);
                return socket;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressNotAvailable)
            {
                socket.Dispose();
                throw new PlatformNotSupportedException(
                    $"Cannot listen on {address}: this system routes only 127.0.0.1 to the loopback interface (on macOS add aliases with 'ifconfig lo0 alias {address}').", ex);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                socket.Dispose();
                lastError = ex;
            }
        }

        throw new IOException(
            $"Port {Port} is already in use on {AddressAttempts} loopback addresses in a row (another program listens there); start a new server to get another port.",
            lastError);
    }

    private static byte[] BitConverterBigEndian(uint value) =>
        [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    private void Listen(Socket socket, HostEntry entry)
    {
        var loop = Task.Run(() => AcceptLoopAsync(socket, entry));
        Track(loop);
    }

    private void Track(Task task)
    {
        _running[task] = 0;
        task.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task AcceptLoopAsync(Socket listener, HostEntry entry)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                continue; // a connection reset before it was accepted
            }

            client.NoDelay = true;
            Track(Task.Run(() => RunSessionAsync(client, entry)));
        }
    }

    private async Task RunSessionAsync(Socket client, HostEntry entry)
    {
        var open = Interlocked.Increment(ref _openSessions);
        try
        {
            SmtpSessionState state;
            SmtpHostBehavior behavior;
            lock (_gate)
            {
                behavior = entry.Behavior;
                state = new SmtpSessionState(++_nextSessionId, entry.Name, (IPEndPoint)client.RemoteEndPoint!);
                _sessions.Add(state);
            }

            var session = new SmtpSession(this, state, behavior, client, _stopping.Token);
            await using (session.ConfigureAwait(false))
            {
                await session.RunAsync(open > MaxOpenSessions).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            client.Dispose(); // gone before the session started
        }
        finally
        {
            Interlocked.Decrement(ref _openSessions);
        }
    }

    private sealed class HostEntry(string name, IPAddress address)
    {
        public string Name { get; } = name;

        public IPAddress Address { get; } = address;

        public required SmtpHostBehavior Behavior { get; set; }
    }

    private sealed class MessageWaiter(Func<ReceivedSmtpMessage, bool> match)
    {
        public Func<ReceivedSmtpMessage, bool> Match { get; } = match;

        public TaskCompletionSource<ReceivedSmtpMessage> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

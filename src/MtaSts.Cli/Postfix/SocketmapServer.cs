using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace MtaSts.Cli.Postfix;

/// <summary>The limits and answers of a <see cref="SocketmapServer"/>.</summary>
internal sealed class SocketmapServerSettings
{
    /// <summary>The socketmap names served (the last field of <c>socketmap:inet:host:port:name</c>).</summary>
    public required IReadOnlyList<string> MapNames { get; init; }

    /// <summary>How the plans are turned into answers.</summary>
    public PostfixAnswerSettings Answers { get; init; } = new();

    /// <summary>The most connections open at once; a connection beyond it is closed at once.</summary>
    public int MaxConnections { get; init; } = 500;

    /// <summary>How long a request may take to arrive once its first byte has (slow clients), and a reply to be taken.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a connection may stay idle between requests (Postfix closes its own after about 10 s idle).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one answer may take; a longer plan is answered <c>TIMEOUT</c> and goes on in the background.</summary>
    public TimeSpan LookupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long open connections get to finish their request when the server stops.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>The permissions of a Unix-domain socket file.</summary>
    public UnixFileMode SocketMode { get; init; } = (UnixFileMode)0b110_110_110;
}

/// <summary>
/// A Postfix socketmap server (socketmap_table(5)) over TCP or a Unix-domain socket: netstring requests
/// <c>&lt;name&gt; &lt;key&gt;</c>, one reply each, many requests per connection (Postfix keeps its connection open).
/// Each key is planned with an <see cref="IDeliveryPlanner"/> and answered by <see cref="PostfixAnswers"/>.
/// </summary>
/// <remarks>
/// Bounded in every direction: a request is at most <see cref="PostfixAnswers.MaxRequestLength"/> bytes (the length
/// prefix is checked before the payload is read), a connection holds one buffer of that size, at most
/// <see cref="SocketmapServerSettings.MaxConnections"/> are open, and a peer that sends too slowly, stays idle too long
/// or does not take its replies is disconnected. A malformed netstring or an oversized request gets a <c>PERM</c> reply
/// and the connection is closed (the stream cannot be trusted to be in step after it).
/// </remarks>
internal sealed class SocketmapServer : IAsyncDisposable
{
    private readonly IDeliveryPlanner _planner;
    private readonly SocketmapServerSettings _settings;
    private readonly HashSet<string> _names;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Socket _listener;
    private readonly string? _unixPath;
    private readonly ConcurrentDictionary<long, (Socket Socket, Task Task)> _connections = new();
    private readonly CancellationTokenSource _hardStop = new();
    private readonly ConditionalWeakTable<DeliveryPlan, byte[]> _frames = new();
    private readonly ConditionalWeakTable<DeliveryPlan, byte[]>.CreateValueCallback _encodePlan;
    private long _nextId;
    private int _open;
    private int _atLimit;

    private SocketmapServer(IDeliveryPlanner planner, SocketmapServerSettings settings, ILogger logger, TimeProvider timeProvider, Socket listener, string? unixPath)
    {
        _planner = planner;
        _settings = settings;
        _names = new HashSet<string>(settings.MapNames, StringComparer.Ordinal);
        _logger = logger;
        _timeProvider = timeProvider;
        _listener = listener;
        _unixPath = unixPath;
        _encodePlan = plan => Netstring.Encode(PostfixAnswers.ForPlan(plan, _settings.Answers).ToString());
    }

    private static byte[] InvalidKeyFrame { get; } = Netstring.Encode(PostfixAnswers.ForInvalidKey().ToString());

    /// <summary>The end point listened on (for TCP with the port bound, when port 0 was asked for).</summary>
    public EndPoint LocalEndPoint => _listener.LocalEndPoint!;

    /// <summary>
    /// Binds and listens. A Unix-domain socket file left behind by a server that is gone is replaced; a path that is not
    /// a socket, or one a live server answers on, is refused. Throws <see cref="SocketException"/> when binding fails and
    /// <see cref="ArgumentException"/> for an unusable socket path.
    /// </summary>
    public static SocketmapServer Listen(ListenSpec listen, IDeliveryPlanner planner, SocketmapServerSettings settings, ILogger logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var unixPath = listen.UnixPath;
        Socket listener;
        if (unixPath is not null)
        {
            RemoveStaleSocket(unixPath, logger);
            listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        }
        else
        {
            var ip = (IPEndPoint)listen.EndPoint;
            listener = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            AllowRebindAfterRestart(listener);
        }

        try
        {
            listener.Bind(listen.EndPoint);
            if (unixPath is not null && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(unixPath, settings.SocketMode);
            }

            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new SocketmapServer(planner, settings, logger, timeProvider ?? TimeProvider.System, listener, unixPath);
    }

    /// <summary>Accepts and serves connections until <paramref name="stopping"/> fires, then drains and closes them.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var endPoint = ListenSpec.Format(LocalEndPoint);
        PostfixLog.Listening(_logger, endPoint, _settings.MapNames);

        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException ex)
            {
                // Out of file descriptors, a connection reset while queued: wait a little and go on.
                PostfixLog.AcceptFailed(_logger, ex.SocketErrorCode);
                await Task.Delay(TimeSpan.FromMilliseconds(100), _timeProvider, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            if (Interlocked.Increment(ref _open) > _settings.MaxConnections)
            {
                Interlocked.Decrement(ref _open);
                if (Interlocked.Exchange(ref _atLimit, 1) == 0)
                {
                    PostfixLog.ConnectionLimit(_logger, _settings.MaxConnections);
                }

                client.Dispose();
                continue;
            }

            Volatile.Write(ref _atLimit, 0);
            var id = Interlocked.Increment(ref _nextId);
            var task = ServeAndForgetAsync(id, client, stopping);
            _connections.TryAdd(id, (client, task));
            if (task.IsCompleted)
            {
                _connections.TryRemove(id, out _);
            }
        }

        await StopAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _hardStop.Dispose();
    }

    private async Task StopAsync()
    {
        if (_hardStop.IsCancellationRequested)
        {
            return;
        }

        _listener.Dispose();
        PostfixLog.Stopping(_logger, _connections.Count);
        var pending = Task.WhenAll(_connections.Values.Select(static c => c.Task));
        try
        {
            await pending.WaitAsync(_settings.DrainTimeout, _timeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _hardStop.CancelAsync().ConfigureAwait(false);
            foreach (var connection in _connections.Values)
            {
                connection.Socket.Dispose();
            }

            await pending.ConfigureAwait(false);
        }

        await _hardStop.CancelAsync().ConfigureAwait(false);
        if (_unixPath is not null)
        {
            TryDelete(_unixPath);
        }

        PostfixLog.Stopped(_logger);
    }

    private async Task ServeAndForgetAsync(long id, Socket client, CancellationToken stopping)
    {
        // Off the accept loop at once: the first read may complete synchronously.
        await Task.Yield();
        var peer = Peer(client);
        try
        {
            await ServeAsync(client, peer, stopping).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            PostfixLog.ConnectionFailed(_logger, peer, ex.SocketErrorCode);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
        {
            // Closed by the stop.
        }
        finally
        {
            client.Dispose();
            Interlocked.Decrement(ref _open);
            _connections.TryRemove(id, out _);
        }
    }

    /// <summary>One connection: read a netstring, answer it, repeat; close on EOF, a timeout, a protocol error or the stop.</summary>
    private async Task ServeAsync(Socket client, string peer, CancellationToken stopping)
    {
        var max = PostfixAnswers.MaxRequestLength;
        var buffer = new byte[Netstring.MaxFrameLength(max)];
        var filled = 0;
        long requestStarted = 0;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(stopping, _hardStop.Token);
        while (true)
        {
            var status = Netstring.TryRead(buffer.AsSpan(0, filled), max, out var start, out var length, out var consumed);
            if (status == NetstringStatus.Incomplete)
            {
                if (stopping.IsCancellationRequested && filled == 0)
                {
                    return;
                }

                TimeSpan allowed;
                if (filled == 0)
                {
                    allowed = _settings.IdleTimeout;
                }
                else
                {
                    allowed = _settings.RequestTimeout - _timeProvider.GetElapsedTime(requestStarted);
                    if (allowed <= TimeSpan.Zero)
                    {
                        PostfixLog.RequestTimedOut(_logger, peer, _settings.RequestTimeout.TotalSeconds);
                        return;
                    }
                }

                timer.CancelAfter(allowed);
                int read;
                try
                {
                    read = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, timer.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested && !_hardStop.IsCancellationRequested)
                {
                    if (filled > 0)
                    {
                        PostfixLog.RequestTimedOut(_logger, peer, _settings.RequestTimeout.TotalSeconds);
                    }

                    return;
                }

                timer.CancelAfter(Timeout.InfiniteTimeSpan);
                if (read == 0)
                {
                    return;
                }

                if (filled == 0)
                {
                    requestStarted = _timeProvider.GetTimestamp();
                }

                filled += read;
                continue;
            }

            if (status is NetstringStatus.Malformed or NetstringStatus.TooLong)
            {
                var error = PostfixAnswers.ForProtocolError(status);
                PostfixLog.ProtocolError(_logger, peer, error.Data);
                await SendAsync(client, error, timer).ConfigureAwait(false);
                return;
            }

            var reply = await AnswerAsync(buffer.AsMemory(start, length)).ConfigureAwait(false);
            if (!await SendFrameAsync(client, reply, timer).ConfigureAwait(false))
            {
                return;
            }

            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
            filled -= consumed;
            requestStarted = _timeProvider.GetTimestamp();
            if (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Sends a reply within the request timeout; false when the peer did not take it.</summary>
    private Task<bool> SendAsync(Socket client, SocketmapReply reply, CancellationTokenSource timer) =>
        SendFrameAsync(client, Netstring.Encode(reply.ToString()), timer);

    /// <summary>Sends an encoded reply within the request timeout; false when the peer did not take it.</summary>
    private async Task<bool> SendFrameAsync(Socket client, byte[] bytes, CancellationTokenSource timer)
    {
        timer.CancelAfter(_settings.RequestTimeout);
        try
        {
            var sent = 0;
            while (sent < bytes.Length)
            {
                sent += await client.SendAsync(bytes.AsMemory(sent), SocketFlags.None, timer.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        timer.CancelAfter(Timeout.InfiniteTimeSpan);
        return true;
    }

    /// <summary>The encoded reply to one request payload.</summary>
    /// <remarks>
    /// A warm plan is the same instance each time (see <see cref="DeliveryPlan"/>), so its encoded answer is kept beside
    /// it and a warm request formats nothing: it completes synchronously and allocates only the request's strings.
    /// </remarks>
    internal async ValueTask<byte[]> AnswerAsync(ReadOnlyMemory<byte> payload)
    {
        if (!PostfixAnswers.TryParseRequest(payload.Span, out var name, out var key))
        {
            return Netstring.Encode(PostfixAnswers.ForMalformedRequest().ToString());
        }

        if (!_names.Contains(name))
        {
            var shown = PostfixAnswers.ForDisplay(name);
            PostfixLog.UnknownMap(_logger, shown);
            return Netstring.Encode(PostfixAnswers.ForUnknownMap(_settings.MapNames).ToString());
        }

        if (!DomainName.TryNormalize(key, out var domain, out _))
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                var shown = PostfixAnswers.ForDisplay(key);
                PostfixLog.InvalidKey(_logger, shown);
            }

            return InvalidKeyFrame;
        }

        SocketmapReply? reply = null;
        byte[] frame;
        try
        {
            var planning = _planner.PlanDeliveryAsync(domain, _hardStop.Token);
            var plan = planning.IsCompletedSuccessfully
                ? planning.Result
                : await planning.WaitAsync(_settings.LookupTimeout, _timeProvider, _hardStop.Token).ConfigureAwait(false);
            frame = _frames.GetValue(plan, _encodePlan);
        }
        catch (TimeoutException)
        {
            PostfixLog.LookupTimedOut(_logger, domain, _settings.LookupTimeout.TotalSeconds);
            reply = PostfixAnswers.ForLookupTimeout();
            frame = Netstring.Encode(reply.Value.ToString());
        }
        catch (OperationCanceledException) when (_hardStop.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            PostfixLog.PlanningFailed(_logger, domain, ex.GetType().Name);
            reply = PostfixAnswers.ForInternalError();
            frame = Netstring.Encode(reply.Value.ToString());
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var text = System.Text.Encoding.UTF8.GetString(frame);
            PostfixLog.Answered(_logger, domain, text);
        }

        return frame;
    }

    private static string Peer(Socket client)
    {
        try
        {
            return client.RemoteEndPoint is IPEndPoint ip ? ip.ToString() : "unix socket peer";
        }
        catch (SocketException)
        {
            return "unknown peer";
        }
    }

    /// <summary>
    /// Removes a socket file no server answers on (left by a crash), so a restart can bind; refuses a path that is not a
    /// socket (it must never delete a file it did not make) or one a live server answers on.
    /// </summary>
    /// <summary>
    /// Lets a restarted server bind its port while connections of the previous one linger in TIME_WAIT, and nothing
    /// more: SO_REUSEADDR alone. .NET's <see cref="SocketOptionName.ReuseAddress"/> also sets SO_REUSEPORT on Linux,
    /// which would let a second server bind the same port beside a running one and share Postfix's queries with it.
    /// </summary>
    private static void AllowRebindAfterRestart(Socket listener)
    {
        if (OperatingSystem.IsLinux())
        {
            const int SolSocket = 1;
            const int SoReuseAddr = 2;
            listener.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        }
    }

    private static void RemoveStaleSocket(string path, ILogger logger)
    {
        var info = new FileInfo(path);
        if (!info.Exists && !Directory.Exists(path))
        {
            return;
        }

        if (!UnixSocketFiles.IsSocket(path))
        {
            throw new ArgumentException($"--listen unix:{path}: the path exists and is not a socket; remove it or choose another path");
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            TryDelete(path);
            PostfixLog.StaleSocketRemoved(logger, path);
            return;
        }

        // A live server: not a bad option but a listen that cannot happen now (exit 1, like a TCP port in use).
        throw new SocketException((int)SocketError.AddressAlreadyInUse);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind; the next start removes it as stale.
        }
    }
}

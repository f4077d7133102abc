using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace MtaSts.Testing;

/// <summary>What the transports ask the server just before a response goes on the wire.</summary>
internal interface IResponseGate
{
    /// <summary>
    /// Returns <see cref="DnsFault.Timeout"/> (drop), <see cref="DnsFault.Malformed"/> (send garbage), one of the
    /// <c>Spoofed…</c> faults (send a forged datagram first, then the answer) or <see cref="DnsFault.None"/> (send as is).
    /// </summary>
    DnsFault TakeWireFault(DnsTransport transport, IPEndPoint remote, ushort transactionId);
}

/// <summary>Shared helpers of the two transports.</summary>
internal static class WireFormat
{
    /// <summary>The response bytes, without the TCP length prefix.</summary>
    public static ReadOnlyMemory<byte> Payload(DnsRawPackage package)
    {
        var segment = package.ToArraySegment(false);
        return segment.AsMemory(0, Math.Min(segment.Count, package.Length));
    }

    /// <summary>
    /// A header that claims one question and one answer (QR = 1, RCODE = 0) followed by a label whose length byte
    /// promises 63 octets but only two follow: no parser can read it, yet the id matches the query.
    /// </summary>
    public static byte[] Garbage(ushort transactionId)
    {
        var bytes = new byte[] { 0, 0, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 0x3F, 0x78, 0x78 };
        BinaryPrimitives.WriteUInt16BigEndian(bytes, transactionId);
        return bytes;
    }

    /// <summary>The forged datagram a <c>Spoofed…</c> fault sends before <paramref name="answer"/> (the real response bytes).</summary>
    public static byte[] Spoof(DnsFault fault, ReadOnlySpan<byte> answer)
    {
        var id = BinaryPrimitives.ReadUInt16BigEndian(answer);
        switch (fault)
        {
            case DnsFault.SpoofedTransactionId:
            {
                var copy = answer.ToArray();
                BinaryPrimitives.WriteUInt16BigEndian(copy, unchecked((ushort)(id + 1)));
                return copy;
            }

            case DnsFault.SpoofedJunk:
            {
                // One answer: root owner, type MX, class IN, TTL 60, RDLENGTH 2; the MX reader then reads a preference
                // and a name (3 bytes), past the RDATA: out of sync. 600 zero bytes follow, so it is no short datagram.
                var bytes = new byte[12 + 13 + 600];
                BinaryPrimitives.WriteUInt16BigEndian(bytes, id);
                bytes[2] = 0x81;
                bytes[3] = 0x80;
                bytes[7] = 1; // ANCOUNT
                byte[] record = [0, 0, 15, 0, 1, 0, 0, 0, 60, 0, 2, 0, 10];
                record.CopyTo(bytes, 12);
                return bytes;
            }

            case DnsFault.SpoofedNoQuestion:
            {
                // Twelve bytes: the id, QR + RD, RA + NOERROR, and QDCOUNT = ANCOUNT = NSCOUNT = ARCOUNT = 0.
                var bytes = new byte[12];
                BinaryPrimitives.WriteUInt16BigEndian(bytes, id);
                bytes[2] = 0x81;
                bytes[3] = 0x80;
                return bytes;
            }

            case DnsFault.SpoofedQueryEcho:
            {
                // Header with QR = 0 (RD only) and the question of the answer; nothing else.
                var end = 12;
                while (end < answer.Length && answer[end] != 0)
                {
                    end += answer[end] + 1;
                }

                end = Math.Min(answer.Length, end + 1 + 4);
                var bytes = answer[..end].ToArray();
                bytes[2] = 0x01;
                bytes[3] = 0x00;
                bytes[4] = 0;
                bytes[5] = 1;
                bytes.AsSpan(6, 6).Clear();
                return bytes;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, "not a spoofing fault");
        }
    }

    /// <summary>Builds the buffer ARSoft expects for a received message: two bytes of length, then the message.</summary>
    public static byte[] WithLengthHeader(ReadOnlySpan<byte> message)
    {
        var buffer = new byte[message.Length + DnsRawPackage.LENGTH_HEADER_LENGTH];
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)message.Length);
        message.CopyTo(buffer.AsSpan(DnsRawPackage.LENGTH_HEADER_LENGTH));
        return buffer;
    }
}

/// <summary>A UDP transport on an already bound socket, so the server knows its port before ARSoft starts.</summary>
internal sealed class LoopbackUdpTransport(Socket socket, IResponseGate gate) : IServerTransport
{
    private readonly IPEndPoint _local = (IPEndPoint)socket.LocalEndPoint!;

    // ARSoft calls AcceptConnectionAsync from a single loop, one call at a time, so one buffer serves every datagram.
    private readonly byte[] _buffer = new byte[65_535];

    public ushort DefaultAllowedResponseSize => 512;

    public bool SupportsMultipleResponses => false;

    public bool AllowTruncatedResponses => true;

    public TransportProtocol TransportProtocol => TransportProtocol.Udp;

    public void Bind()
    {
        // Bound in LoopbackDnsServer.StartAsync.
    }

    public void Close() => socket.Dispose();

    public void Dispose() => Close();

    public async Task<IServerConnection?> AcceptConnectionAsync(CancellationToken token = default)
    {
        var buffer = _buffer;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), token).ConfigureAwait(false);
                if (received.ReceivedBytes < 12)
                {
                    continue; // not even a header: ignore, like a real server
                }

                var package = new DnsReceivedRawPackage(
                    WireFormat.WithLengthHeader(buffer.AsSpan(0, received.ReceivedBytes)),
                    (IPEndPoint)received.RemoteEndPoint,
                    _local);
                return new Connection(this, socket, package, gate);
            }
            catch (Exception ex) when (token.IsCancellationRequested || ex is OperationCanceledException or ObjectDisposedException)
            {
                return null; // stopping
            }
            catch (Exception)
            {
                // ICMP port unreachable reported on the next receive (Windows), or a datagram ARSoft cannot identify:
                // keep serving. Never throw: ARSoft awaits this from an async void loop.
            }
        }

        return null;
    }

    private sealed class Connection(LoopbackUdpTransport transport, Socket socket, DnsReceivedRawPackage query, IResponseGate gate) : IServerConnection
    {
        public IServerTransport Transport => transport;

        public IPEndPoint RemoteEndPoint => query.RemoteEndpoint;

        public IPEndPoint LocalEndPoint => query.LocalEndpoint;

        public bool CanRead { get; private set; } = true;

        public Task<bool> InitializeAsync(CancellationToken token) => Task.FromResult(true);

        public Task<DnsReceivedRawPackage?> ReceiveAsync(CancellationToken token = default)
        {
            CanRead = false;
            return Task.FromResult<DnsReceivedRawPackage?>(query);
        }

        public async Task<bool> SendAsync(DnsRawPackage package, CancellationToken token = default)
        {
            try
            {
                var payload = WireFormat.Payload(package);
                var id = BinaryPrimitives.ReadUInt16BigEndian(payload.Span);
                switch (gate.TakeWireFault(DnsTransport.Udp, RemoteEndPoint, id))
                {
                    case DnsFault.Timeout:
                        return true;
                    case DnsFault.Malformed:
                        payload = WireFormat.Garbage(id);
                        break;
                    case var spoof and (DnsFault.SpoofedTransactionId or DnsFault.SpoofedJunk or DnsFault.SpoofedQueryEcho or DnsFault.SpoofedNoQuestion):
                        await socket.SendToAsync(WireFormat.Spoof(spoof, payload.Span), SocketFlags.None, RemoteEndPoint, token).ConfigureAwait(false);
                        break;
                }

                await socket.SendToAsync(payload, SocketFlags.None, RemoteEndPoint, token).ConfigureAwait(false);
                return true;
            }
            catch (Exception)
            {
                return false;
            }
        }

        public void Dispose()
        {
            // The socket belongs to the transport.
        }
    }
}

/// <summary>A TCP transport on an already listening socket; it tracks its connections so stopping closes them all.</summary>
internal sealed class LoopbackTcpTransport(Socket listener, IResponseGate gate) : IServerTransport
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<Connection, byte> _connections = new();

    public ushort DefaultAllowedResponseSize => ushort.MaxValue;

    public bool SupportsMultipleResponses => true;

    public bool AllowTruncatedResponses => false;

    public TransportProtocol TransportProtocol => TransportProtocol.Tcp;

    public void Bind()
    {
        // Listening since LoopbackDnsServer.StartAsync.
    }

    public void Close()
    {
        listener.Dispose();
        foreach (var connection in _connections.Keys)
        {
            connection.Dispose();
        }
    }

    public void Dispose() => Close();

    public async Task<IServerConnection?> AcceptConnectionAsync(CancellationToken token = default)
    {
        while (!token.IsCancellationRequested)
        {
            try
            {
                var socket = await listener.AcceptAsync(token).ConfigureAwait(false);
                socket.NoDelay = true;
                var connection = new Connection(this, socket, gate);
                _connections[connection] = 0;
                return connection;
            }
            catch (Exception ex) when (token.IsCancellationRequested || ex is OperationCanceledException or ObjectDisposedException)
            {
                return null; // stopping
            }
            catch (Exception)
            {
                // A client that gave up before the accept completed: keep listening, after a breath so a broken
                // listener cannot spin. Never throw: ARSoft awaits this from an async void loop.
                await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
            }
        }

        return null;
    }

    private sealed class Connection : IServerConnection
    {
        private readonly LoopbackTcpTransport _transport;
        private readonly Socket _socket;
        private readonly IResponseGate _gate;
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private int _pending;
        private int _readClosed;
        private int _disposed;

        public Connection(LoopbackTcpTransport transport, Socket socket, IResponseGate gate)
        {
            _transport = transport;
            _socket = socket;
            _gate = gate;
            RemoteEndPoint = (IPEndPoint)socket.RemoteEndPoint!;
            LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        }

        public IServerTransport Transport => _transport;

        public IPEndPoint RemoteEndPoint { get; }

        public IPEndPoint LocalEndPoint { get; }

        public bool CanRead => Volatile.Read(ref _readClosed) == 0 && Volatile.Read(ref _disposed) == 0;

        public Task<bool> InitializeAsync(CancellationToken token) => Task.FromResult(true);

        public async Task<DnsReceivedRawPackage?> ReceiveAsync(CancellationToken token = default)
        {
            try
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(token);
                idle.CancelAfter(IdleTimeout);
                var lengthBytes = new byte[2];
                if (!await ReadExactlyAsync(lengthBytes, idle.Token).ConfigureAwait(false))
                {
                    return EndOfInput();
                }

                var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(lengthBytes)];
                if (message.Length < 12 || !await ReadExactlyAsync(message, idle.Token).ConfigureAwait(false))
                {
                    return EndOfInput();
                }

                Interlocked.Increment(ref _pending);
                return new DnsReceivedRawPackage(WireFormat.WithLengthHeader(message), RemoteEndPoint, LocalEndPoint);
            }
            catch (Exception)
            {
                return EndOfInput();
            }
        }

        public async Task<bool> SendAsync(DnsRawPackage package, CancellationToken token = default)
        {
            try
            {
                var payload = WireFormat.Payload(package);
                var id = BinaryPrimitives.ReadUInt16BigEndian(payload.Span);
                switch (_gate.TakeWireFault(DnsTransport.Tcp, RemoteEndPoint, id))
                {
                    case DnsFault.Timeout:
                        return true;
                    case DnsFault.Malformed:
                        payload = WireFormat.Garbage(id);
                        break;
                }

                var framed = WireFormat.WithLengthHeader(payload.Span);
                await _writeLock.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    await _socket.SendAsync(framed, SocketFlags.None, token).ConfigureAwait(false);
                }
                finally
                {
                    _writeLock.Release();
                }

                return true;
            }
            catch (Exception)
            {
                return false;
            }
            finally
            {
                if (Interlocked.Decrement(ref _pending) <= 0 && Volatile.Read(ref _readClosed) != 0)
                {
                    Dispose();
                }
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            _transport._connections.TryRemove(this, out _);
            _socket.Dispose();
            _writeLock.Dispose();
        }

        /// <summary>
        /// The client closed its side or went idle. ARSoft does not always dispose a connection after its last query, so
        /// close it here, once the answers still being worked on are sent.
        /// </summary>
        private DnsReceivedRawPackage? EndOfInput()
        {
            Volatile.Write(ref _readClosed, 1);
            if (Volatile.Read(ref _pending) <= 0)
            {
                Dispose();
            }

            return null;
        }

        private async Task<bool> ReadExactlyAsync(Memory<byte> buffer, CancellationToken token)
        {
            var read = 0;
            while (read < buffer.Length)
            {
                var count = await _socket.ReceiveAsync(buffer[read..], SocketFlags.None, token).ConfigureAwait(false);
                if (count == 0)
                {
                    return false;
                }

                read += count;
            }

            return true;
        }
    }
}

using System.Net;
using System.Net.Sockets;
using DnsClient;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Dane;
using MtaSts.Discovery;
using MtaSts.Dns;

namespace MtaSts.Fuzz;

/// <summary>
/// Arbitrary bytes as the DNS server's answer: a loopback UDP responder returns the input (with the query's id written
/// over its first two bytes, so it is not dropped as a spoof) to the library's real readers — MTA-STS TXT discovery, the
/// MX lookup and the TLSA lookup, DnsClient underneath; the input's first byte picks which. Their contract: a result value, never an exception.
/// </summary>
internal static class DnsAnswer
{
    private static readonly Lazy<Readers> World = new(() => new Readers(new Responder()));

    public static void Run(byte[] input)
    {
        var world = World.Value;
        world.Server.Next = input;

        // The first two bytes are overwritten with the query's id, so they carry no answer; the first one picks the reader
        // instead. One UDP exchange per execution (two when the reply is not an answer and the TCP re-ask is refused)
        // rather than three keeps afl at three times the rate.
        switch (input.Length == 0 ? 0 : input[0] % 3)
        {
            case 0:
                var discovery = world.Discoverer.DiscoverAsync("example.test", CancellationToken.None).GetAwaiter().GetResult();
                Targets.Check(discovery.Status != DiscoveryStatus.Found || discovery.Record is not null, "Found without a record");
                Targets.Check((discovery.Message?.Length ?? 0) <= 64 * 1024, $"a discovery message of {discovery.Message?.Length} characters");
                break;
            case 1:
                _ = world.Mx.LookupAsync("example.test").GetAwaiter().GetResult();
                break;
            default:
                _ = world.MxHost.LookupAsync("mx.example.test", mxSecure: true).GetAwaiter().GetResult();
                break;
        }
    }

    /// <summary>The three readers, built once against the responder (they hold no state between lookups).</summary>
    private sealed class Readers
    {
        public Readers(Responder server)
        {
            Server = server;
            var options = new MtaStsOptions { Dns = { Timeout = TimeSpan.FromMilliseconds(250), Retries = 0 } };
            options.Dns.NameServers.Add(server.EndPoint);
            options.Dane.TrustedResolvers.Add(IPAddress.Loopback);
            var client = new LookupClient(new LookupClientOptions(new NameServer(server.EndPoint))
            {
                UseCache = false,
                Retries = 0,
                Timeout = TimeSpan.FromMilliseconds(250),
                UseTcpFallback = false,
                ThrowDnsErrors = false,
                RequestDnsSecRecords = true,
            });
            Discoverer = new MtaStsRecordDiscoverer(client, NullLogger.Instance);
            Mx = new MxLookup(client, options);
            MxHost = new MxHostLookup(client, options);
        }

        public Responder Server { get; }

        public MtaStsRecordDiscoverer Discoverer { get; }

        public MxLookup Mx { get; }

        public MxHostLookup MxHost { get; }
    }

    /// <summary>
    /// Answers every UDP datagram with <see cref="Next"/>, the query's id in front. Its port is also bound, never
    /// listened on, for TCP: the library's TCP re-ask after a reply that is not an answer (RFC 5452 §9.2) is refused at
    /// once, and can never land on itself (Linux lets a TCP connect whose ephemeral port equals the target's port
    /// connect to itself, and read its own query back, unless that port is bound).
    /// </summary>
    private sealed class Responder
    {
        // A datagram carries at most 65,507 bytes over IPv4; afl's inputs can be longer.
        private const int MaxDatagram = 65507;

        private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly Socket _tcpPort = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        public Responder()
        {
            EndPoint = (IPEndPoint)_udp.Client.LocalEndPoint!;
            _tcpPort.Bind(EndPoint);
            new Thread(Serve) { IsBackground = true, Name = "fuzz-dns" }.Start();
        }

        public IPEndPoint EndPoint { get; }

        public volatile byte[] Next = [];

        private void Serve()
        {
            var remote = new IPEndPoint(IPAddress.Any, 0);
            while (true)
            {
                var query = _udp.Receive(ref remote);
                var next = Next;
                var answer = next.AsSpan(0, Math.Min(next.Length, MaxDatagram)).ToArray();
                if (answer.Length >= 2 && query.Length >= 2)
                {
                    answer[0] = query[0];
                    answer[1] = query[1];
                }

                _udp.Send(answer, answer.Length, remote);
            }
        }
    }
}

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
/// MX lookup and the TLSA lookup, DnsClient underneath. Their contract: a result value, never an exception.
/// </summary>
internal static class DnsAnswer
{
    private static readonly Lazy<Responder> Server = new(() => new Responder());

    public static void Run(byte[] input)
    {
        var server = Server.Value;
        server.Next = input;
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

        var discovery = new MtaStsRecordDiscoverer(client, NullLogger.Instance).DiscoverAsync("example.test", CancellationToken.None).GetAwaiter().GetResult();
        Targets.Check(discovery.Status != DiscoveryStatus.Found || discovery.Record is not null, "Found without a record");
        Targets.Check((discovery.Message?.Length ?? 0) <= 64 * 1024, $"a discovery message of {discovery.Message?.Length} characters");

        _ = new MxLookup(client, options).LookupAsync("example.test").GetAwaiter().GetResult();
        _ = new MxHostLookup(client, options).LookupAsync("mx.example.test", mxSecure: true).GetAwaiter().GetResult();
    }

    /// <summary>Answers every datagram with <see cref="Next"/>, the query's id in front.</summary>
    private sealed class Responder
    {
        private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));

        public Responder()
        {
            EndPoint = (IPEndPoint)_socket.Client.LocalEndPoint!;
            var thread = new Thread(Serve) { IsBackground = true, Name = "fuzz-dns" };
            thread.Start();
        }

        public IPEndPoint EndPoint { get; }

        public volatile byte[] Next = [];

        private void Serve()
        {
            var remote = new IPEndPoint(IPAddress.Any, 0);
            while (true)
            {
                var query = _socket.Receive(ref remote);
                var answer = (byte[])Next.Clone();
                if (answer.Length >= 2 && query.Length >= 2)
                {
                    answer[0] = query[0];
                    answer[1] = query[1];
                }

                _socket.Send(answer, answer.Length, remote);
            }
        }
    }
}

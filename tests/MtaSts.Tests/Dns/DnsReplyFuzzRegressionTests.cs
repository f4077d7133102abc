using System.Net;
using System.Net.Sockets;
using DnsClient;
using MtaSts.Dns;

namespace MtaSts.Tests.Dns;

/// <summary>
/// Replies found by the <c>dns-answer</c> fuzz target, sent by a loopback UDP server to the real DnsClient underneath the
/// library's readers. The contract: a result, never an exception.
/// </summary>
public sealed class DnsReplyFuzzRegressionTests : IDisposable
{
    // An MX reply whose answer is an NSEC record (type 47) holding MX-shaped RDATA that the NSEC reader cannot read.
    // DnsClient 1.8 then threw NullReferenceException from its parse-failure handler, because the MX query allows a TCP
    // fallback; it escaped MxLookup and the planner.
    private static readonly byte[] NsecWithUnreadableRdata =
    [
        0x01, 0x34, 0x81, 0xA0, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x07, 0x65, 0x78, 0x61, 0x6D, 0x70, 0x8C,
        0x65, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x0F, 0x00, 0x01, 0xC0, 0x0C, 0x00, 0x2F, 0x00, 0x01, 0x00, 0x00,
        0x01, 0x2C, 0x00, 0x13, 0x00, 0x0A, 0x02, 0x6D, 0x78, 0x07, 0x65, 0x78, 0x61, 0x6D, 0x70, 0x6C, 0x65, 0x04, 0x74,
        0x65, 0x73, 0x74, 0x00,
    ];

    // The same fault with another question type (134) and an authority count: the second crash the fuzzer saved.
    private static readonly byte[] NsecWithUnreadableRdataAndAuthority =
    [
        0x01, 0x34, 0x81, 0x90, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x07, 0x65, 0x78, 0x61, 0x6D, 0x70, 0x6C,
        0x65, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x86, 0x00, 0x01, 0xC0, 0x0C, 0x00, 0x2F, 0x00, 0x01, 0x00, 0x00,
        0x01, 0x2C, 0x00, 0x13, 0x00, 0x0A, 0x02, 0x6D, 0x02, 0x34, 0x81, 0xB7, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x80, 0x00,
    ];

    private readonly UdpClient _server = new(new IPEndPoint(IPAddress.Loopback, 0));

    // Bound for TCP as well, never listened on: the library's TCP re-ask is refused at once.
    private readonly Socket _tcpPort = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public DnsReplyFuzzRegressionTests() => _tcpPort.Bind(_server.Client.LocalEndPoint!);

    public static TheoryData<string, byte[]> Replies => new()
    {
        { nameof(NsecWithUnreadableRdata), NsecWithUnreadableRdata },
        { nameof(NsecWithUnreadableRdataAndAuthority), NsecWithUnreadableRdataAndAuthority },
    };

    [Theory]
    [MemberData(nameof(Replies))]
    public async Task Fuzz_AnUnreadableNsecRecordInAnMxReply_IsALookupFailure_NotAnException(string name, byte[] reply)
    {
        var answering = AnswerEveryQueryWith(reply);
        var endPoint = (IPEndPoint)_server.Client.LocalEndPoint!;
        var options = new MtaStsOptions { Dns = { Timeout = TimeSpan.FromSeconds(2), Retries = 0 } };
        options.Dns.NameServers.Add(endPoint);
        var client = new LookupClient(new LookupClientOptions(new NameServer(endPoint)) { UseCache = false, Retries = 0, Timeout = TimeSpan.FromSeconds(2) });

        var result = await new MxLookup(client, options).LookupAsync("example.test");

        Assert.True(MxLookupStatus.Failed == result.Status, name);
        // The UDP reply cannot be read; the TCP re-ask (RFC 5452 §9.2) is refused: a temporary failure, in our words.
        Assert.Equal("MX lookup failed: MX lookup of example.test failed: no server could be reached. Delivery must be delayed.", result.Message);
        Assert.False(answering.IsFaulted);
    }

    public void Dispose()
    {
        _server.Dispose();
        _tcpPort.Dispose();
    }

    private Task AnswerEveryQueryWith(byte[] reply) => Task.Run(async () =>
    {
        while (true)
        {
            UdpReceiveResult query;
            try
            {
                query = await _server.ReceiveAsync();
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            var answer = (byte[])reply.Clone();
            answer[0] = query.Buffer[0];
            answer[1] = query.Buffer[1];
            await _server.SendAsync(answer, query.RemoteEndPoint);
        }
    });
}

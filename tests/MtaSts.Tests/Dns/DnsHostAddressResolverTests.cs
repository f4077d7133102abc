using System.Net;
using DnsClient;
using MtaSts.Dns;
using MtaSts.Tests.Fakes;
using static MtaSts.Tests.Fakes.FakeDnsQuery;

namespace MtaSts.Tests.Dns;

public class DnsHostAddressResolverTests
{
    private const string Host = "mta-sts.example.test";

    [Fact]
    public async Task ResolveAsync_AsksAAndAaaa_ReturnsAllInterleavedIPv6First()
    {
        var dns = new FakeDnsQuery()
            .Answer(Host, QueryType.A, A(Host, "192.0.2.1"), A(Host, "192.0.2.2"))
            .Answer(Host, QueryType.AAAA, Aaaa(Host, "2001:db8::1"));

        IReadOnlyList<IPAddress> addresses = await new DnsHostAddressResolver(dns).ResolveAsync(Host, CancellationToken.None);

        Assert.Equal([IPAddress.Parse("2001:db8::1"), IPAddress.Parse("192.0.2.1"), IPAddress.Parse("192.0.2.2")], addresses);
        Assert.Equal(1, dns.CountOf(Host, QueryType.A));
        Assert.Equal(1, dns.CountOf(Host, QueryType.AAAA));
    }

    [Fact]
    public async Task ResolveAsync_RunsBothQueriesInParallel()
    {
        var bothAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int asked = 0;
        async Task<IDnsQueryResponse> Respond(IDnsQueryResponse response)
        {
            if (Interlocked.Increment(ref asked) == 2)
            {
                bothAsked.SetResult();
            }

            // Neither answer comes before both questions were asked: a sequential resolver would hang here.
            await bothAsked.Task.WaitAsync(TimeSpan.FromSeconds(10));
            return response;
        }

        var dns = new FakeDnsQuery()
            .Respond(Host, QueryType.A, _ => Respond(new FakeDnsResponse(DnsHeaderResponseCode.NoError, [A(Host, "192.0.2.1")])))
            .Respond(Host, QueryType.AAAA, _ => Respond(new FakeDnsResponse(DnsHeaderResponseCode.NoError, [])));

        IReadOnlyList<IPAddress> addresses = await new DnsHostAddressResolver(dns).ResolveAsync(Host, CancellationToken.None);

        Assert.Equal([IPAddress.Parse("192.0.2.1")], addresses);
    }

    [Fact]
    public async Task ResolveAsync_FollowsCnames()
    {
        // Also: STS-8.2-a (the policy host delegated to a provider by CNAME)
        var dns = new FakeDnsQuery()
            .Answer(Host, QueryType.A, CName(Host, "sts.provider.test."))
            .Answer("sts.provider.test", QueryType.A, A("sts.provider.test", "198.51.100.7"))
            .Answer(Host, QueryType.AAAA, CName(Host, "sts.provider.test."), Aaaa("sts.provider.test", "2001:db8::7"));

        IReadOnlyList<IPAddress> addresses = await new DnsHostAddressResolver(dns).ResolveAsync(Host, CancellationToken.None);

        Assert.Equal([IPAddress.Parse("2001:db8::7"), IPAddress.Parse("198.51.100.7")], addresses);
    }

    [Fact]
    public async Task ResolveAsync_OneFamilyFails_OtherFamilyIsEnough()
    {
        var dns = new FakeDnsQuery()
            .Answer(Host, QueryType.A, A(Host, "192.0.2.1"))
            .Rcode(Host, QueryType.AAAA, DnsHeaderResponseCode.ServerFailure);

        IReadOnlyList<IPAddress> addresses = await new DnsHostAddressResolver(dns).ResolveAsync(Host, CancellationToken.None);

        Assert.Equal([IPAddress.Parse("192.0.2.1")], addresses);
    }

    [Fact]
    public async Task ResolveAsync_DnsFailure_ThrowsNameResolutionError()
    {
        var dns = new FakeDnsQuery()
            .Rcode(Host, QueryType.A, DnsHeaderResponseCode.ServerFailure)
            .Throw(Host, QueryType.AAAA, new DnsResponseException(DnsResponseCode.ConnectionTimeout, "timeout"));

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => new DnsHostAddressResolver(dns).ResolveAsync(Host, CancellationToken.None));

        Assert.Equal(HttpRequestError.NameResolutionError, ex.HttpRequestError);
        Assert.Contains(Host, ex.Message);
        Assert.Contains("SERVFAIL", ex.Message);
        Assert.Contains("failed", ex.Message);
    }

    [Fact]
    public async Task ResolveAsync_NoAddresses_ThrowsNameResolutionError()
    {
        var dns = new FakeDnsQuery().NoData(Host, QueryType.A); // AAAA unscripted: NXDOMAIN

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => new DnsHostAddressResolver(dns).ResolveAsync(Host, CancellationToken.None));

        Assert.Equal(HttpRequestError.NameResolutionError, ex.HttpRequestError);
        Assert.Contains("has no IP address", ex.Message);
    }

    [Fact]
    public async Task ResolveAsync_CallerCancellation_Propagates()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new DnsHostAddressResolver(new FakeDnsQuery()).ResolveAsync(Host, cts.Token));
    }
}

using DnsClient;
using DnsClient.Protocol;
using MtaSts.Dns;
using static MtaSts.Tests.Fakes.DaneFakeDns;

namespace MtaSts.Tests.Dns;

public class DnsTtlTests
{
    [Fact]
    public void NegativeTtl_IsTheSmallerOfSoaTtlAndMinimum_OverEverySoa()
    {
        Assert.Equal(300, DnsTtl.NegativeSeconds([Soa("example", ttl: 3600, minimum: 300)]));
        Assert.Equal(60, DnsTtl.NegativeSeconds([Soa("example", ttl: 60, minimum: 300)]));
        Assert.Equal(20, DnsTtl.NegativeSeconds([Soa("example", ttl: 3600, minimum: 300), Soa("sub.example", ttl: 20, minimum: 300)]));
        Assert.Null(DnsTtl.NegativeSeconds([A("example", "192.0.2.1")]));
        Assert.Null(DnsTtl.NegativeSeconds(null));
    }

    [Fact]
    public void Denial_WithoutSoa_IsNotCached_EvenBehindAChain()
    {
        CnameChainResult chain = CnameChain.Follow([Cname("a.example", "b.example", ttl: 600)], "a.example", QueryType.MX);

        Assert.Equal(TimeSpan.Zero, DnsTtl.Of(chain, new FakeResponse([])));
        Assert.Equal(TimeSpan.FromSeconds(300), DnsTtl.Of(chain, new FakeResponse([Soa("b.example", ttl: 3600, minimum: 300)])));
        Assert.Equal(TimeSpan.FromSeconds(600), DnsTtl.Of(chain, new FakeResponse([Soa("b.example", ttl: 3600, minimum: 900)])));
    }

    [Fact]
    public void Answer_WithRecords_IsBoundedByChainAndRrset_NotBySoa()
    {
        CnameChainResult chain = CnameChain.Follow([A("a.example", "192.0.2.1", ttl: 500)], "a.example", QueryType.A);

        Assert.Equal(TimeSpan.FromSeconds(500), DnsTtl.Of(chain, new FakeResponse([Soa("example", ttl: 10, minimum: 10)])));
    }

    private sealed class FakeResponse(IReadOnlyList<DnsResourceRecord> authorities) : IDnsQueryResponse
    {
        public IReadOnlyList<DnsQuestion> Questions => [];
        public IReadOnlyList<DnsResourceRecord> Additionals => [];
        public IEnumerable<DnsResourceRecord> AllRecords => authorities;
        public IReadOnlyList<DnsResourceRecord> Answers => [];
        public IReadOnlyList<DnsResourceRecord> Authorities => authorities;
        public string AuditTrail => string.Empty;
        public string ErrorMessage => string.Empty;
        public bool HasError => false;
        public DnsResponseHeader Header => null!;
        public int MessageSize => 0;
        public NameServer NameServer => null!;
        public DnsQuerySettings Settings => null!;
    }
}

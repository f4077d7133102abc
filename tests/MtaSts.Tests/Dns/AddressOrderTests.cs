using System.Net;
using MtaSts.Dns;

namespace MtaSts.Tests.Dns;

public class AddressOrderTests
{
    private static IPAddress[] Ips(params string[] text) => text.Select(IPAddress.Parse).ToArray();

    [Fact]
    public void Families_Alternate_IPv6First_RFC8305()
    {
        IReadOnlyList<IPAddress> order = AddressOrder.Interleave(Ips("2001:db8::1", "2001:db8::2"), Ips("192.0.2.1", "192.0.2.2", "192.0.2.3"));

        Assert.Equal(Ips("2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2", "192.0.2.3"), order);
    }

    [Fact]
    public void OneFamily_KeepsItsAnswerOrder()
    {
        Assert.Equal(Ips("192.0.2.9", "192.0.2.1"), AddressOrder.Interleave([], Ips("192.0.2.9", "192.0.2.1")));
        Assert.Equal(Ips("2001:db8::9", "2001:db8::1"), AddressOrder.Interleave(Ips("2001:db8::9", "2001:db8::1"), []));
        Assert.Empty(AddressOrder.Interleave([], []));
    }

    [Fact]
    public void Duplicates_AndNulls_AreDropped()
    {
        IReadOnlyList<IPAddress> order = AddressOrder.Interleave([IPAddress.Parse("2001:db8::1"), null, IPAddress.Parse("2001:db8::1")], Ips("192.0.2.1", "192.0.2.1", "192.0.2.2"));

        Assert.Equal(Ips("2001:db8::1", "192.0.2.1", "192.0.2.2"), order);
    }
}

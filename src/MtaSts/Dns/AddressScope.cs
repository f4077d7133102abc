using System.Net;
using System.Net.Sockets;

namespace MtaSts.Dns;

/// <summary>What kind of destination an IP address is, for deciding whether the library may connect to it.</summary>
internal enum AddressScopeKind
{
    /// <summary>A global unicast address: anything not listed below.</summary>
    Public,

    /// <summary>Never a destination: unspecified or "this network" (0.0.0.0/8, ::), multicast (224.0.0.0/4, ff00::/8), broadcast and reserved (240.0.0.0/4, which holds 255.255.255.255).</summary>
    NeverConnect,

    /// <summary>This host: 127.0.0.0/8, ::1.</summary>
    Loopback,

    /// <summary>RFC 1918 private networks (10/8, 172.16/12, 192.168/16).</summary>
    Private,

    /// <summary>Shared address space of carrier-grade NAT, 100.64.0.0/10 (RFC 6598).</summary>
    SharedAddressSpace,

    /// <summary>Link-local: 169.254.0.0/16 (which holds the cloud metadata endpoints), fe80::/10.</summary>
    LinkLocal,

    /// <summary>IPv6 unique-local fc00::/7 (RFC 4193) and the deprecated site-local fec0::/10.</summary>
    UniqueLocal,
}

/// <summary>Sorts IP addresses into the kinds of <see cref="AddressScopeKind"/>; IPv4-mapped IPv6 addresses count as their IPv4 address.</summary>
/// <remarks>
/// A policy host is named by the recipient domain, so its addresses are chosen by whoever controls that domain. Without
/// this check any domain could send a sender's fetcher to its internal network (SSRF) or, with 0.0.0.0, to the sender
/// itself.
/// </remarks>
internal static class AddressScope
{
    private static ReadOnlySpan<byte> Nat64Prefix => [0x00, 0x64, 0xFF, 0x9B];

    /// <summary>The kind of <paramref name="address"/>.</summary>
    public static AddressScopeKind Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b[0] switch
            {
                0 => AddressScopeKind.NeverConnect,
                >= 224 => AddressScopeKind.NeverConnect,
                127 => AddressScopeKind.Loopback,
                10 => AddressScopeKind.Private,
                172 when b[1] is >= 16 and <= 31 => AddressScopeKind.Private,
                192 when b[1] == 168 => AddressScopeKind.Private,
                100 when b[1] is >= 64 and <= 127 => AddressScopeKind.SharedAddressSpace,
                169 when b[1] == 254 => AddressScopeKind.LinkLocal,
                _ => AddressScopeKind.Public,
            };
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return AddressScopeKind.NeverConnect;
        }

        if (address.Equals(IPAddress.IPv6Any) || address.IsIPv6Multicast)
        {
            return AddressScopeKind.NeverConnect;
        }

        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return AddressScopeKind.Loopback;
        }

        if (address.IsIPv6LinkLocal)
        {
            return AddressScopeKind.LinkLocal;
        }

        Span<byte> v6 = stackalloc byte[16];
        address.TryWriteBytes(v6, out _);

        // Addresses that carry an IPv4 address and reach it through a gateway count as that address: NAT64's
        // well-known prefix 64:ff9b::/96 (RFC 6052 §2.1) and 6to4's 2002::/16 (RFC 3056 §2). Otherwise
        // 64:ff9b::a9fe:a9fe would reach 169.254.169.254 wherever a NAT64 gateway runs.
        if (v6[..4].SequenceEqual(Nat64Prefix) && !v6[4..12].ContainsAnyExcept((byte)0))
        {
            return Classify(new IPAddress(v6[12..]));
        }

        if (v6[0] == 0x20 && v6[1] == 0x02)
        {
            return Classify(new IPAddress(v6[2..6]));
        }

        return (v6[0] & 0xFE) == 0xFC || address.IsIPv6SiteLocal ? AddressScopeKind.UniqueLocal : AddressScopeKind.Public;
    }

    /// <summary>
    /// Whether the library may connect to <paramref name="address"/>: never to a <see cref="AddressScopeKind.NeverConnect"/>
    /// address; to loopback, private, shared, link-local and unique-local addresses only when <paramref name="allowNonPublic"/>.
    /// </summary>
    public static bool IsAllowed(IPAddress address, bool allowNonPublic) => Classify(address) switch
    {
        AddressScopeKind.Public => true,
        AddressScopeKind.NeverConnect => false,
        _ => allowNonPublic,
    };

    /// <summary>A short name of the kind, for messages: "public", "loopback", "RFC 1918 private", ….</summary>
    public static string Describe(AddressScopeKind kind) => kind switch
    {
        AddressScopeKind.Public => "public",
        AddressScopeKind.NeverConnect => "unspecified, multicast, broadcast or reserved",
        AddressScopeKind.Loopback => "loopback",
        AddressScopeKind.Private => "RFC 1918 private",
        AddressScopeKind.SharedAddressSpace => "RFC 6598 shared",
        AddressScopeKind.LinkLocal => "link-local",
        AddressScopeKind.UniqueLocal => "unique-local",
        _ => kind.ToString(),
    };

    /// <summary>"192.0.2.1 (public), 10.0.0.1 (RFC 1918 private)" for a list of addresses.</summary>
    public static string DescribeAll(IEnumerable<IPAddress> addresses) =>
        string.Join(", ", addresses.Select(a => $"{a} ({Describe(Classify(a))})"));
}

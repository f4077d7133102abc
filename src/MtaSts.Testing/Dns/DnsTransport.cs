namespace MtaSts.Testing;

/// <summary>The transport a DNS query arrived on.</summary>
public enum DnsTransport
{
    /// <summary>UDP datagrams.</summary>
    Udp = 0,

    /// <summary>TCP with the two-byte length prefix (RFC 1035 §4.2.2, RFC 7766).</summary>
    Tcp,
}

namespace MtaSts.Testing;

/// <summary>One query a <see cref="LoopbackDnsServer"/> received.</summary>
/// <param name="Name">The question name, lower-case, without the trailing dot.</param>
/// <param name="Type">The question type.</param>
/// <param name="Transport">UDP or TCP.</param>
/// <param name="EDns">Whether the query carried an EDNS(0) OPT record.</param>
/// <param name="DnsSecOk">Whether the query set the DO bit (RFC 3225).</param>
/// <param name="CheckingDisabled">Whether the query set the CD bit (RFC 4035).</param>
/// <param name="Fault">The fault the server applied to this query, <see cref="DnsFault.None"/> for a normal answer.</param>
public sealed record DnsQueryLog(
    string Name,
    DnsRecordType Type,
    DnsTransport Transport,
    bool EDns,
    bool DnsSecOk,
    bool CheckingDisabled,
    DnsFault Fault);

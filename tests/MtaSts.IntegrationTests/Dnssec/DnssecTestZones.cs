using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.IntegrationTests.Dnssec;

/// <summary>
/// The three loopback zones the validating resolver serves, and the TLSA data they publish.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>secure.test</c> — signed, with a trust anchor: every DANE case that should work (usable, unusable, denial,
/// other port, CNAMEs, implicit and null MX, an MX pointing into the unsigned zone).</item>
/// <item><c>bogus.test</c> — signed, with a trust anchor, then three RRsets altered after signing: the TLSA RRset of
/// <c>mx.bogus.test</c>, the A RRset of <c>badaddr.bogus.test</c> and the MX RRset of <c>badmx.bogus.test</c>. The
/// rest of the zone (the apex MX, the A of <c>mx.bogus.test</c>) still validates.</item>
/// <item><c>insecure.test</c> — unsigned (<c>domain-insecure</c>): MX, A and TLSA that must not count.</item>
/// </list>
/// <para>Each zone also publishes MTA-STS for its apex (and <c>secure.test</c> for <c>aliased.secure.test</c>): an
/// <c>_mta-sts</c> TXT record and <c>mta-sts</c> A 127.0.0.1, where the tests run a policy host serving
/// <see cref="Policies"/>. None of these records is tampered with, so they validate in <c>bogus.test</c> too.</para>
/// </remarks>
internal static class DnssecTestZones
{
    public const string Secure = "secure.test";
    public const string Bogus = "bogus.test";
    public const string Insecure = "insecure.test";

    /// <summary>A recipient domain in the signed zone whose only MX is <c>alias.secure.test</c>, a CNAME of <c>mx.secure.test</c>.</summary>
    public const string Aliased = "aliased.secure.test";

    /// <summary>
    /// The key of <c>mx.secure.test</c>'s DANE-EE record: a real key, so that a TLS server can present a certificate
    /// that matches the zone (made fresh for each test run, like the zone signatures).
    /// </summary>
    private static readonly ECDsa SecureMxKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The usable DANE-EE SPKI SHA-256 digest (3 1 1) published for <c>mx.secure.test</c>: that of <see cref="SecureMxKey"/>.</summary>
    public static readonly byte[] SecureMxEe = SHA256.HashData(SecureMxKey.ExportSubjectPublicKeyInfo());

    /// <summary>The usable DANE-TA cert SHA-256 digest published for <c>mx.secure.test</c>.</summary>
    public static readonly byte[] SecureMxTa = Digest("mx.secure.test ta");

    /// <summary>The digest published at the original name <c>alias2.secure.test</c>.</summary>
    public static readonly byte[] Alias2 = Digest("alias2.secure.test");

    /// <summary>The digest published at the original name <c>partial.secure.test</c>.</summary>
    public static readonly byte[] Partial = Digest("partial.secure.test");

    /// <summary>The digest published at <c>_2525._tcp.mx2.secure.test</c>.</summary>
    public static readonly byte[] Mx2Port2525 = Digest("mx2.secure.test 2525");

    public static string SecureZone() => $$"""
        $ORIGIN secure.test.
        $TTL 300
        @        IN SOA ns hostmaster 1 3600 600 86400 300
        @        IN NS  ns
        ns       IN A   127.0.0.1
        ; Preference order is the reverse of file order on purpose.
        @        IN MX  20 mx2
        @        IN MX  10 mx
        mx       IN A    127.0.0.11
        mx       IN AAAA 2001:db8::11
        _25._tcp.mx   IN TLSA 3 1 1 {{Hex(SecureMxEe)}}
        _25._tcp.mx   IN TLSA 2 0 1 {{Hex(SecureMxTa)}}
        ; MTA-STS for the apex (the policy does not list mx).
        _mta-sts IN TXT "v=STSv1; id={{StsId(Secure)}};"
        mta-sts  IN A   127.0.0.1
        ; No TLSA at port 25 (an authenticated denial), one at port 2525.
        mx2      IN A   127.0.0.12
        _2525._tcp.mx2 IN TLSA 3 1 1 {{Hex(Mx2Port2525)}}
        ; Only records an SMTP client cannot use (PKIX-TA, and a digest of the wrong length).
        mx3      IN A   127.0.0.13
        _25._tcp.mx3  IN TLSA 0 0 1 {{Hex(Digest("mx3 pkix"))}}
        _25._tcp.mx3  IN TLSA 3 1 1 {{Hex(Digest("mx3 short").AsSpan(0, 20).ToArray())}}
        ; A secure alias: the expanded name is the base domain.
        alias    IN CNAME mx
        ; A secure alias whose target has no TLSA: the original name is the base domain.
        alias2   IN CNAME mx2
        _25._tcp.alias2 IN TLSA 3 1 1 {{Hex(Alias2)}}
        ; A secure first CNAME into the unsigned zone: only the original name is a candidate.
        partial  IN CNAME mx.insecure.test.
        _25._tcp.partial IN TLSA 3 1 1 {{Hex(Partial)}}
        ; Recipient domains below the apex.
        nullmx   IN MX  0 .
        nomx     IN A   127.0.0.14
        _25._tcp.nomx IN TLSA 3 1 1 {{Hex(Digest("nomx"))}}
        viainsecure IN MX 10 mx.insecure.test.
        ; A recipient domain whose MX is the secure alias, with MTA-STS.
        aliased  IN MX  10 alias
        _mta-sts.aliased IN TXT "v=STSv1; id={{StsId(Aliased)}};"
        mta-sts.aliased  IN A 127.0.0.1
        """;

    public static string BogusZone() => $$"""
        $ORIGIN bogus.test.
        $TTL 300
        @        IN SOA ns hostmaster 1 3600 600 86400 300
        @        IN NS  ns
        ns       IN A   127.0.0.1
        @        IN MX  10 mx
        mx       IN A   127.0.0.21
        _25._tcp.mx   IN TLSA 3 1 1 {{Hex(Digest("mx.bogus.test"))}}
        badaddr  IN A   127.0.0.22
        _25._tcp.badaddr IN TLSA 3 1 1 {{Hex(Digest("badaddr.bogus.test"))}}
        badmx    IN MX  10 mx
        _mta-sts IN TXT "v=STSv1; id={{StsId(Bogus)}};"
        mta-sts  IN A   127.0.0.1
        """;

    public static string InsecureZone() => $$"""
        $ORIGIN insecure.test.
        $TTL 300
        @        IN SOA ns hostmaster 1 3600 600 86400 300
        @        IN NS  ns
        ns       IN A   127.0.0.1
        @        IN MX  10 mx
        mx       IN A   127.0.0.31
        _25._tcp.mx   IN TLSA 3 1 1 {{Hex(Digest("mx.insecure.test"))}}
        _mta-sts IN TXT "v=STSv1; id={{StsId(Insecure)}};"
        mta-sts  IN A   127.0.0.1
        """;

    /// <summary>
    /// The MTA-STS policies the zones point to, all <c>enforce</c>: <c>secure.test</c> lists only <c>mx2</c> (so DANE
    /// must win for <c>mx</c>, A-13); the others list their MX host.
    /// </summary>
    public static IReadOnlyList<(string Domain, string Body)> Policies() =>
    [
        (Secure, Policy("mx2.secure.test")),
        (Aliased, Policy("alias.secure.test")),
        (Bogus, Policy("mx.bogus.test")),
        (Insecure, Policy("mx.insecure.test")),
    ];

    /// <summary>The <c>id</c> of a domain's <c>_mta-sts</c> TXT record.</summary>
    public static string StsId(string domain) => domain.Replace(".", string.Empty, StringComparison.Ordinal) + "1";

    /// <summary>
    /// A self-signed certificate for the key of <c>mx.secure.test</c>'s DANE-EE record, with an unrelated name and
    /// expired a day ago: DANE-EE ignores both (RFC 7672 §3.1.1).
    /// </summary>
    public static X509Certificate2 SecureMxDaneEeCertificate()
    {
        var request = new CertificateRequest("CN=unrelated.invalid", SecureMxKey, HashAlgorithmName.SHA256);
        var now = TimeProvider.System.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-30), now.AddDays(-1));
    }

    /// <summary>
    /// The alterations made to <c>bogus.test</c> after signing: (owner, type, old rdata, new rdata). Each must match
    /// exactly one line of the signed zone, or the harness fails.
    /// </summary>
    public static IEnumerable<(string Owner, string Type, Func<string, string> Alter)> BogusTampering() =>
    [
        ("_25._tcp.mx.bogus.test.", "TLSA", rdata => rdata[..^1] + (rdata[^1] == '0' ? '1' : '0')),
        ("badaddr.bogus.test.", "A", _ => "127.0.0.99"),
        ("badmx.bogus.test.", "MX", rdata => rdata.Replace("10 ", "20 ", StringComparison.Ordinal)),
    ];

    private static string Policy(string mx) => $"version: STSv1\r\nmode: enforce\r\nmx: {mx}\r\nmax_age: 86400\r\n";

    private static byte[] Digest(string seed) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed));

    private static string Hex(byte[] data) => Convert.ToHexString(data).ToLower(CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Net;
using System.Text;

namespace MtaSts.Testing;

/// <summary>
/// One loopback MTA-STS world: a <see cref="TestCertificateAuthority"/>, a <see cref="LoopbackDnsServer"/>, a
/// <see cref="PolicyHost"/> and a <see cref="LoopbackSmtpServer"/> wired together, plus helpers that publish a domain's
/// TXT record, policy and MX hosts in one call.
/// </summary>
/// <example>
/// <code>
/// await using var world = await MtaStsTestWorld.StartAsync();
/// world.PublishPolicy("example.test", "20240101", MtaStsMode.Enforce, 86400, "mx1.example.test");
/// world.PublishMx("example.test", (10, "mx1.example.test"));
/// var options = world.CreateOptions();   // points the resolver at this world
/// </code>
/// </example>
public sealed class MtaStsTestWorld : IAsyncDisposable
{
    private int _disposed;

    private MtaStsTestWorld(TestCertificateAuthority authority, LoopbackDnsServer dns, PolicyHost policyHost, LoopbackSmtpServer smtp)
    {
        CertificateAuthority = authority;
        Dns = dns;
        PolicyHost = policyHost;
        Smtp = smtp;
    }

    /// <summary>The authority whose root the options trust and whose certificates the policy host serves.</summary>
    public TestCertificateAuthority CertificateAuthority { get; }

    /// <summary>The DNS server the options point at.</summary>
    public LoopbackDnsServer Dns { get; }

    /// <summary>The HTTPS policy host the options point at.</summary>
    public PolicyHost PolicyHost { get; }

    /// <summary>The SMTP server that plays the MX hosts published with <see cref="PublishMxHost"/>; its certificates come from <see cref="CertificateAuthority"/>.</summary>
    public LoopbackSmtpServer Smtp { get; }

    /// <summary>Starts the authority, the DNS server, the policy host and the SMTP server.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running world; dispose it to stop everything.</returns>
    public static async Task<MtaStsTestWorld> StartAsync(CancellationToken cancellationToken = default)
    {
        var authority = TestCertificateAuthority.Create();
        LoopbackDnsServer? dns = null;
        PolicyHost? policyHost = null;
        try
        {
            dns = await LoopbackDnsServer.StartAsync(cancellationToken).ConfigureAwait(false);
            policyHost = await PolicyHost.StartAsync(authority, cancellationToken).ConfigureAwait(false);
            var smtp = await LoopbackSmtpServer.StartAsync(authority, cancellationToken).ConfigureAwait(false);
            return new MtaStsTestWorld(authority, dns, policyHost, smtp);
        }
        catch
        {
            if (policyHost is not null)
            {
                await policyHost.DisposeAsync().ConfigureAwait(false);
            }

            if (dns is not null)
            {
                await dns.DisposeAsync().ConfigureAwait(false);
            }

            authority.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Options that point a resolver at this world, with timeouts short enough for tests:
    /// <list type="bullet">
    /// <item><see cref="MtaStsDnsOptions.NameServers"/> = the DNS server; <see cref="MtaStsOptions.AdditionalTrustedRoots"/> = the root;
    /// <see cref="MtaStsPolicyFetchOptions.Port"/> = the policy host's port; <see cref="MtaStsPolicyFetchOptions.ResolveHostWithNameServers"/> = true;
    /// <see cref="MtaStsPolicyFetchOptions.AllowPrivateAddresses"/> = true, since the policy host listens on 127.0.0.1.</item>
    /// <item><see cref="MtaStsDnsOptions.Timeout"/> 2 s and <see cref="MtaStsDnsOptions.Retries"/> 1: a DNS fault shows within
    /// 4 s, and a busy test machine does not turn a slow loopback answer into a fault.</item>
    /// <item><see cref="MtaStsPolicyFetchOptions.Timeout"/> 5 s, <see cref="MtaStsPolicyFetchOptions.ConnectTimeout"/> 2 s and
    /// <see cref="MtaStsPolicyFetchOptions.Retries"/> 2 (the library default, so retry behaviour is exercised).</item>
    /// </list>
    /// Everything else keeps the library defaults. Each call returns a new object, free to change.
    /// </summary>
    /// <returns>New options.</returns>
    public MtaStsOptions CreateOptions()
    {
        var options = new MtaStsOptions
        {
            Dns = { Timeout = TimeSpan.FromSeconds(2), Retries = 1 },
            PolicyFetch =
            {
                Timeout = TimeSpan.FromSeconds(5),
                ConnectTimeout = TimeSpan.FromSeconds(2),
                Retries = 2,
                Port = PolicyHost.Port,
                ResolveHostWithNameServers = true,
                AllowPrivateAddresses = true,
            },
        };
        options.Dns.NameServers.Add(Dns.EndPoint);
        options.AdditionalTrustedRoots.Add(CertificateAuthority.RootCertificate);
        return options;
    }

    /// <summary>
    /// Publishes a policy: the TXT record <c>_mta-sts.&lt;domain&gt;</c> = <c>v=STSv1; id=&lt;id&gt;</c>, an A record
    /// <c>mta-sts.&lt;domain&gt;</c> → 127.0.0.1, and <paramref name="body"/> at the policy URL. Earlier TXT and A records
    /// at those names are replaced.
    /// </summary>
    /// <param name="domain">The policy domain.</param>
    /// <param name="id">The policy id in the TXT record.</param>
    /// <param name="body">The policy text, exactly as served.</param>
    public void PublishPolicy(string domain, string id, string body)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(body);
        var name = TestCertificateAuthority.NormalizeHost(domain);
        Dns.Remove("_mta-sts." + name, DnsRecordType.TXT);
        Dns.AddTxt("_mta-sts." + name, "v=STSv1; id=" + id);
        Dns.Remove("mta-sts." + name, DnsRecordType.A);
        Dns.AddA("mta-sts." + name, IPAddress.Loopback);
        PolicyHost.SetPolicy(name, body);
    }

    /// <summary>Publishes a policy built from its fields (CRLF line ends, fields in RFC 8461 order); see <see cref="PublishPolicy(string, string, string)"/>.</summary>
    /// <param name="domain">The policy domain.</param>
    /// <param name="id">The policy id in the TXT record.</param>
    /// <param name="mode">The policy mode.</param>
    /// <param name="maxAge">The <c>max_age</c> value in seconds, written as given (so out-of-range values can be tested).</param>
    /// <param name="mx">The <c>mx</c> patterns, one line each.</param>
    /// <returns>The policy body that was published.</returns>
    public string PublishPolicy(string domain, string id, MtaStsMode mode, long maxAge, params string[] mx)
    {
        var body = BuildPolicy(mode, maxAge, mx);
        PublishPolicy(domain, id, body);
        return body;
    }

    /// <summary>Publishes MX records for a domain and an A record → 127.0.0.1 for each exchange (unless it already has one).</summary>
    /// <param name="domain">The mail domain.</param>
    /// <param name="exchanges">The (preference, host) pairs.</param>
    public void PublishMx(string domain, params (int Preference, string Host)[] exchanges)
    {
        ArgumentNullException.ThrowIfNull(exchanges);
        var name = TestCertificateAuthority.NormalizeHost(domain);
        foreach (var (preference, host) in exchanges)
        {
            Dns.AddMx(name, preference, host);
            if (host != "." && !Dns.HasRecords(host, DnsRecordType.A))
            {
                Dns.AddA(host, IPAddress.Loopback);
            }
        }
    }

    /// <summary>
    /// Publishes an MX host played by <see cref="Smtp"/>: adds the host to the server (on its own loopback address, see
    /// <see cref="LoopbackSmtpServer.AddHost"/>), the MX record <paramref name="domain"/> → <paramref name="host"/>, and
    /// the A record <paramref name="host"/> → that address (replacing earlier A records). Senders must connect to
    /// <see cref="LoopbackSmtpServer.Port"/> instead of 25 (for the MtaSts planner, set
    /// <see cref="MtaStsDeliveryOptions.SmtpPort"/>, which also names the TLSA records <c>_&lt;port&gt;._tcp.&lt;host&gt;</c>).
    /// </summary>
    /// <param name="domain">The mail domain.</param>
    /// <param name="preference">The MX preference; lower is preferred.</param>
    /// <param name="host">The MX host name.</param>
    /// <param name="behavior">How the host behaves; <see langword="null"/> for a well-behaved host with a valid certificate.</param>
    /// <returns>The host's address.</returns>
    public IPAddress PublishMxHost(string domain, int preference, string host, SmtpHostBehavior? behavior = null)
    {
        var name = TestCertificateAuthority.NormalizeHost(domain);
        var address = Smtp.AddHost(host, behavior);
        Dns.AddMx(name, preference, host);
        Dns.Remove(host, DnsRecordType.A);
        Dns.AddA(host, address);
        return address;
    }

    /// <summary>Writes an RFC 8461 policy body with CRLF line ends.</summary>
    /// <param name="mode">The mode.</param>
    /// <param name="maxAge">The <c>max_age</c> in seconds.</param>
    /// <param name="mx">The <c>mx</c> patterns.</param>
    /// <returns>The policy text.</returns>
    public static string BuildPolicy(MtaStsMode mode, long maxAge, params string[] mx)
    {
        ArgumentNullException.ThrowIfNull(mx);
        var text = new StringBuilder();
        text.Append("version: STSv1\r\n");
        text.Append("mode: ").Append(Enum.IsDefined(mode) ? mode.ToToken() : throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown mode.")).Append("\r\n");
        foreach (var pattern in mx)
        {
            text.Append("mx: ").Append(pattern).Append("\r\n");
        }

        text.Append("max_age: ").Append(maxAge.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        return text.ToString();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Smtp.DisposeAsync().ConfigureAwait(false);
        await PolicyHost.DisposeAsync().ConfigureAwait(false);
        await Dns.DisposeAsync().ConfigureAwait(false);
        CertificateAuthority.Dispose();
    }
}

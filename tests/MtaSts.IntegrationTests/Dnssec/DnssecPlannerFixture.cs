using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Dnssec;

/// <summary>
/// Everything a full delivery plan needs on loopback: the validating unbound of <see cref="UnboundFixture"/> (MX, TLSA,
/// the <c>_mta-sts</c> TXT records and the policy hosts' addresses all come through it), and an HTTPS policy host whose
/// certificates come from a throwaway authority, serving <see cref="DnssecTestZones.Policies"/>.
/// </summary>
public sealed class DnssecPlannerFixture : IAsyncLifetime
{
    private PolicyHost? _policyHost;

    public UnboundFixture Unbound { get; } = new();

    public TestCertificateAuthority Authority { get; } = TestCertificateAuthority.Create();

    public PolicyHost PolicyHost => _policyHost ?? throw new InvalidOperationException("The policy host has not started.");

    /// <summary>
    /// Options for <see cref="DeliveryPlanner.Create"/>: unbound as the only (trusted, loopback) resolver, the policy
    /// host's port, the authority's root as an extra trust anchor, short timeouts, no retries.
    /// </summary>
    public MtaStsOptions CreateOptions(Action<MtaStsOptions>? configure = null)
    {
        var options = UnboundFixture.CreateOptions();
        options.Dns.NameServers.Add(Unbound.EndPoint);
        options.PolicyFetch.Port = PolicyHost.Port;
        options.PolicyFetch.AllowPrivateAddresses = true;
        options.AdditionalTrustedRoots.Add(Authority.RootCertificate);
        options.PolicyFetch.Timeout = TimeSpan.FromSeconds(10);
        options.PolicyFetch.ConnectTimeout = TimeSpan.FromSeconds(5);
        options.PolicyFetch.Retries = 0;
        configure?.Invoke(options);
        return options;
    }

    public async Task InitializeAsync()
    {
        try
        {
            await Unbound.InitializeAsync();
            _policyHost = await PolicyHost.StartAsync(Authority);
            foreach (var (domain, body) in DnssecTestZones.Policies())
            {
                _policyHost.SetPolicy(domain, body);
            }
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_policyHost is not null)
        {
            await _policyHost.DisposeAsync();
            _policyHost = null;
        }

        Unbound.Dispose();
        Authority.Dispose();
    }
}

using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Testing;

/// <summary>One certificate authority and one kit server for a whole test class; each test uses its own host names.</summary>
public abstract class AuthorityServerFixture<TServer> : IAsyncLifetime
    where TServer : class, IAsyncDisposable
{
    public TestCertificateAuthority Authority { get; } = TestCertificateAuthority.Create();

    protected TServer Started { get; private set; } = null!;

    public async Task InitializeAsync() => Started = await StartAsync(Authority);

    public async Task DisposeAsync()
    {
        await Started.DisposeAsync();
        Authority.Dispose();
    }

    protected abstract Task<TServer> StartAsync(TestCertificateAuthority authority);
}

/// <summary>A <see cref="LoopbackSmtpServer"/> for the class.</summary>
public sealed class SmtpServerFixture : AuthorityServerFixture<LoopbackSmtpServer>
{
    public LoopbackSmtpServer Server => Started;

    protected override Task<LoopbackSmtpServer> StartAsync(TestCertificateAuthority authority) => LoopbackSmtpServer.StartAsync(authority);
}

/// <summary>A <see cref="PolicyHost"/> for the class (policy hosts, and HTTPS report endpoints).</summary>
public sealed class PolicyHostFixture : AuthorityServerFixture<PolicyHost>
{
    public PolicyHost Host => Started;

    protected override Task<PolicyHost> StartAsync(TestCertificateAuthority authority) => PolicyHost.StartAsync(authority);
}

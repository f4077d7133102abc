using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MtaSts.DependencyInjection;

/// <summary>
/// The <see cref="PolicyRefresher"/> as a hosted service. It lives here, not on the refresher, so that the refresher used
/// by hand (PowerShell, console programs) never loads the hosting abstractions.
/// </summary>
internal sealed class PolicyRefresherService : IHostedService, IAsyncDisposable
{
    private readonly PolicyRefresher _refresher;

    public PolicyRefresherService(IMtaStsPolicyResolver resolver, IOptions<PolicyRefresherOptions> options)
    {
        if (resolver is not MtaStsPolicyResolver)
        {
            throw new InvalidOperationException(
                $"AddPolicyRefresher needs the library's own resolver, but IMtaStsPolicyResolver is registered as {resolver.GetType().Name}.");
        }

        _refresher = new PolicyRefresher(resolver, options.Value);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _refresher.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _refresher.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _refresher.DisposeAsync();
}

using MtaSts;

#pragma warning disable IDE0130 // Extension classes live where IServiceCollection does, as in dotnet/extensions.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers MtaSts in a service collection.</summary>
public static class MtaStsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IMtaStsPolicyResolver"/> as a singleton with validated <see cref="MtaStsOptions"/>, a named
    /// HTTP client from <c>IHttpClientFactory</c> (<see cref="HttpClientName"/>), <see cref="TimeProvider"/>, logging and metrics.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options; may be <see langword="null"/>.</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddMtaSts(this IServiceCollection services, Action<MtaStsOptions>? configure = null) =>
        throw new NotImplementedException();

    /// <summary>The name of the HTTP client used for policy fetches: <c>MtaSts.PolicyFetcher</c>.</summary>
    public const string HttpClientName = "MtaSts.PolicyFetcher";
}

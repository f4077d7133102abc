using DnsClient;
using Microsoft.Extensions.Options;
using MtaSts.Dns;

namespace MtaSts.DependencyInjection;

/// <summary>
/// What the resolver and the named HTTP client's handler share under DI: one validated copy of the options and one DNS
/// client (so the TXT lookup and the policy host lookup see the same DNS view). Internal, so an application's own
/// <c>ILookupClient</c> registration is neither used nor disturbed.
/// </summary>
internal sealed class MtaStsSharedServices
{
    public MtaStsSharedServices(IOptions<MtaStsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // IOptions<T>.Value has run the registered validators; check the copy as well, which also covers a host
        // that builds the resolver without ValidateOnStart having run.
        Options = MtaStsOptionsValidator.Snapshot(options.Value);
        MtaStsOptionsValidator.ThrowIfInvalid(Options);
        Dns = DnsClientFactory.Create(Options);
        HostAddresses = Options.ResolvePolicyHostWithNameServers ? new DnsHostAddressResolver(Dns) : null;
    }

    /// <summary>The options snapshot every component uses.</summary>
    public MtaStsOptions Options { get; }

    /// <summary>The one DNS client.</summary>
    public ILookupClient Dns { get; }

    /// <summary>Resolves the policy host through <see cref="Dns"/>, or <see langword="null"/> to let the operating system do it.</summary>
    public IHostAddressResolver? HostAddresses { get; }
}

/// <summary>Marks a service collection to which <c>AddMtaSts</c> has already been applied.</summary>
internal sealed class MtaStsRegistration;

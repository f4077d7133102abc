using MtaSts.Dns;

namespace MtaSts.Fetching;

/// <summary>Builds the strict <see cref="SocketsHttpHandler"/> used for policy fetches, with DI or without.</summary>
internal static class PolicyHttpHandlerFactory
{
    /// <summary>
    /// TLS 1.2/1.3 only; platform roots plus <see cref="MtaStsOptions.AdditionalTrustedRoots"/>; SAN-only name check;
    /// no redirects, cookies, proxy or automatic decompression; connect timeout; connections to
    /// <see cref="MtaStsOptions.PolicyHostPort"/> at the addresses from <paramref name="addresses"/> when given.
    /// </summary>
    public static SocketsHttpHandler Create(MtaStsOptions options, IHostAddressResolver? addresses) => throw new NotImplementedException();
}

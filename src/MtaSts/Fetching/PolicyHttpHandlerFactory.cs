using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Dns;

namespace MtaSts.Fetching;

/// <summary>Builds the strict <see cref="SocketsHttpHandler"/> used for policy fetches, with DI or without.</summary>
/// <remarks>
/// RFC 8461 §3.3 and §7: TLS 1.2 or 1.3 only (STS-7.2-a/b), SNI = the policy host from the URL (STS-7.1-b), a certificate
/// valid for that host by SAN dNSName (STS-3.3-a/c/d), no redirects (STS-3.3-g), no HTTP cache (STS-3.3-h). Nothing here
/// can switch validation off; <see cref="MtaStsOptions.AdditionalTrustedRoots"/> adds trust anchors, it bypasses nothing.
/// </remarks>
internal static class PolicyHttpHandlerFactory
{
    /// <summary>How long a pooled connection is reused before a new one (and a new address lookup) is made.</summary>
    internal static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long an idle pooled connection may stay open. Requests say <c>Connection: close</c>, so this only bounds a
    /// connection a server kept open anyway.
    /// </summary>
    internal static readonly TimeSpan PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The most connections to one policy host at once (one fetch per domain runs at a time; retries add one).</summary>
    internal const int MaxConnectionsPerServer = 2;

    /// <summary>The most response header bytes accepted, in KiB (the unit of <see cref="SocketsHttpHandler.MaxResponseHeadersLength"/>).</summary>
    internal const int MaxResponseHeadersKiB = 16;

    /// <summary>
    /// TLS 1.2/1.3 only; platform roots plus <see cref="MtaStsOptions.AdditionalTrustedRoots"/>; SAN-only name check;
    /// no redirects, cookies, proxy or automatic decompression; connect timeout; connections to
    /// <see cref="MtaStsPolicyFetchOptions.Port"/> at the addresses from <paramref name="addresses"/> when given.
    /// </summary>
    public static SocketsHttpHandler Create(MtaStsOptions options, IHostAddressResolver? addresses)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Snapshots: later changes to the options do not reach a handler already built.
        var extraRoots = new X509Certificate2Collection(options.AdditionalTrustedRoots);
        int port = options.PolicyFetch.Port;
        TimeSpan connectTimeout = options.PolicyFetch.ConnectTimeout;
        bool allowNonPublic = options.PolicyFetch.AllowPrivateAddresses;

        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            Proxy = null,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = connectTimeout,
            PooledConnectionLifetime = PooledConnectionLifetime,
            PooledConnectionIdleTimeout = PooledConnectionIdleTimeout,
            MaxConnectionsPerServer = MaxConnectionsPerServer,
            MaxResponseHeadersLength = MaxResponseHeadersKiB,
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,

                // RFC 8461 §3.3 makes revocation checking a MAY (STS-3.3-e); we skip it so a fetch never depends on a
                // reachable OCSP responder or CRL distribution point.
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                    ValidateServerCertificate(sender, certificate, chain, errors, extraRoots),
            },
            ConnectCallback = (context, cancellationToken) =>
                ConnectAsync(context.DnsEndPoint.Host, port, addresses, connectTimeout, allowNonPublic, cancellationToken),
        };
    }

    /// <summary>The certificate callback: accepts a valid certificate, throws <see cref="PolicyHostCertificateException"/> otherwise.</summary>
    internal static bool ValidateServerCertificate(object? sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2Collection extraRoots)
    {
        string? host = sender switch
        {
            SslStream stream => stream.TargetHostName,
            HttpRequestMessage request => request.RequestUri?.IdnHost,
            _ => null,
        };

        if (string.IsNullOrEmpty(host))
        {
            throw new PolicyHostCertificateException("the policy host name is unknown to the certificate check", PolicyHostCertificateValidator.NameMismatch);
        }

        X509Certificate2? leaf = certificate switch
        {
            null => null,
            X509Certificate2 certificate2 => certificate2,
            _ => new X509Certificate2(certificate),
        };

        CertificateCheck check = PolicyHostCertificateValidator.Validate(leaf, chain, errors, host, extraRoots);
        if (check.IsValid)
        {
            return true;
        }

        throw new PolicyHostCertificateException(check.Problem ?? "the certificate was rejected", check.ReasonCode ?? PolicyHostCertificateValidator.Untrusted);
    }

    /// <summary>
    /// Opens the TCP connection for <paramref name="host"/>: its addresses from <paramref name="resolver"/> (or the
    /// operating system), tried in turn at <paramref name="port"/> whatever port the URL names, so tests can run the
    /// policy host on a loopback port while the URL and SNI stay <c>https://mta-sts.&lt;domain&gt;/</c>.
    /// Addresses <see cref="AddressScope"/> refuses are never connected to (unspecified, multicast, broadcast, reserved;
    /// loopback, private, shared, link-local and unique-local unless <paramref name="allowNonPublic"/>); when none is
    /// left, <see cref="PolicyHostAddressException"/> is thrown before any connection is made.
    /// </summary>
    internal static async ValueTask<Stream> ConnectAsync(string host, int port, IHostAddressResolver? resolver, TimeSpan connectTimeout, bool allowNonPublic, CancellationToken cancellationToken)
    {
        IReadOnlyList<IPAddress> addresses = await ResolveAsync(host, resolver, cancellationToken).ConfigureAwait(false);
        List<IPAddress> allowed = addresses.Where(a => AddressScope.IsAllowed(a, allowNonPublic)).ToList();
        if (allowed.Count == 0)
        {
            throw new PolicyHostAddressException(
                $"no address of {host} may be connected to: {AddressScope.DescribeAll(addresses)}"
                + (allowNonPublic ? string.Empty : " (non-public addresses need MtaStsOptions.PolicyFetch.AllowPrivateAddresses)"));
        }

        var candidates = allowed.Where(a => a.AddressFamily == AddressFamily.InterNetwork || (a.AddressFamily == AddressFamily.InterNetworkV6 && Socket.OSSupportsIPv6)).ToList();
        if (candidates.Count == 0)
        {
            throw new HttpRequestException(HttpRequestError.NameResolutionError, $"{host} has no address this machine can connect to ({string.Join(", ", allowed)})");
        }

        // The handler's ConnectTimeout bounds the whole callback; give each address but the last a share of it, so one
        // unreachable address does not use up the time of the others.
        TimeSpan share = candidates.Count > 1
            ? TimeSpan.FromTicks(Math.Max(connectTimeout.Ticks / candidates.Count, TimeSpan.FromSeconds(1).Ticks))
            : Timeout.InfiniteTimeSpan;

        Exception? last = null;
        for (int i = 0; i < candidates.Count; i++)
        {
            IPAddress address = candidates[i];
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (i < candidates.Count - 1 && share != Timeout.InfiniteTimeSpan && connectTimeout != Timeout.InfiniteTimeSpan)
            {
                attempt.CancelAfter(share);
            }

            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), attempt.Token).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                last = new SocketException((int)SocketError.TimedOut);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        string tried = string.Join(", ", candidates.Select(a => new IPEndPoint(a, port).ToString()));
        throw new HttpRequestException(HttpRequestError.ConnectionError, $"could not connect to {host} at {tried}: {last?.Message}", last);
    }

    private static async ValueTask<IReadOnlyList<IPAddress>> ResolveAsync(string host, IHostAddressResolver? resolver, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return [literal];
        }

        IReadOnlyList<IPAddress> addresses;
        if (resolver is not null)
        {
            addresses = await resolver.ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            try
            {
                addresses = await System.Net.Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw new HttpRequestException(HttpRequestError.NameResolutionError, $"address lookup of {host} failed: {ex.Message}", ex);
            }
        }

        if (addresses.Count == 0)
        {
            throw new HttpRequestException(HttpRequestError.NameResolutionError, $"{host} has no IP address");
        }

        return addresses;
    }
}

/// <summary>
/// Thrown by the connect callback when every address of the policy host is one the library must not connect to
/// (<see cref="AddressScope"/>); the fetcher reports it as <c>sts-policy-fetch-error</c> with reason code
/// <see cref="ReasonCode"/> and does not retry it.
/// </summary>
internal sealed class PolicyHostAddressException : Exception
{
    /// <summary>The reason code of the evidence.</summary>
    public const string ReasonCode = "address-not-allowed";

    public PolicyHostAddressException()
        : this("no address of the policy host may be connected to")
    {
    }

    public PolicyHostAddressException(string message)
        : base(message)
    {
    }

    public PolicyHostAddressException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

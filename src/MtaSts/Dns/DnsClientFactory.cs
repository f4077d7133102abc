using System.Net;
using System.Net.Sockets;
using DnsClient;

namespace MtaSts.Dns;

/// <summary>Builds the one <see cref="LookupClient"/> a resolver shares between TXT discovery and policy-host lookups.</summary>
internal static class DnsClientFactory
{
    /// <summary>Where the system's resolver configuration lives on Unix-like systems.</summary>
    internal const string ResolvConfPath = "/etc/resolv.conf";

    private const int DnsPort = 53;

    /// <summary>
    /// A client asking <see cref="MtaStsDnsOptions.NameServers"/>, or the system's servers. DnsClient's own cache is off
    /// (the resolver caches by TTL itself). When automatic discovery finds no server (a network namespace whose only
    /// interface is loopback), the servers of <c>/etc/resolv.conf</c> are read directly.
    /// </summary>
    /// <exception cref="InvalidOperationException">No DNS server is configured anywhere.</exception>
    public static ILookupClient Create(MtaStsOptions options) => Create(options, ResolveSystemNameServers, ReadResolvConf);

    /// <summary>The same as <see cref="Create(MtaStsOptions)"/> with the system look-ups replaceable (for tests).</summary>
    internal static ILookupClient Create(MtaStsOptions options, Func<IReadOnlyCollection<NameServer>> systemServers, Func<string?> resolvConf)
    {
        ArgumentNullException.ThrowIfNull(options);
        NameServer[] servers = SelectNameServers(options, systemServers, resolvConf);

        // This constructor turns AutoResolveNameServers off, so DnsClient never adds servers of its own
        // (in particular never falls back to Google public DNS).
        var lookupOptions = new LookupClientOptions(servers)
        {
            UseCache = false,
            Timeout = options.Dns.Timeout,
            Retries = options.Dns.Retries,
            UseTcpFallback = true,
            ThrowDnsErrors = false,
            ContinueOnDnsError = true,
            ContinueOnEmptyResponse = true,
            UseRandomNameServer = true,
            EnableAuditTrail = false,
        };

        return new LookupClient(lookupOptions);
    }

    /// <summary>The servers to ask: the configured ones, else the system's, else those of <c>/etc/resolv.conf</c>.</summary>
    internal static NameServer[] SelectNameServers(MtaStsOptions options, Func<IReadOnlyCollection<NameServer>> systemServers, Func<string?> resolvConf)
    {
        if (options.Dns.NameServers.Count > 0)
        {
            return options.Dns.NameServers.Select(endPoint => new NameServer(endPoint)).ToArray();
        }

        IReadOnlyCollection<NameServer> system;
        try
        {
            system = systemServers();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // DnsClient throws when it cannot read the interfaces' configuration; the file below may still help.
            system = [];
        }

        if (system.Count > 0)
        {
            return system.ToArray();
        }

        string? text;
        try
        {
            text = resolvConf();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            text = null;
        }

        if (text is not null)
        {
            IReadOnlyList<IPEndPoint> fromFile = ParseResolvConf(text);
            if (fromFile.Count > 0)
            {
                return fromFile.Select(endPoint => new NameServer(endPoint)).ToArray();
            }
        }

        throw new InvalidOperationException(
            "No DNS server found: the operating system reports none and " + ResolvConfPath + " names none. " +
            "Set MtaStsOptions.Dns.NameServers to the DNS servers (ideally a local validating resolver) the library should ask.");
    }

    /// <summary>
    /// Reads the <c>nameserver</c> lines of a resolv.conf text: IPv4 and IPv6 addresses (with an optional
    /// <c>%scope</c>), port 53. Comments (<c>#</c> or <c>;</c>) and lines that are not a usable <c>nameserver</c> line
    /// are ignored; duplicates are dropped; order is kept.
    /// </summary>
    internal static IReadOnlyList<IPEndPoint> ParseResolvConf(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<IPEndPoint>();
        foreach (string rawLine in text.Split('\n'))
        {
            ReadOnlySpan<char> line = rawLine.AsSpan();
            int comment = line.IndexOfAny('#', ';');
            if (comment >= 0)
            {
                line = line[..comment];
            }

            line = line.Trim();
            const string Keyword = "nameserver";
            if (!line.StartsWith(Keyword, StringComparison.Ordinal) || line.Length == Keyword.Length || !char.IsWhiteSpace(line[Keyword.Length]))
            {
                continue;
            }

            ReadOnlySpan<char> value = line[Keyword.Length..].TrimStart();
            int end = value.IndexOfAny(' ', '\t');
            if (end >= 0)
            {
                value = value[..end];
            }

            if (!TryParseAddress(value, out IPAddress? address))
            {
                continue;
            }

            var endPoint = new IPEndPoint(address, DnsPort);
            if (!result.Contains(endPoint))
            {
                result.Add(endPoint);
            }
        }

        return result;
    }

    private static bool TryParseAddress(ReadOnlySpan<char> text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.IsEmpty)
        {
            return false;
        }

        if (!IPAddress.TryParse(text, out IPAddress? parsed))
        {
            // An IPv6 address with an interface name the runtime does not know: keep the address, drop the scope.
            int percent = text.IndexOf('%');
            if (percent <= 0 || !IPAddress.TryParse(text[..percent], out parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }
        }

        if (parsed.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            || parsed.Equals(IPAddress.Any) || parsed.Equals(IPAddress.IPv6Any))
        {
            return false;
        }

        // IPv4 addresses written in shorthand ("10.1") parse too; resolv.conf means dotted quads only.
        if (parsed.AddressFamily == AddressFamily.InterNetwork && text.Count('.') != 3)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    private static IReadOnlyCollection<NameServer> ResolveSystemNameServers() =>
        NameServer.ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false);

    private static string? ReadResolvConf() =>
        File.Exists(ResolvConfPath) ? File.ReadAllText(ResolvConfPath) : null;
}

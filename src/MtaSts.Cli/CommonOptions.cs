using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Cli;

/// <summary>The domain argument and the options shared by the commands that look up real domains (resolve, plan).</summary>
internal sealed class CommonOptions
{
    public CommonOptions(string domainsDescription)
    {
        Domains = new Argument<string[]>("domain")
        {
            Description = domainsDescription + " '-' reads one per line from standard input; answers come in input order as soon as they are ready.",
            Arity = ArgumentArity.OneOrMore,
        };
    }

    public Argument<string[]> Domains { get; }

    public Option<int> Concurrency { get; } = NetworkOptions.CreateConcurrency();

    public NetworkOptions Network { get; } = new();

    public StoreOption Store { get; } = CreateStore();

    public Option<string[]> Overrides { get; } = CreateOverrides();

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Write one JSON object per line per domain.",
    };

    public void AddTo(Command command)
    {
        command.Arguments.Add(Domains);
        command.Options.Add(Concurrency);
        Network.AddTo(command);
        command.Options.Add(Store.Option);
        command.Options.Add(Overrides);
        command.Options.Add(Json);
    }

    /// <summary>
    /// Builds library options from the command line; throws <see cref="ArgumentException"/> with a readable message on
    /// bad values. The store, when given, is opened last and set as <see cref="MtaStsCacheOptions.Store"/>; the caller
    /// disposes it.
    /// </summary>
    public MtaStsOptions CreateOptions(ParseResult parse) => CreateOptions(parse, Network, Overrides, Store);

    /// <summary>The <c>--store</c> option of the commands that resolve (resolve, plan, postfix).</summary>
    public static StoreOption CreateStore() => new("A policy store that outlives the command: file:<dir> (one file per domain) or redis:<host[:port]>[,name=value...]. " +
        "Read before the network, written after every fetch. Default: memory only.");

    /// <summary>The <c>--override</c> option of the commands that resolve (resolve, plan, postfix).</summary>
    public static Option<string[]> CreateOverrides() => new("--override")
    {
        Description = "A local override for a policy domain (repeatable): enforce (apply a published testing policy as enforce), " +
            "disable (do not use MTA-STS), or policy:<file> (apply the policy text in the file; nothing is looked up).",
        HelpName = "domain=enforce|disable|policy:file",
    };

    /// <summary>
    /// Library options from the network options, the overrides and the store; throws <see cref="ArgumentException"/> with a
    /// readable message on bad values. The store, when given, is opened last; the caller disposes it.
    /// </summary>
    public static MtaStsOptions CreateOptions(ParseResult parse, NetworkOptions network, Option<string[]> overrides, StoreOption store)
    {
        var options = network.CreateOptions(parse);
        OverrideSpec.AddAll(parse.GetValue(overrides) ?? [], options.Overrides);
        var spec = store.GetSpec(parse);
        if (spec is not null)
        {
            NetworkOptions.UseStore(options, StoreFactory.Create(spec));
        }

        return options;
    }
}

/// <summary>The options that point a resolver at DNS and policy hosts (resolve, plan, cache import).</summary>
internal sealed class NetworkOptions
{
    public Option<string[]> NameServers { get; } = new("--name-server", "-n")
    {
        Description = "A DNS server to ask, as IP or IP:port (repeatable). Default: the system's.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<FileInfo[]> TrustAnchors { get; } = new("--trust-anchor")
    {
        Description = "A PEM file of extra root certificates trusted for policy hosts, besides the system's (repeatable).",
    };

    public Option<double?> Timeout { get; } = new("--timeout")
    {
        Description = "Total seconds allowed for one policy fetch, retries included (default 60; 1 to 300); each DNS lookup, its tries and a TCP re-ask included, also stays within it.",
    };

    public Option<double?> DnsTimeout { get; } = new("--dns-timeout")
    {
        Description = "Seconds to wait for one DNS answer, per try (default 5; 0.1 to 60); lowered when --timeout is shorter than a whole lookup.",
    };

    public Option<int?> DnsRetries { get; } = new("--dns-retries")
    {
        Description = "DNS retries after a timeout (default 2; 0 to 5). A lookup can take --dns-timeout × (2 + --dns-retries) per name server: the tries over UDP and one over TCP after a spoofed answer.",
    };

    public Option<int?> PolicyHostPort { get; } = new("--policy-host-port")
    {
        Description = "Connect to policy hosts on this TCP port instead of 443 (for test environments; URL and SNI are unchanged).",
        Hidden = true,
    };

    public Option<bool> AllowPrivatePolicyHosts { get; } = new("--allow-private-policy-hosts")
    {
        Description = "Let policy hosts be reached at loopback, private, link-local and unique-local addresses (for test environments; refused by default).",
        Hidden = true,
    };

    /// <summary>The <c>--concurrency</c> option (each command that owns one makes its own instance).</summary>
    public static Option<int> CreateConcurrency() => new("--concurrency", "-c")
    {
        Description = "How many domains to look up at once.",
        DefaultValueFactory = _ => 8,
    };

    /// <summary>Sets the store and the CLI's store timeout (<see cref="StoreFactory.StoreTimeout"/>).</summary>
    public static void UseStore(MtaStsOptions options, IMtaStsPolicyStore store)
    {
        options.Cache.Store = store;
        options.Cache.StoreTimeout = StoreFactory.StoreTimeout;
    }

    public void AddTo(Command command)
    {
        command.Options.Add(NameServers);
        command.Options.Add(TrustAnchors);
        command.Options.Add(Timeout);
        command.Options.Add(DnsTimeout);
        command.Options.Add(DnsRetries);
        command.Options.Add(PolicyHostPort);
        command.Options.Add(AllowPrivatePolicyHosts);
    }

    /// <summary>The largest <c>--timeout</c> accepted: one day.</summary>
    // The library's range for PolicyFetch.Timeout (MtaStsOptionsValidator), stated here in the tool's words.
    internal const int MinTimeoutSeconds = 1;

    internal const int MaxTimeoutSeconds = 300;
    private static readonly TimeSpan MinimumDnsTry = TimeSpan.FromMilliseconds(100);

    /// <summary>Builds library options from the command line; throws <see cref="ArgumentException"/> with a readable message on bad values.</summary>
    public MtaStsOptions CreateOptions(ParseResult parse)
    {
        var options = new MtaStsOptions();
        foreach (var text in parse.GetValue(NameServers) ?? [])
        {
            options.Dns.NameServers.Add(ParseEndPoint(text));
        }

        foreach (var file in parse.GetValue(TrustAnchors) ?? [])
        {
            if (!file.Exists)
            {
                throw new ArgumentException($"trust anchor file '{file.FullName}' does not exist");
            }

            var before = options.AdditionalTrustedRoots.Count;
            try
            {
                options.AdditionalTrustedRoots.ImportFromPemFile(file.FullName);
            }
            catch (System.Security.Cryptography.CryptographicException ex)
            {
                throw new ArgumentException($"trust anchor file '{file.FullName}' is not a PEM certificate file (a PEM block in it cannot be read as a certificate)", ex);
            }

            if (options.AdditionalTrustedRoots.Count == before)
            {
                throw new ArgumentException($"trust anchor file '{file.FullName}' holds no PEM certificate");
            }
        }

        if (parse.GetValue(Timeout) is { } seconds)
        {
            if (!double.IsFinite(seconds) || seconds < MinTimeoutSeconds || seconds > MaxTimeoutSeconds)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--timeout must be between {MinTimeoutSeconds} and {MaxTimeoutSeconds} seconds"));
            }

            options.PolicyFetch.Timeout = TimeSpan.FromSeconds(seconds);
            if (options.PolicyFetch.ConnectTimeout > options.PolicyFetch.Timeout)
            {
                options.PolicyFetch.ConnectTimeout = options.PolicyFetch.Timeout;
            }
        }

        if (parse.GetValue(DnsTimeout) is { } dnsSeconds)
        {
            if (!double.IsFinite(dnsSeconds) || dnsSeconds < 0.1 || dnsSeconds > 60)
            {
                throw new ArgumentException("--dns-timeout must be between 0.1 and 60 seconds");
            }

            options.Dns.Timeout = TimeSpan.FromSeconds(dnsSeconds);
        }

        if (parse.GetValue(DnsRetries) is { } retries)
        {
            if (retries is < 0 or > 5)
            {
                throw new ArgumentException("--dns-retries must be between 0 and 5");
            }

            options.Dns.Retries = retries;
        }

        if (parse.GetValue(Timeout) is not null)
        {
            BoundDnsByTimeout(options);
        }

        if (parse.GetValue(PolicyHostPort) is { } port)
        {
            options.PolicyFetch.Port = port;
        }

        options.PolicyFetch.AllowPrivateAddresses = parse.GetValue(AllowPrivatePolicyHosts);

        return options;
    }

    /// <summary>
    /// Fits one DNS lookup into <c>--timeout</c>, after every DNS option is read: a lookup may ask each name server
    /// DnsRetries + 1 times over UDP and once more over TCP after a spoofed datagram, each try waiting up to the DNS
    /// timeout. That timeout (given or default) is lowered until the worst case fits, never below the library's
    /// 100 ms minimum per try.
    /// </summary>
    internal static void BoundDnsByTimeout(MtaStsOptions options)
    {
        var tries = Math.Max(1, options.Dns.NameServers.Count) * (options.Dns.Retries + 2);
        var share = options.PolicyFetch.Timeout / tries;
        if (share < options.Dns.Timeout)
        {
            options.Dns.Timeout = share < MinimumDnsTry ? MinimumDnsTry : share;
        }
    }

    /// <summary>Parses <c>IP</c>, <c>IP:port</c> or <c>[IPv6]:port</c>; the default port is 53.</summary>
    internal static IPEndPoint ParseEndPoint(string text)
    {
        if (IPAddress.TryParse(text, out var address))
        {
            return new IPEndPoint(address, 53);
        }

        if (IPEndPoint.TryParse(text, out var endPoint))
        {
            return endPoint.Port == 0 ? new IPEndPoint(endPoint.Address, 53) : endPoint;
        }

        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"'{text}' is not a name server address (use IP or IP:port)"));
    }
}

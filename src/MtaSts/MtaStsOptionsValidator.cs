using Microsoft.Extensions.Options;

namespace MtaSts;

/// <summary>
/// Checks <see cref="MtaStsOptions"/> against the ranges documented on each property. The facade
/// (<see cref="MtaStsPolicyResolver.Create(MtaStsOptions?, Microsoft.Extensions.Logging.ILoggerFactory?, TimeProvider?)"/>)
/// and the DI registration run this same validator, so both reject the same settings with the same messages.
/// </summary>
/// <remarks>
/// Hand-written rather than generated from DataAnnotations: the ranges are <see cref="TimeSpan"/>s and cross-property
/// rules, and the facade must not need the DataAnnotations validator to load.
/// </remarks>
internal sealed class MtaStsOptionsValidator : IValidateOptions<MtaStsOptions>
{
    internal static readonly MtaStsOptionsValidator Instance = new();

    public ValidateOptionsResult Validate(string? name, MtaStsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = GetFailures(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem, as <c>ValidateOnStart</c> would under DI.</summary>
    internal static void ThrowIfInvalid(MtaStsOptions options)
    {
        var failures = GetFailures(options);
        if (failures.Count != 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(MtaStsOptions), failures);
        }
    }

    /// <summary>A copy of the options, so later changes to the caller's instance do not reach a running resolver.</summary>
    internal static MtaStsOptions Snapshot(MtaStsOptions options)
    {
        var copy = new MtaStsOptions
        {
            DnsTimeout = options.DnsTimeout,
            DnsRetries = options.DnsRetries,
            PolicyFetchTimeout = options.PolicyFetchTimeout,
            ConnectTimeout = options.ConnectTimeout,
            PolicyFetchRetries = options.PolicyFetchRetries,
            MaxPolicyBodyBytes = options.MaxPolicyBodyBytes,
            PolicyHostPort = options.PolicyHostPort,
            ResolvePolicyHostWithNameServers = options.ResolvePolicyHostWithNameServers,
            AllowPrivatePolicyHostAddresses = options.AllowPrivatePolicyHostAddresses,
            ExcludeNonPublicMxAddresses = options.ExcludeNonPublicMxAddresses,
            MaxCachedDomains = options.MaxCachedDomains,
            MinRecordRecheckInterval = options.MinRecordRecheckInterval,
            MaxRecordRecheckInterval = options.MaxRecordRecheckInterval,
            FailedFetchBackoff = options.FailedFetchBackoff,
            RefreshAfter = options.RefreshAfter,
            DaneEnabled = options.DaneEnabled,
            SmtpPort = options.SmtpPort,
            RequireMtaStsWithDane = options.RequireMtaStsWithDane,
            PolicyStore = options.PolicyStore,
            StoreTimeout = options.StoreTimeout,
            MaxConcurrentPolicyFetches = options.MaxConcurrentPolicyFetches,
        };
        copy.ShareEvents(options.Events);
        foreach (var (domain, rule) in options.Overrides)
        {
            copy.Overrides[domain] = rule;
        }

        foreach (var server in options.NameServers)
        {
            copy.NameServers.Add(server);
        }

        foreach (var resolver in options.TrustedDnssecResolvers)
        {
            copy.TrustedDnssecResolvers.Add(resolver);
        }

        foreach (var domain in options.DaneRequiredDomains)
        {
            copy.DaneRequiredDomains.Add(domain);
        }

        copy.AdditionalTrustedRoots.AddRange(options.AdditionalTrustedRoots);
        return copy;
    }

    private static List<string> GetFailures(MtaStsOptions options)
    {
        var failures = new List<string>();
        CheckRange(failures, nameof(MtaStsOptions.DnsTimeout), options.DnsTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), "100 ms", "1 minute");
        CheckRange(failures, nameof(MtaStsOptions.DnsRetries), options.DnsRetries, 0, 5);
        CheckRange(failures, nameof(MtaStsOptions.PolicyFetchTimeout), options.PolicyFetchTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), "1 second", "5 minutes");
        CheckRange(failures, nameof(MtaStsOptions.ConnectTimeout), options.ConnectTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), "100 ms", "1 minute");
        CheckRange(failures, nameof(MtaStsOptions.PolicyFetchRetries), options.PolicyFetchRetries, 0, 5);
        CheckRange(failures, nameof(MtaStsOptions.MaxPolicyBodyBytes), options.MaxPolicyBodyBytes, 1024, 1024 * 1024);
        CheckRange(failures, nameof(MtaStsOptions.PolicyHostPort), options.PolicyHostPort, 1, 65535);
        CheckRange(failures, nameof(MtaStsOptions.SmtpPort), options.SmtpPort, 1, 65535);
        CheckRange(failures, nameof(MtaStsOptions.MaxCachedDomains), options.MaxCachedDomains, 1, 10_000_000);
        CheckRange(failures, nameof(MtaStsOptions.MinRecordRecheckInterval), options.MinRecordRecheckInterval, TimeSpan.Zero, TimeSpan.FromDays(1), "0", "1 day");
        CheckRange(failures, nameof(MtaStsOptions.MaxRecordRecheckInterval), options.MaxRecordRecheckInterval, TimeSpan.Zero, TimeSpan.FromDays(1), "0", "1 day");
        CheckRange(failures, nameof(MtaStsOptions.FailedFetchBackoff), options.FailedFetchBackoff, TimeSpan.FromMinutes(5), TimeSpan.FromDays(1), "5 minutes", "1 day");
        CheckRange(failures, nameof(MtaStsOptions.RefreshAfter), options.RefreshAfter, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365), "1 minute", "365 days");

        CheckRange(failures, nameof(MtaStsOptions.StoreTimeout), options.StoreTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10), "10 ms", "10 seconds");
        CheckRange(failures, nameof(MtaStsOptions.MaxConcurrentPolicyFetches), options.MaxConcurrentPolicyFetches, 1, 10_000);

        var overridden = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (domain, rule) in options.Overrides)
        {
            if (!DomainName.TryNormalize(domain, out var name, out var error))
            {
                failures.Add($"{nameof(MtaStsOptions.Overrides)}: '{domain}' is not a domain name: {error}");
            }
            else if (!overridden.Add(name))
            {
                failures.Add($"{nameof(MtaStsOptions.Overrides)}: '{domain}' names {name} a second time.");
            }
            else if (rule is null)
            {
                failures.Add($"{nameof(MtaStsOptions.Overrides)}['{domain}'] is null.");
            }
        }

        if (options.MinRecordRecheckInterval > options.MaxRecordRecheckInterval)
        {
            failures.Add(
                $"{nameof(MtaStsOptions.MinRecordRecheckInterval)} ({options.MinRecordRecheckInterval}) must not be greater than " +
                $"{nameof(MtaStsOptions.MaxRecordRecheckInterval)} ({options.MaxRecordRecheckInterval}).");
        }

        if (options.ConnectTimeout > options.PolicyFetchTimeout)
        {
            failures.Add(
                $"{nameof(MtaStsOptions.ConnectTimeout)} ({options.ConnectTimeout}) must not be greater than " +
                $"{nameof(MtaStsOptions.PolicyFetchTimeout)} ({options.PolicyFetchTimeout}).");
        }

        for (var i = 0; i < options.NameServers.Count; i++)
        {
            if (options.NameServers[i] is null)
            {
                failures.Add($"{nameof(MtaStsOptions.NameServers)}[{i}] is null.");
            }
        }

        for (var i = 0; i < options.TrustedDnssecResolvers.Count; i++)
        {
            if (options.TrustedDnssecResolvers[i] is null)
            {
                failures.Add($"{nameof(MtaStsOptions.TrustedDnssecResolvers)}[{i}] is null.");
            }
        }

        for (var i = 0; i < options.DaneRequiredDomains.Count; i++)
        {
            if (!DomainName.TryNormalize(options.DaneRequiredDomains[i], out _, out var error))
            {
                failures.Add($"{nameof(MtaStsOptions.DaneRequiredDomains)}[{i}] is not a domain name: {error}");
            }
        }

        if (options.DaneRequiredDomains.Count > 0 && !options.DaneEnabled)
        {
            failures.Add(
                $"{nameof(MtaStsOptions.DaneRequiredDomains)} lists {options.DaneRequiredDomains.Count} domain(s) but {nameof(MtaStsOptions.DaneEnabled)} is false: " +
                "mail to them could never be delivered.");
        }

        return failures;
    }

    private static void CheckRange(List<string> failures, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{name} is {value}; it must be between {min} and {max}.");
        }
    }

    private static void CheckRange(List<string> failures, string name, TimeSpan value, TimeSpan min, TimeSpan max, string minText, string maxText)
    {
        if (value < min || value > max)
        {
            failures.Add($"{name} is {value}; it must be between {minText} and {maxText}.");
        }
    }
}

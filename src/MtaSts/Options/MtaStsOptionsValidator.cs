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

    private static List<string> GetFailures(MtaStsOptions options)
    {
        var failures = new List<string>();
        CheckRange(failures, "Dns.Timeout", options.Dns.Timeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), "100 ms", "1 minute");
        CheckRange(failures, "Dns.Retries", options.Dns.Retries, 0, 5);
        CheckRange(failures, "PolicyFetch.Timeout", options.PolicyFetch.Timeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), "1 second", "5 minutes");
        CheckRange(failures, "PolicyFetch.ConnectTimeout", options.PolicyFetch.ConnectTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), "100 ms", "1 minute");
        CheckRange(failures, "PolicyFetch.Retries", options.PolicyFetch.Retries, 0, 5);
        CheckRange(failures, "PolicyFetch.MaxBodyBytes", options.PolicyFetch.MaxBodyBytes, 1024, 1024 * 1024);
        CheckRange(failures, "PolicyFetch.Port", options.PolicyFetch.Port, 1, 65535);
        CheckRange(failures, "Delivery.SmtpPort", options.Delivery.SmtpPort, 1, 65535);
        CheckRange(failures, "Cache.MaxDomains", options.Cache.MaxDomains, 1, 10_000_000);
        CheckRange(failures, "Cache.MinRecordRecheckInterval", options.Cache.MinRecordRecheckInterval, TimeSpan.Zero, TimeSpan.FromDays(1), "0", "1 day");
        CheckRange(failures, "Cache.MaxRecordRecheckInterval", options.Cache.MaxRecordRecheckInterval, TimeSpan.Zero, TimeSpan.FromDays(1), "0", "1 day");
        CheckRange(failures, "Cache.FailedFetchBackoff", options.Cache.FailedFetchBackoff, TimeSpan.FromMinutes(5), TimeSpan.FromDays(1), "5 minutes", "1 day");
        CheckRange(failures, "Cache.RefreshAfter", options.Cache.RefreshAfter, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365), "1 minute", "365 days");

        CheckRange(failures, "Cache.StoreTimeout", options.Cache.StoreTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10), "10 ms", "10 seconds");
        CheckRange(failures, "PolicyFetch.MaxConcurrentFetches", options.PolicyFetch.MaxConcurrentFetches, 1, 10_000);

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

        if (options.Cache.MinRecordRecheckInterval > options.Cache.MaxRecordRecheckInterval)
        {
            failures.Add(
                $"Cache.MinRecordRecheckInterval ({options.Cache.MinRecordRecheckInterval}) must not be greater than " +
                $"Cache.MaxRecordRecheckInterval ({options.Cache.MaxRecordRecheckInterval}).");
        }

        if (options.PolicyFetch.ConnectTimeout > options.PolicyFetch.Timeout)
        {
            failures.Add(
                $"PolicyFetch.ConnectTimeout ({options.PolicyFetch.ConnectTimeout}) must not be greater than " +
                $"PolicyFetch.Timeout ({options.PolicyFetch.Timeout}).");
        }

        for (var i = 0; i < options.Dns.NameServers.Count; i++)
        {
            if (options.Dns.NameServers[i] is null)
            {
                failures.Add($"Dns.NameServers[{i}] is null.");
            }
        }

        for (var i = 0; i < options.Dane.TrustedResolvers.Count; i++)
        {
            if (options.Dane.TrustedResolvers[i] is null)
            {
                failures.Add($"Dane.TrustedResolvers[{i}] is null.");
            }
        }

        for (var i = 0; i < options.Dane.RequiredDomains.Count; i++)
        {
            if (!DomainName.TryNormalize(options.Dane.RequiredDomains[i], out _, out var error))
            {
                failures.Add($"Dane.RequiredDomains[{i}] is not a domain name: {error}");
            }
        }

        if (options.Dane.RequiredDomains.Count > 0 && !options.Dane.Enabled)
        {
            failures.Add(
                $"Dane.RequiredDomains lists {options.Dane.RequiredDomains.Count} domain(s) but Dane.Enabled is false: " +
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

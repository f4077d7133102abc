using Microsoft.Extensions.Logging;

namespace MtaSts.Diagnostics;

/// <summary>Log messages of the DANE DNS lookups (MX, addresses, TLSA). Event ids 600–619.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 600, EventName = "MxLookup", Level = LogLevel.Debug,
        Message = "MX lookup for {Domain}: {Status}, secure={Secure}, {HostCount} host(s). {Detail}")]
    public static partial void MxLookupCompleted(ILogger logger, string domain, MtaSts.Dns.MxLookupStatus status, bool secure, int hostCount, string detail);

    [LoggerMessage(EventId = 601, EventName = "MxLookupFailed", Level = LogLevel.Warning,
        Message = "MX lookup for {Domain} failed; delivery must be delayed. {Detail}")]
    public static partial void MxLookupFailed(ILogger logger, string domain, string detail);

    [LoggerMessage(EventId = 602, EventName = "MxHostLookup", Level = LogLevel.Debug,
        Message = "DANE for {Host}: {Status}, base domain {BaseDomain}, {RecordCount} TLSA record(s), address secure={AddressSecure}. {Detail}")]
    public static partial void TlsaLookupCompleted(ILogger logger, string host, DaneStatus status, string baseDomain, int recordCount, bool addressSecure, string detail);

    [LoggerMessage(EventId = 603, EventName = "TlsaLookupFailed", Level = LogLevel.Warning,
        Message = "DANE lookup for {Host} failed; the host must not be used now. {Detail}")]
    public static partial void TlsaLookupFailed(ILogger logger, string host, string detail);

    [LoggerMessage(EventId = 604, EventName = "UntrustedDnssecResolver", Level = LogLevel.Warning,
        Message = "The DNSSEC status from resolver {Resolver} is not trusted (see MtaStsOptions.Dane.TrustedResolvers); DANE is unavailable for {Host}.")]
    public static partial void UntrustedDnssecResolver(ILogger logger, string resolver, string host);
}

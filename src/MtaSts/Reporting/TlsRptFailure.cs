using System.Net;
using System.Net.Sockets;

namespace MtaSts;

/// <summary>
/// What failed in a session, as one <c>failure-details</c> entry of a TLS-RPT report counts it (RFC 8460 §4.4): the
/// result type and what is known of the session. Compared by value: sessions with equal failures add to one count.
/// </summary>
/// <remarks>
/// Unknown values stay <see langword="null"/> and are left out of the report, never written as <c>null</c> or <c>""</c>
/// (decision R-11). The reason code must be a well-formed code (<see cref="TlsRptReasonCodes.IsWellFormed"/>, decision
/// R-12), so no sentence or exception text can reach a report.
/// </remarks>
public sealed record TlsRptFailure
{
    private readonly TlsRptResultType _resultType;
    private readonly IPAddress? _sendingMtaIp;
    private readonly IPAddress? _receivingIp;
    private readonly string? _receivingMxHostname;
    private readonly string? _receivingMxHelo;
    private readonly string? _failureReasonCode;
    private readonly string? _additionalInformation;

    /// <summary>Creates a failure of a result type.</summary>
    /// <param name="resultType">The result type.</param>
    /// <param name="failureReasonCode">The reason code (see <see cref="TlsRptReasonCodes"/>), or <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="resultType"/> is not a defined value.</exception>
    /// <exception cref="ArgumentException"><paramref name="failureReasonCode"/> is not a well-formed code.</exception>
    public TlsRptFailure(TlsRptResultType resultType, string? failureReasonCode = null)
    {
        ResultType = resultType;
        FailureReasonCode = failureReasonCode;
    }

    /// <summary>The <c>result-type</c>.</summary>
    public TlsRptResultType ResultType
    {
        get => _resultType;
        init
        {
            _ = TlsRptTokens.ToToken(value);
            _resultType = value;
        }
    }

    /// <summary>The <c>sending-mta-ip</c> (decision R-8); IPv4-mapped addresses are kept as IPv4, scope ids dropped.</summary>
    public IPAddress? SendingMtaIp
    {
        get => _sendingMtaIp;
        init => _sendingMtaIp = NormalizeAddress(value);
    }

    /// <summary>The <c>receiving-mx-hostname</c>: the MX host name (lower-case A-labels).</summary>
    /// <exception cref="ArgumentException">The value is not a valid host name.</exception>
    public string? ReceivingMxHostname
    {
        get => _receivingMxHostname;
        init => _receivingMxHostname = string.IsNullOrEmpty(value) ? null : DomainName.Normalize(value);
    }

    /// <summary>
    /// The <c>receiving-mx-helo</c>: the name the server gave in its greeting or EHLO reply, and only that (decision R-8).
    /// </summary>
    /// <exception cref="ArgumentException">The value contains whitespace or characters outside printable ASCII, or is longer than 255.</exception>
    public string? ReceivingMxHelo
    {
        get => _receivingMxHelo;
        init => _receivingMxHelo = CheckToken(value, 255, nameof(ReceivingMxHelo));
    }

    /// <summary>The <c>receiving-ip</c>: the address connected to; IPv4-mapped addresses are kept as IPv4, scope ids dropped.</summary>
    public IPAddress? ReceivingIp
    {
        get => _receivingIp;
        init => _receivingIp = NormalizeAddress(value);
    }

    /// <summary>The <c>failure-reason-code</c>, a stable code (decision R-12), e.g. <see cref="TlsRptReasonCodes.TlsaNoMatch"/>.</summary>
    /// <exception cref="ArgumentException">The value is not well formed (<see cref="TlsRptReasonCodes.IsWellFormed"/>).</exception>
    public string? FailureReasonCode
    {
        get => _failureReasonCode;
        init
        {
            if (!string.IsNullOrEmpty(value) && !TlsRptReasonCodes.IsWellFormed(value))
            {
                throw new ArgumentException("A failure reason code is 1 to 64 ASCII letters, digits, '-', '_' or '.' (decision R-12).", nameof(FailureReasonCode));
            }

            _failureReasonCode = string.IsNullOrEmpty(value) ? null : value;
        }
    }

    /// <summary>The <c>additional-information</c>: an absolute URI with more details, when the sender publishes one.</summary>
    /// <exception cref="ArgumentException">The value is not an absolute URI.</exception>
    public string? AdditionalInformation
    {
        get => _additionalInformation;
        init
        {
            if (!string.IsNullOrEmpty(value) && (!Uri.TryCreate(value, UriKind.Absolute, out _) || CheckToken(value, 2048, nameof(AdditionalInformation)) is null))
            {
                throw new ArgumentException("additional-information must be an absolute URI.", nameof(AdditionalInformation));
            }

            _additionalInformation = string.IsNullOrEmpty(value) ? null : value;
        }
    }

    private static IPAddress? NormalizeAddress(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes()) : address;
    }

    private static string? CheckToken(string? value, int maxLength, string name)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (value.Length > maxLength)
        {
            throw new ArgumentException($"The value is longer than {maxLength} characters.", name);
        }

        foreach (var c in value)
        {
            if (c is <= ' ' or > '~')
            {
                throw new ArgumentException("The value must be printable ASCII without whitespace.", name);
            }
        }

        return value;
    }
}

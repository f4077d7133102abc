using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace MtaSts.Samples.Mta;

/// <summary>
/// A small delivering MTA on MailKit's <see cref="SmtpClient"/>: plans delivery with <see cref="IDeliveryPlanner"/>
/// (DANE and MTA-STS), tries the plan's hosts in order with the TLS each decision asks for, and records every TLS
/// session for TLS-RPT through <see cref="ITlsReportRecorder"/>, one call per session.
/// </summary>
/// <remarks>
/// <para>Per host of the plan:</para>
/// <list type="bullet">
/// <item><description>A host the plan skips is not connected to; its skip is recorded when it carries a TLS-RPT
/// result type (decision R-15, <see cref="TlsSessionFactory.Skipped"/>).</description></item>
/// <item><description>Otherwise a TCP connection is made to the decision's addresses (in order) on
/// <see cref="SampleMtaOptions.Port"/>; MailKit then runs the SMTP dialogue on that socket with the decision's
/// <see cref="MxDecision.Sni"/> as its host name, which MailKit sends as the TLS server name. STARTTLS is required
/// when <see cref="MxDecision.TlsRequired"/> (no cleartext fallback), opportunistic otherwise. The certificate is
/// checked by the decision's own callback (<see cref="MxDecision.CreateCertificateValidationCallback"/>): under
/// <c>enforce</c> (or DANE) a failure ends the handshake and the next host is tried; under <c>testing</c> it is
/// recorded and the message goes out anyway (RFC 8461 §5, decision R-6).</description></item>
/// <item><description>The session is recorded once the TLS outcome is known (<see cref="TlsSessionFactory.Connected"/>
/// or <see cref="TlsSessionFactory.Failed"/>), before the message is sent. A host that never accepted a TCP connection
/// is no TLS session and is not recorded (RPT-4.3.4, as <see cref="TlsSessionFactory.FromProbe"/> does).</description></item>
/// </list>
/// <para>
/// Kept simple on purpose: one message per connection, no pipelining of several domains, no cleartext retry after a
/// failed opportunistic STARTTLS (the next host is tried instead, which RFC 8461 allows).
/// </para>
/// </remarks>
public sealed partial class SampleMta
{
    private readonly IDeliveryPlanner _planner;
    private readonly ITlsReportRecorder _recorder;
    private readonly SampleMtaOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the MTA.</summary>
    /// <param name="planner">The delivery planner (one per process: it owns the caches).</param>
    /// <param name="recorder">Where TLS sessions are counted.</param>
    /// <param name="options">Port, EHLO name and timeouts; the defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for connect timeouts; the system clock when <see langword="null"/>.</param>
    /// <param name="logger">Where each attempt is logged; nowhere when <see langword="null"/>.</param>
    public SampleMta(IDeliveryPlanner planner, ITlsReportRecorder recorder, SampleMtaOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentNullException.ThrowIfNull(recorder);
        _planner = planner;
        _recorder = recorder;
        _options = options ?? new SampleMtaOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Port, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.Port, 65535, nameof(options));
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Delivers a message to its recipients in one domain: the envelope sender is the message's <c>Sender</c> (else its
    /// first <c>From</c> mailbox), the envelope recipients are its <c>To</c>, <c>Cc</c> and <c>Bcc</c> mailboxes in
    /// <paramref name="recipientDomain"/>.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="recipientDomain">The recipient domain (also the MTA-STS policy domain and the TLS-RPT report domain).</param>
    /// <param name="cancellationToken">Cancels the delivery.</param>
    /// <returns>Delivered (to which host), deferred or failed, with a reason code.</returns>
    /// <exception cref="ArgumentException">The message has no sender, or no recipient in the domain.</exception>
    public async Task<MtaDeliveryResult> DeliverAsync(MimeMessage message, string recipientDomain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrWhiteSpace(recipientDomain);
        var sender = message.Sender ?? message.From.Mailboxes.FirstOrDefault()
            ?? throw new ArgumentException("The message has no Sender or From mailbox.", nameof(message));
        var domain = AsciiDomain(recipientDomain);
        var recipients = message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes)
            .Where(m => string.Equals(AsciiDomain(m.Domain), domain, StringComparison.Ordinal))
            .ToList();
        if (recipients.Count == 0)
        {
            throw new ArgumentException($"The message has no recipient in {recipientDomain}.", nameof(message));
        }

        var plan = await _planner.PlanDeliveryAsync(recipientDomain, cancellationToken).ConfigureAwait(false);
        if (plan.Status == DeliveryPlanStatus.NoMailService)
        {
            return Finish(plan, new MtaDeliveryResult(MtaDeliveryStatus.Failed, null, MtaDeliveryReasons.NoMailService, "the domain accepts no mail (null MX or no such domain)"));
        }

        MtaDeliveryResult? last = null;
        foreach (var decision in plan.Hosts)
        {
            if (!decision.IsUsable)
            {
                if (TlsSessionFactory.Skipped(plan, decision, _options.RequireMtaStsWithDane) is { } skipped)
                {
                    _recorder.Record(skipped);
                }

                last = new MtaDeliveryResult(MtaDeliveryStatus.Deferred, decision.Host, decision.ReportReasonCode ?? MtaDeliveryReasons.NoUsableHost, "skipped: " + LastReason(decision));
                LogHostSkipped(_logger, decision.Host, last.Reason);
                continue;
            }

            var attempt = await TryHostAsync(plan, decision, message, sender, recipients, cancellationToken).ConfigureAwait(false);
            if (attempt.Final)
            {
                return Finish(plan, attempt.Result);
            }

            last = attempt.Result;
        }

        return Finish(plan, last ?? new MtaDeliveryResult(MtaDeliveryStatus.Deferred, null, MtaDeliveryReasons.NoUsableHost, plan.Reasons.Count > 0 ? plan.Reasons[^1] : "the plan lists no host"));
    }

    /// <summary>One host: connect, STARTTLS as the decision says, record the TLS session, send.</summary>
    /// <returns>The outcome; <c>Final</c> when no other host should be tried (delivered, or the message itself was answered).</returns>
    private async Task<(MtaDeliveryResult Result, bool Final)> TryHostAsync(
        DeliveryPlan plan, MxDecision decision, MimeMessage message, MailboxAddress sender, List<MailboxAddress> recipients, CancellationToken cancellationToken)
    {
        var (socket, connectFailure) = await ConnectAsync(decision, cancellationToken).ConfigureAwait(false);
        if (socket is null)
        {
            return (Deferred(decision, connectFailure.Code, connectFailure.Reason), false);
        }

        using var owned = socket;
        var endpoints = new TlsSessionEndpoints((socket.LocalEndPoint as IPEndPoint)?.Address, (socket.RemoteEndPoint as IPEndPoint)?.Address);
        var transcript = new SmtpTranscript();
        CertificateValidationResult? check = null;
        using var client = new SmtpClient(transcript)
        {
            Timeout = (int)Math.Min(int.MaxValue, _options.CommandTimeout.TotalMilliseconds),
            CheckCertificateRevocation = false,
            ServerCertificateValidationCallback = decision.CreateCertificateValidationCallback(result => check = result),
        };
        if (_options.LocalDomain is { } localDomain)
        {
            client.LocalDomain = localDomain;
        }

        // The host name given with the socket is what MailKit authenticates as: the SNI of the decision (the MX host, or
        // the TLSA base domain under DANE). The callback checks against the decision's own reference names either way.
        var security = decision.TlsRequired ? SecureSocketOptions.StartTls : SecureSocketOptions.StartTlsWhenAvailable;
        try
        {
            await client.ConnectAsync(socket, decision.Sni, _options.Port, security, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ClassifyConnect(ex, transcript, check) is { } failure)
        {
            endpoints = endpoints with { ReceivingMxHelo = transcript.ServerName };
            _recorder.Record(check is { Verdict: CertificateVerdict.Rejected }
                ? TlsSessionFactory.Connected(plan, decision, check, endpoints, _options.RequireMtaStsWithDane)
                : TlsSessionFactory.Failed(plan, decision, failure.Type, failure.Code, endpoints, _options.RequireMtaStsWithDane));
            LogHostFailed(_logger, decision.Host, failure.Type, failure.Code, failure.Reason);

            return (Deferred(decision, failure.Code, failure.Reason), false);
        }

        endpoints = endpoints with { ReceivingMxHelo = transcript.ServerName };
        string tls;
        if (!client.IsSecure)
        {
            // Opportunistic TLS (no policy, or testing) and the server offered no STARTTLS: a failure to count, and the message goes out in clear.
            _recorder.Record(TlsSessionFactory.Failed(plan, decision, TlsRptResultType.StartTlsNotSupported, TlsRptReasonCodes.StartTlsNotOffered, endpoints, _options.RequireMtaStsWithDane));
            tls = "without TLS (not offered)";
        }
        else
        {
            // Under testing a failed check is in `check` with the verdict FailedButAllowed: Connected counts it.
            _recorder.Record(TlsSessionFactory.Connected(plan, decision, check, endpoints, _options.RequireMtaStsWithDane));
            tls = check is { Verdict: CertificateVerdict.FailedButAllowed } allowed
                ? $"over TLS, certificate check failed ({allowed.ResultType}), delivered anyway: the policy is in testing mode"
                : "over TLS, " + (check?.Reason ?? "certificate accepted");
        }

        try
        {
            await client.SendAsync(message, sender, recipients, cancellationToken).ConfigureAwait(false);
        }
        catch (SmtpCommandException ex)
        {
            var status = (int)ex.StatusCode;
            var temporary = status is >= 400 and < 500;
            var answer = string.Create(CultureInfo.InvariantCulture, $"the server answered {status} ({ex.ErrorCode})");
            return (new MtaDeliveryResult(temporary ? MtaDeliveryStatus.Deferred : MtaDeliveryStatus.Failed, decision.Host, temporary ? MtaDeliveryReasons.SmtpTemporaryFailure : MtaDeliveryReasons.SmtpRejected, answer), true);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ClassifyTransport(ex) is { } failure)
        {
            return (Deferred(decision, failure.Code, failure.Reason + " while sending"), false);
        }

        try
        {
            await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SmtpProtocolException or SmtpCommandException or TimeoutException)
        {
            // The message was accepted; a failed QUIT changes nothing.
        }

        var delivered = new MtaDeliveryResult(MtaDeliveryStatus.Delivered, decision.Host, null, tls);
        LogDelivered(_logger, plan.Domain, decision.Host, tls);
        return (delivered, true);
    }

    /// <summary>A TCP connection to the first of the decision's addresses that accepts one.</summary>
    private async Task<(Socket? Socket, (string Code, string Reason) Failure)> ConnectAsync(MxDecision decision, CancellationToken cancellationToken)
    {
        var failure = (Code: TlsRptReasonCodes.AddressNotAllowed, Reason: "the host has no address that may be connected to");
        foreach (var address in decision.Addresses.Where(MayConnect))
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, _options.Port), linked.Token).ConfigureAwait(false);
                return (socket, default);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                failure = (TlsRptReasonCodes.Timeout, $"no TCP connection to {address} in time");
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                failure = ex.SocketErrorCode == SocketError.ConnectionRefused
                    ? (TlsRptReasonCodes.ConnectionRefused, $"{address} refused the connection")
                    : (TlsRptReasonCodes.ConnectionError, $"the connection to {address} failed ({ex.SocketErrorCode})");
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        return (null, failure);
    }

    /// <summary>What went wrong before the mail transaction, in TLS-RPT terms; <see langword="null"/> for exceptions not ours to classify.</summary>
    private static (TlsRptResultType Type, string Code, string Reason)? ClassifyConnect(Exception ex, SmtpTranscript transcript, CertificateValidationResult? check)
    {
        if (check is { Verdict: CertificateVerdict.Rejected } rejected)
        {
            return (rejected.Failure ?? TlsRptResultType.ValidationFailure, rejected.ReasonCode ?? TlsRptReasonCodes.CertificateCheckError, "certificate rejected: " + rejected.Reason);
        }

        if (transcript.GreetingCode is not (0 or 220))
        {
            return (TlsRptResultType.ValidationFailure, TlsRptReasonCodes.SmtpGreetingRefused, string.Create(CultureInfo.InvariantCulture, $"the server's greeting was {transcript.GreetingCode}, not 220"));
        }

        return ex switch
        {
            SslHandshakeException => (TlsRptResultType.ValidationFailure, TlsRptReasonCodes.TlsHandshake, "the TLS handshake failed"),
            NotSupportedException => (TlsRptResultType.StartTlsNotSupported, TlsRptReasonCodes.StartTlsNotOffered, "the server does not offer STARTTLS, and TLS is required"),
            SmtpCommandException command when transcript.SentStartTls =>
                (TlsRptResultType.StartTlsNotSupported, TlsRptReasonCodes.StartTlsRefused, string.Create(CultureInfo.InvariantCulture, $"the server answered STARTTLS with {(int)command.StatusCode}")),
            SmtpCommandException or SmtpProtocolException => (TlsRptResultType.ValidationFailure, TlsRptReasonCodes.SmtpProtocolError, "the SMTP dialogue before TLS failed"),
            _ when ClassifyTransport(ex) is { } transport => (TlsRptResultType.ValidationFailure, transport.Code, transport.Reason),
            _ => null,
        };
    }

    /// <summary>Timeouts and broken connections.</summary>
    private static (string Code, string Reason)? ClassifyTransport(Exception ex) => ex switch
    {
        OperationCanceledException or TimeoutException or IOException { InnerException: TimeoutException } => (TlsRptReasonCodes.Timeout, "the server did not answer in time"),
        SmtpProtocolException => (TlsRptReasonCodes.SmtpProtocolError, "the server broke the SMTP protocol"),
        IOException or SocketException or ServiceNotConnectedException => (TlsRptReasonCodes.ConnectionReset, "the connection was closed or reset"),
        _ => null,
    };

    private static bool MayConnect(IPAddress address) =>
        !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.Broadcast)
        && !address.IsIPv6Multicast && !(address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] >= 224);

    private static MtaDeliveryResult Deferred(MxDecision decision, string code, string reason) => new(MtaDeliveryStatus.Deferred, decision.Host, code, reason);

    private static string LastReason(MxDecision decision) => decision.Reasons.Count > 0 ? decision.Reasons[^1] : "the plan skips this host";

    private static string AsciiDomain(string domain)
    {
        var name = domain.Trim().TrimEnd('.');
        try
        {
            return new IdnMapping().GetAscii(name).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return name.ToLowerInvariant();
        }
    }

    private MtaDeliveryResult Finish(DeliveryPlan plan, MtaDeliveryResult result)
    {
        if (!result.IsDelivered)
        {
            LogNotDelivered(_logger, plan.Domain, result.Status, result.ReasonCode ?? "none", result.Reason);
        }

        return result;
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Delivered to {Domain} through {Host}, {Tls}")]
    private static partial void LogDelivered(ILogger logger, string domain, string host, string tls);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "MX {Host} not tried: {Reason}")]
    private static partial void LogHostSkipped(ILogger logger, string host, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "MX {Host}: {ResultType} ({ReasonCode}): {Reason}")]
    private static partial void LogHostFailed(ILogger logger, string host, TlsRptResultType resultType, string reasonCode, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Not delivered to {Domain}: {Status} ({ReasonCode}): {Reason}")]
    private static partial void LogNotDelivered(ILogger logger, string domain, MtaDeliveryStatus status, string reasonCode, string reason);
}

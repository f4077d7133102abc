using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Diagnostics;
using MtaSts.Dns;
using MtaSts.Probing;

namespace MtaSts;

/// <summary>
/// Tries the MX hosts of a delivery plan the way a sending MTA would, without sending mail: connect, read the greeting,
/// EHLO, STARTTLS with the decision's SNI, check the certificate with the decision's own callback, EHLO again, QUIT.
/// Hosts the plan skips are listed with their reason and not connected to.
/// </summary>
/// <remarks>
/// <para>
/// Each failure is classified in RFC 8460 terms (<see cref="MxProbeResult.Failure"/>, <see cref="MxProbeResult.ReasonCode"/>):
/// a missing or refused STARTTLS is <c>starttls-not-supported</c>; a failed handshake, a timeout, a refused or broken
/// connection and an SMTP protocol error are <c>validation-failure</c> with their own codes; certificate failures carry
/// the certificate check's result type and code. A result turns into a TLS-RPT session with
/// <see cref="TlsSessionFactory.FromProbe(DeliveryPlan, MxProbeResult, bool)"/>.
/// </para>
/// <para>
/// Addresses come from the plan (the lookup that decided DANE) and are tried in its order until one accepts the TCP
/// connection; unspecified, multicast and broadcast addresses are never connected to. The probe is thread-safe.
/// </para>
/// </remarks>
public sealed class MxProbe
{
    private readonly MxProbeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MxProbeMetrics _metrics;

    /// <summary>Creates a probe.</summary>
    /// <param name="options">The probe's options (copied; default: port 25).</param>
    /// <param name="timeProvider">The clock for timeouts and durations (default: the system clock).</param>
    /// <param name="loggerFactory">Where logs go (default: nowhere).</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public MxProbe(MxProbeOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        _options = (options ?? new MxProbeOptions()).Clone();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("MtaSts.MxProbe");
        _metrics = MxProbeMetrics.Shared;
    }

    /// <summary>Probes every host of a plan, in its order (one at a time, as an MTA tries them).</summary>
    /// <param name="plan">The delivery plan.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>One result per host and the domain's verdict.</returns>
    public async Task<DomainProbeResult> ProbeAsync(DeliveryPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var results = new List<MxProbeResult>(plan.Hosts.Count);
        foreach (var decision in plan.Hosts)
        {
            results.Add(await ProbeHostAsync(decision, cancellationToken).ConfigureAwait(false));
        }

        return new DomainProbeResult { Plan = plan, Hosts = results };
    }

    /// <summary>Probes one MX host as its decision says (a skipped host is not connected to).</summary>
    /// <param name="decision">The planner's decision for the host.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>What the probe found.</returns>
    public async Task<MxProbeResult> ProbeHostAsync(MxDecision decision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (!decision.IsUsable)
        {
            var skipped = new MxProbeResult
            {
                Decision = decision,
                IsUsable = false,
                Failure = decision.ReportResultType is { } type && TlsRptTokens.TryParseResultType(type, out var parsed) ? parsed : null,
                ReasonCode = decision.ReportReasonCode,
                Reason = "not connected: " + (decision.Reasons.Count > 0 ? decision.Reasons[^1] : "the plan skips this host"),
            };
            _metrics.Record(skipped);
            return skipped;
        }

        using var activity = MtaStsMetrics.ActivitySource.StartActivity(MtaStsTelemetry.ProbeMxActivityName, ActivityKind.Client);
        activity?.SetTag("mtasts.mx.host", decision.Host);
        var started = _time.GetTimestamp();
        var session = new Session(this, decision);
        var result = await session.RunAsync(cancellationToken).ConfigureAwait(false);
        result = new MxProbeResult
        {
            Decision = result.Decision,
            IsUsable = result.IsUsable,
            Connected = result.Connected,
            RemoteAddress = result.RemoteAddress,
            LocalAddress = result.LocalAddress,
            ServerName = result.ServerName,
            StartTlsOffered = result.StartTlsOffered,
            TlsEstablished = result.TlsEstablished,
            TlsProtocol = result.TlsProtocol,
            Certificate = result.Certificate,
            CertificateCheck = result.CertificateCheck,
            Failure = result.Failure,
            ReasonCode = result.ReasonCode,
            Reason = result.Reason,
            Elapsed = _time.GetElapsedTime(started),
        };

        if (result.Failure is { } failure)
        {
            var type = TlsRptTokens.ToToken(failure);
            activity?.SetTag("error.type", type);
            if (_logger.IsEnabled(LogLevel.Information))
            {
                Log.MxProbeFailed(_logger, decision.Host, type, result.ReasonCode ?? "none", result.Reason);
            }
        }
        else if (_logger.IsEnabled(LogLevel.Debug))
        {
            var protocol = result.TlsProtocol is { } negotiated ? negotiated.ToString() : "none";
            Log.MxProbeCompleted(_logger, decision.Host, protocol, result.Reason);
        }

        _metrics.Record(result);
        return result;
    }

    /// <summary>The state of one probe of one host.</summary>
    private sealed class Session(MxProbe probe, MxDecision decision)
    {
        private IPAddress? _remote;
        private IPAddress? _local;
        private string? _serverName;
        private bool _connected;
        private bool _startTlsOffered;
        private MxCertificateInfo? _certificate;
        private CertificateValidationResult? _check;

        public async Task<MxProbeResult> RunAsync(CancellationToken cancellationToken)
        {
            var (socket, connectFailure) = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            if (connectFailure is not null)
            {
                return connectFailure;
            }

            var network = new NetworkStream(socket!, ownsSocket: true);
            await using var networkScope = network.ConfigureAwait(false);
            var reader = new SmtpReplyReader(network);
            try
            {
                var greeting = await ReadAsync(reader, cancellationToken).ConfigureAwait(false);
                if (greeting.Code != 220)
                {
                    return Fail(TlsRptResultType.ValidationFailure, TlsRptReasonCodes.SmtpGreetingRefused, $"the server's greeting was {greeting.Code}, not 220");
                }

                _serverName = greeting.FirstWord;
                var ehlo = await CommandAsync(reader, "EHLO " + probe._options.ClientName, cancellationToken).ConfigureAwait(false);
                if (ehlo.Code != 250)
                {
                    return Fail(TlsRptResultType.ValidationFailure, TlsRptReasonCodes.SmtpProtocolError, $"the server answered EHLO with {ehlo.Code}");
                }

                _serverName = ehlo.FirstWord ?? _serverName;
                _startTlsOffered = ehlo.HasExtension("STARTTLS");
                if (!_startTlsOffered)
                {
                    await QuitAsync(reader).ConfigureAwait(false);
                    return Fail(TlsRptResultType.StartTlsNotSupported, TlsRptReasonCodes.StartTlsNotOffered, "the server does not offer STARTTLS", usableAnyway: !decision.TlsRequired);
                }

                var startTls = await CommandAsync(reader, "STARTTLS", cancellationToken).ConfigureAwait(false);
                if (startTls.Code != 220)
                {
                    await QuitAsync(reader).ConfigureAwait(false);
                    return Fail(TlsRptResultType.StartTlsNotSupported, TlsRptReasonCodes.StartTlsRefused, $"the server answered STARTTLS with {startTls.Code}", usableAnyway: !decision.TlsRequired);
                }

                if (reader.HasBufferedData)
                {
                    // Bytes after the 220 and before the handshake: a plaintext injection (RFC 3207 §6); never read them as TLS.
                    return Fail(TlsRptResultType.ValidationFailure, TlsRptReasonCodes.SmtpProtocolError, "the server sent data after its STARTTLS reply, before the TLS handshake");
                }

                return await HandshakeAsync(network, reader, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Fail(TlsRptResultType.ValidationFailure, TlsRptReasonCodes.Timeout, $"the server did not answer within {Seconds(probe._options.CommandTimeout)}");
            }
            catch (SmtpProtocolException ex)
            {
                return Fail(TlsRptResultType.ValidationFailure, TlsRptReasonCodes.SmtpProtocolError, ex.Message);
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                return Fail(TlsRptResultType.ValidationFailure, TlsRptReasonCodes.ConnectionReset, "the connection was closed or reset during the SMTP dialogue");
            }
        }

        private async Task<MxProbeResult> HandshakeAsync(NetworkStream network, SmtpReplyReader reader, CancellationToken cancellationToken)
        {
            var callback = decision.CreateCertificateValidationCallback(result => _check = result);
            var tls = new SslStream(network, leaveInnerStreamOpen: true, (sender, certificate, chain, errors) =>
            {
                if (certificate is X509Certificate2 leaf)
                {
                    _certificate = MxCertificateInfo.From(leaf, chain);
                }
                else if (certificate is not null)
                {
                    using var copy = new X509Certificate2(certificate);
                    _certificate = MxCertificateInfo.From(copy, chain);
                }

                return callback(sender, certificate, chain, errors);
            });
            await using var tlsScope = tls.ConfigureAwait(false);

            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(probe._options.CommandTimeout);
                try
                {
                    await tls.AuthenticateAsClientAsync(
                        new SslClientAuthenticationOptions
                        {
                            TargetHost = decision.Sni,
                            EnabledSslProtocols = SslProtocols.None,
                            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                        },
                        timeout.Token).ConfigureAwait(false);
                }
                catch (AuthenticationException) when (_check is { Verdict: CertificateVerdict.Rejected } rejected)
                {
                    return CertificateFailed(rejected);
                }
                catch (AuthenticationException ex) when (Fetching.PolicyFetchFailures.IsOversizedHandshakeMessage(Fetching.PolicyFetchFailures.Innermost(ex).Message))
                {
                    // The TLS library refused the certificate message before the validation callback could see it.
                    return Fail(TlsRptResultType.ValidationFailure, TlsRptReasonCodes.CertificateTooLarge, "the server's certificate message is larger than the TLS stack accepts (an oversized certificate or chain)");
                }
                catch (AuthenticationException)
                {
                    return Fail(TlsRptResultType.ValidationFailure, TlsRptReasonCodes.TlsHandshake, "the TLS handshake failed (no common protocol version or cipher suite, or an alert)");
                }
                catch (IOException) when (_check is { Verdict: CertificateVerdict.Rejected } rejected)
                {
                    return CertificateFailed(rejected);
                }
                catch (IOException)
                {
                    return Fail(TlsRptResultType.ValidationFailure, TlsRptReasonCodes.TlsHandshake, "the connection ended during the TLS handshake");
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return Fail(TlsRptResultType.ValidationFailure, TlsRptReasonCodes.Timeout, $"the TLS handshake did not complete within {Seconds(probe._options.CommandTimeout)}");
                }
            }

            var protocol = tls.SslProtocol;
            reader.SwitchTo(tls);
            try
            {
                var ehlo = await CommandAsync(reader, "EHLO " + probe._options.ClientName, cancellationToken).ConfigureAwait(false);
                _serverName = ehlo.IsPositive ? ehlo.FirstWord ?? _serverName : _serverName;
                await QuitAsync(reader).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or SmtpProtocolException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // The TLS facts are in; a server that misbehaves after the handshake does not change them.
            }

            if (_check is { Verdict: CertificateVerdict.FailedButAllowed } allowed)
            {
                return Result(usable: true, allowed.Failure, allowed.ReasonCode, $"TLS {Version(protocol)}; certificate check failed ({allowed.Reason}); delivering anyway, the policy is in testing mode", tls: true, protocol);
            }

            var passed = _check?.Reason ?? "certificate accepted";
            return Result(usable: true, failure: null, reasonCode: null, $"TLS {Version(protocol)}; {passed}", tls: true, protocol);
        }

        private MxProbeResult CertificateFailed(CertificateValidationResult rejected) =>
            Result(usable: false, rejected.Failure ?? TlsRptResultType.ValidationFailure, rejected.ReasonCode, "certificate rejected: " + rejected.Reason, tls: false, protocol: null);

        private async Task<(Socket? Socket, MxProbeResult? Failure)> ConnectAsync(CancellationToken cancellationToken)
        {
            var addresses = decision.Addresses.Where(static a => AddressScope.Classify(a) != AddressScopeKind.NeverConnect).ToList();
            if (addresses.Count == 0)
            {
                return (null, Fail(TlsRptResultType.ValidationFailure, TlsRptReasonCodes.AddressNotAllowed, "the host has no address that may be connected to"));
            }

            var code = TlsRptReasonCodes.ConnectionError;
            var reason = "no address accepted the connection";
            foreach (var address in addresses)
            {
                _remote = address;
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(probe._options.ConnectTimeout);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, probe._options.Port), timeout.Token).ConfigureAwait(false);
                    _connected = true;
                    _local = (socket.LocalEndPoint as IPEndPoint)?.Address;
                    return (socket, null);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    socket.Dispose();
                    (code, reason) = (TlsRptReasonCodes.Timeout, $"no TCP connection to {address} within {Seconds(probe._options.ConnectTimeout)}");
                }
                catch (SocketException ex)
                {
                    socket.Dispose();
                    (code, reason) = ex.SocketErrorCode == SocketError.ConnectionRefused
                        ? (TlsRptReasonCodes.ConnectionRefused, $"{address} refused the connection")
                        : (TlsRptReasonCodes.ConnectionError, $"the connection to {address} failed ({ex.SocketErrorCode})");
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }

            return (null, Fail(TlsRptResultType.ValidationFailure, code, reason));
        }

        private async Task<SmtpReply> CommandAsync(SmtpReplyReader reader, string command, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(probe._options.CommandTimeout);
            await reader.WriteLineAsync(command, timeout.Token).ConfigureAwait(false);
            return await reader.ReadReplyAsync(timeout.Token).ConfigureAwait(false);
        }

        private async Task<SmtpReply> ReadAsync(SmtpReplyReader reader, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(probe._options.CommandTimeout);
            return await reader.ReadReplyAsync(timeout.Token).ConfigureAwait(false);
        }

        /// <summary>QUIT, best effort and briefly: the facts are in, a server that does not answer changes nothing.</summary>
        private static async Task QuitAsync(SmtpReplyReader reader)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await reader.WriteLineAsync("QUIT", timeout.Token).ConfigureAwait(false);
                _ = await reader.ReadReplyAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or SmtpProtocolException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        private MxProbeResult Fail(TlsRptResultType failure, string reasonCode, string reason, bool usableAnyway = false) =>
            Result(usableAnyway, failure, reasonCode, usableAnyway ? reason + "; TLS is not required for this host, so delivery would go ahead without it" : reason, tls: false, protocol: null);

        private MxProbeResult Result(bool usable, TlsRptResultType? failure, string? reasonCode, string reason, bool tls, SslProtocols? protocol) => new()
        {
            Decision = decision,
            IsUsable = usable,
            Connected = _connected,
            RemoteAddress = _remote,
            LocalAddress = _local,
            ServerName = _serverName,
            StartTlsOffered = _startTlsOffered,
            TlsEstablished = tls,
            TlsProtocol = protocol,
            Certificate = _certificate,
            CertificateCheck = _check,
            Failure = failure,
            ReasonCode = reasonCode,
            Reason = EvidenceText.Cap(reason),
        };

        private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " s";

        private static string Version(SslProtocols protocol) => protocol switch
        {
            SslProtocols.Tls13 => "1.3",
            SslProtocols.Tls12 => "1.2",
            _ => protocol.ToString(),
        };
    }
}

using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MtaSts;

/// <summary>
/// An <see cref="ITlsReportMailer"/> that submits report messages (<see cref="TlsReportMail"/>) to one mail server with
/// MailKit's <see cref="SmtpClient"/>: a new connection per message, STARTTLS by default, the server's certificate
/// checked (with <see cref="MailKitTlsReportMailerOptions.AdditionalTrustedRoots"/> added), SMTP AUTH when configured.
/// </summary>
/// <remarks>
/// The relay then delivers the message; the <c>TLS-Required: No</c> header asks it not to insist on TLS or apply MTA-STS
/// or DANE to it (RFC 8460 §5.3, decision R-13). Failures are thrown as <see cref="TlsReportDeliveryException"/> with
/// codes such as <c>mail-connect-failed</c>, <c>mail-timeout</c>, <c>mail-tls-failed</c>, <c>mail-starttls-unavailable</c>,
/// <c>mail-auth-failed</c>, <c>mail-auth-unavailable</c>, <c>mail-sender-rejected</c>, <c>mail-recipient-rejected</c>,
/// <c>mail-message-rejected</c>, <c>mail-smtp-error</c>, <c>mail-protocol-error</c>, <c>mail-io-error</c>.
/// </remarks>
public sealed class MailKitTlsReportMailer : ITlsReportMailer
{
    private readonly MailKitTlsReportMailerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly MailboxAddress? _from;

    /// <summary>Creates a mailer.</summary>
    /// <param name="options">The server and credentials; copied, so later changes do not apply.</param>
    /// <param name="timeProvider">The clock for the message's Date and Message-ID and for the timeout.</param>
    /// <exception cref="ArgumentException">An option is missing or invalid.</exception>
    public MailKitTlsReportMailer(MailKitTlsReportMailerOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Copy();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _from = options.From is null ? null : MailboxAddress.Parse(options.From);
    }

    /// <summary>The last message handed to the server, for tests.</summary>
    internal MimeMessage? LastMessage { get; private set; }

    /// <inheritdoc/>
    public async Task SendAsync(TlsReport report, IReadOnlyList<string> recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(recipients);
        if (recipients.Count == 0)
        {
            throw new ArgumentException("At least one recipient is needed.", nameof(recipients));
        }

        var from = _from ?? ParseAddress(report.Document.ContactInfo, "mail-invalid-sender");
        var to = recipients.Select(r => ParseAddress(r, "mail-invalid-recipient")).ToList();
        var message = TlsReportMail.Create(report, from, to, _timeProvider);

        using var timer = new CancellationTokenSource(_options.Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        using var client = new SmtpClient
        {
            Timeout = (int)Math.Min(int.MaxValue, _options.Timeout.TotalMilliseconds),
            CheckCertificateRevocation = false,
            ServerCertificateValidationCallback = Validate,
        };
        if (_options.LocalDomain is not null)
        {
            client.LocalDomain = _options.LocalDomain;
        }

        var stage = Stage.Connect;
        try
        {
            if (_options.ConnectAddress is { } address)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new System.Net.IPEndPoint(address, _options.Port), linked.Token).ConfigureAwait(false);
                    await client.ConnectAsync(socket, _options.Host!, _options.Port, _options.SecureSocketOptions, linked.Token).ConfigureAwait(false);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }
            else
            {
                await client.ConnectAsync(_options.Host!, _options.Port, _options.SecureSocketOptions, linked.Token).ConfigureAwait(false);
            }
            if (_options.UserName is not null)
            {
                stage = Stage.Authenticate;
                await client.AuthenticateAsync(_options.UserName, _options.Password!, linked.Token).ConfigureAwait(false);
            }

            stage = Stage.Send;
            LastMessage = message;
            await client.SendAsync(message, from, to, linked.Token).ConfigureAwait(false);
            stage = Stage.Quit;
            await client.DisconnectAsync(quit: true, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (stage == Stage.Quit && ex is not OperationCanceledException)
        {
            // The server took the message; a failure to say QUIT changes nothing.
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (Classify(ex, stage) is { } failure)
        {
            throw failure;
        }
    }

    private enum Stage
    {
        Connect,
        Authenticate,
        Send,
        Quit,
    }

    /// <summary>Maps what MailKit threw to a reason code and whether another try may succeed.</summary>
    internal static TlsReportDeliveryException? Classify(Exception ex, object stage)
    {
        var where = stage.ToString()!.ToLowerInvariant();
        return ex switch
        {
            OperationCanceledException or TimeoutException => Failure("mail-timeout", $"the mail server did not answer in time ({where})", true, ex),
            SmtpCommandException command => Command(command),
            MailKit.Security.AuthenticationException => Failure("mail-auth-failed", "the mail server refused the credentials", false, ex),
            SslHandshakeException => Failure("mail-tls-failed", "the TLS handshake with the mail server failed or its certificate was not accepted", false, ex),
            NotSupportedException when stage is Stage.Connect => Failure("mail-starttls-unavailable", "the mail server does not offer STARTTLS", false, ex),
            NotSupportedException => Failure("mail-auth-unavailable", "the mail server offers no usable authentication", false, ex),
            SmtpProtocolException => Failure("mail-protocol-error", "the mail server broke the SMTP protocol", true, ex),
            SocketException => Failure("mail-connect-failed", "could not connect to the mail server", true, ex),
            IOException when ex.InnerException is TimeoutException => Failure("mail-timeout", $"the mail server did not answer in time ({where})", true, ex),
            IOException or ServiceNotConnectedException => Failure("mail-io-error", $"the connection to the mail server failed ({where})", true, ex),
            _ => null,
        };
    }

    private static TlsReportDeliveryException Command(SmtpCommandException ex)
    {
        var code = ex.ErrorCode switch
        {
            SmtpErrorCode.SenderNotAccepted => "mail-sender-rejected",
            SmtpErrorCode.RecipientNotAccepted => "mail-recipient-rejected",
            SmtpErrorCode.MessageNotAccepted => "mail-message-rejected",
            _ => "mail-smtp-error",
        };
        var status = (int)ex.StatusCode;
        return Failure(code, $"the mail server answered {status}", status is >= 400 and < 500, ex);
    }

    private static TlsReportDeliveryException Failure(string code, string message, bool transient, Exception inner) => new(code, message, transient, inner);

    private static MailboxAddress ParseAddress(string address, string reason) =>
        MailboxAddress.TryParse(address, out var mailbox) && mailbox is not null
            ? mailbox
            : throw new TlsReportDeliveryException(reason, "an address of the report message cannot be used", isTransient: false);

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        // A name mismatch or a missing certificate is never forgiven; extra roots only help with chain errors.
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null || _options.AdditionalTrustedRoots.Count == 0)
        {
            return false;
        }

        using var leaf = new X509Certificate2(certificate);
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_options.AdditionalTrustedRoots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return custom.Build(leaf);
    }
}

using System.Security.Cryptography.X509Certificates;
using MailKit.Security;

namespace MtaSts;

/// <summary>Settings of <see cref="MailKitTlsReportMailer"/>: the mail server reports are submitted to, and how.</summary>
public sealed class MailKitTlsReportMailerOptions
{
    /// <summary>The submission server (your relay or smart host). Required.</summary>
    public string? Host { get; set; }

    /// <summary>The server's port; default 587 (submission).</summary>
    public int Port { get; set; } = 587;

    /// <summary>How the connection is secured; default <see cref="SecureSocketOptions.StartTls"/> (STARTTLS required).</summary>
    public SecureSocketOptions SecureSocketOptions { get; set; } = SecureSocketOptions.StartTls;

    /// <summary>The user name for SMTP AUTH; no authentication when <see langword="null"/>.</summary>
    public string? UserName { get; set; }

    /// <summary>The password for SMTP AUTH.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// The author and envelope sender of report messages (an addr-spec, optionally with a display name, e.g.
    /// <c>TLS reports &lt;tlsrpt@example.com&gt;</c>); the report's <c>contact-info</c> when <see langword="null"/>.
    /// </summary>
    public string? From { get; set; }

    /// <summary>The name given in EHLO; MailKit's default (the machine's name) when <see langword="null"/>.</summary>
    public string? LocalDomain { get; set; }

    /// <summary>How long one send may take, connection, TLS and authentication included; default one minute.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Trust anchors added to the platform's for the server's certificate (private CAs, test worlds). The certificate must
    /// still name <see cref="Host"/>.
    /// </summary>
    public X509Certificate2Collection AdditionalTrustedRoots { get; } = [];

    /// <summary>For test worlds: connect to this address instead of looking <see cref="Host"/> up (which still names the server for TLS).</summary>
    internal System.Net.IPAddress? ConnectAddress { get; set; }

    internal MailKitTlsReportMailerOptions Copy()
    {
        var copy = new MailKitTlsReportMailerOptions
        {
            Host = Host,
            Port = Port,
            SecureSocketOptions = SecureSocketOptions,
            UserName = UserName,
            Password = Password,
            From = From,
            LocalDomain = LocalDomain,
            Timeout = Timeout,
            ConnectAddress = ConnectAddress,
        };
        copy.AdditionalTrustedRoots.AddRange(AdditionalTrustedRoots);
        return copy;
    }

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException("MailKitTlsReportMailerOptions.Host is required.", nameof(Host));
        }

        if (Port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port is from 1 to 65535.");
        }

        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "Timeout is more than 0 and at most 10 minutes.");
        }

        if (UserName is not null && Password is null)
        {
            throw new ArgumentException("MailKitTlsReportMailerOptions.Password is required with UserName.", nameof(Password));
        }

        if (From is not null && !MimeKit.MailboxAddress.TryParse(From, out _))
        {
            throw new ArgumentException("MailKitTlsReportMailerOptions.From is not an e-mail address.", nameof(From));
        }
    }
}

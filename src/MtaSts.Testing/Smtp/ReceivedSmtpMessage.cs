using System.Net;
using System.Security.Authentication;
using System.Text;

namespace MtaSts.Testing;

/// <summary>One message a <see cref="LoopbackSmtpServer"/> accepted (answered <c>250</c> after DATA).</summary>
/// <param name="SessionId">The <see cref="SmtpSessionLog.Id"/> of the session it came in.</param>
/// <param name="Host">The host that received it, lower-case.</param>
/// <param name="RemoteEndPoint">The client's address and port.</param>
/// <param name="MailFrom">The reverse path of MAIL FROM without the angle brackets; empty for the null path <c>&lt;&gt;</c>.</param>
/// <param name="Recipients">The forward paths of the accepted RCPT TO commands, without angle brackets, in order.</param>
/// <param name="Data">The message exactly as sent after DATA, with the dot-stuffing removed and without the final <c>.</c> line (it ends with the CRLF before it).</param>
/// <param name="Tls">Whether it came over TLS.</param>
/// <param name="TlsProtocol">The TLS version it came over, or <see cref="SslProtocols.None"/>.</param>
/// <param name="AuthUser">The user name the client authenticated as, or <see langword="null"/>.</param>
public sealed record ReceivedSmtpMessage(
    int SessionId,
    string Host,
    IPEndPoint RemoteEndPoint,
    string MailFrom,
    IReadOnlyList<string> Recipients,
    byte[] Data,
    bool Tls,
    SslProtocols TlsProtocol,
    string? AuthUser)
{
    /// <summary>The message decoded as UTF-8 (invalid bytes become U+FFFD), for assertions on its text.</summary>
    /// <returns>The text.</returns>
    public string GetText() => Encoding.UTF8.GetString(Data);
}

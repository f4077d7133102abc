using System.Net;
using System.Security.Authentication;

namespace MtaSts.Testing;

/// <summary>One SMTP session a <see cref="LoopbackSmtpServer"/> accepted, as it stood when the snapshot was taken.</summary>
/// <param name="Id">The session's number, from 1 in the order of acceptance; <see cref="ReceivedSmtpMessage.SessionId"/> refers to it.</param>
/// <param name="Host">The host the client reached (by the address it connected to), lower-case; <see cref="LoopbackSmtpServer.UnknownHostName"/> for 127.0.0.1.</param>
/// <param name="RemoteEndPoint">The client's address and port.</param>
/// <param name="EhloName">The argument of the last EHLO or HELO, or <see langword="null"/> before any (a STARTTLS clears it, as the client must greet again).</param>
/// <param name="StartTls">Whether a TLS handshake after STARTTLS succeeded.</param>
/// <param name="TlsProtocol">The negotiated TLS version, or <see cref="SslProtocols.None"/>.</param>
/// <param name="Sni">The server name the client sent in its TLS ClientHello (also when the handshake failed), or <see langword="null"/>.</param>
/// <param name="AuthUser">The user name of a successful AUTH, or <see langword="null"/>.</param>
/// <param name="Commands">The command verbs received, upper-case, in order (at most the first 1000); AUTH exchanges and message text are not included.</param>
/// <param name="End">Why the session ended, or <see langword="null"/> while it is open.</param>
public sealed record SmtpSessionLog(
    int Id,
    string Host,
    IPEndPoint RemoteEndPoint,
    string? EhloName,
    bool StartTls,
    SslProtocols TlsProtocol,
    string? Sni,
    string? AuthUser,
    IReadOnlyList<string> Commands,
    SmtpSessionEnd? End);

using System.Security.Authentication;

namespace MtaSts.Testing;

/// <summary>One HTTP request a <see cref="PolicyHost"/> received.</summary>
/// <param name="Host">The Host header's name, lower-case, without port or trailing dot.</param>
/// <param name="Sni">The TLS server name the client sent, or <see langword="null"/> when it sent none.</param>
/// <param name="Method">The request method.</param>
/// <param name="Path">The request path, without the query string.</param>
/// <param name="QueryString">The query string including <c>?</c>, or empty.</param>
/// <param name="HttpVersion">The protocol, e.g. <c>HTTP/1.1</c>.</param>
/// <param name="TlsProtocol">The negotiated TLS version.</param>
/// <param name="Headers">The request headers (case-insensitive names; repeated headers joined with <c>", "</c>).</param>
public sealed record PolicyRequestLog(
    string Host,
    string? Sni,
    string Method,
    string Path,
    string QueryString,
    string HttpVersion,
    SslProtocols TlsProtocol,
    IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The most body bytes recorded per request (1 MiB); a longer body is cut there and <see cref="BodyTruncated"/> set.</summary>
    public const int MaxRecordedBodyBytes = 1024 * 1024;

    /// <summary>The request's Content-Type as sent, or <see langword="null"/> when it had none.</summary>
    public string? ContentType { get; init; }

    /// <summary>The request body (e.g. a POSTed TLS-RPT report), at most <see cref="MaxRecordedBodyBytes"/>; empty when there was none.</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Whether the body was longer than <see cref="MaxRecordedBodyBytes"/> and cut.</summary>
    public bool BodyTruncated { get; init; }
}

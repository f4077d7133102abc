namespace MtaSts.Testing;

/// <summary>
/// A scripted answer of a <see cref="PolicyHost"/>. The defaults give <c>200 OK</c>, <c>text/plain</c>, an empty body with a
/// Content-Length. The object is read on every request, so changing it after <see cref="PolicyHost.SetResponse(string, PolicyResponse)"/>
/// changes the next answers.
/// </summary>
public sealed class PolicyResponse
{
    /// <summary>The HTTP status code.</summary>
    /// <value>The default is 200; allowed 100 to 999.</value>
    public int StatusCode { get; set; } = 200;

    /// <summary>The Content-Type header; <see langword="null"/> sends none.</summary>
    /// <value>The default is <c>text/plain</c>.</value>
    public string? ContentType { get; set; } = "text/plain";

    /// <summary>The body, sent as UTF-8 (no byte order mark unless the string starts with U+FEFF).</summary>
    /// <value>The default is empty.</value>
    public string Body { get; set; } = string.Empty;

    /// <summary>The exact body bytes; when set, <see cref="Body"/> is ignored. For bodies that are not valid UTF-8.</summary>
    /// <value>The default is <see langword="null"/>.</value>
#pragma warning disable CA1819 // a test knob: the caller owns the array
    public byte[]? BodyBytes { get; set; }
#pragma warning restore CA1819

    /// <summary>The Location header, for redirects (3xx); <see langword="null"/> sends none.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Location { get; set; }

    /// <summary>Extra response headers (names are case-insensitive). A Content-Type or Location here overrides the properties.</summary>
    /// <value>The default is empty.</value>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long to wait before sending the status line and headers (a slow server).</summary>
    /// <value>The default is <see cref="TimeSpan.Zero"/>.</value>
    public TimeSpan HeaderDelay { get; set; }

    /// <summary>When set, the body trickles out: <see cref="TrickleChunkBytes"/> bytes, a flush, then this pause, until the end.</summary>
    /// <value>The default is <see langword="null"/>: the body is written at once.</value>
    public TimeSpan? ByteDelay { get; set; }

    /// <summary>The size of each piece when <see cref="ByteDelay"/> is set.</summary>
    /// <value>The default is 1; allowed 1 to 65536.</value>
    public int TrickleChunkBytes { get; set; } = 1;

    /// <summary>
    /// When set, the body is this many bytes: <see cref="Body"/> (or <see cref="BodyBytes"/>) first, then filler lines of
    /// <c>x</c> characters ending in CRLF, up to the size. For oversized-body tests.
    /// </summary>
    /// <value>The default is <see langword="null"/>: the body is just <see cref="Body"/>.</value>
    public long? GeneratedBodyBytes { get; set; }

    /// <summary>Whether a Content-Length header is sent; <see langword="false"/> sends the body chunked.</summary>
    /// <value>The default is <see langword="true"/>. Ignored for <see cref="EndlessBody"/>, which is always chunked.</value>
    public bool SendContentLength { get; set; } = true;

    /// <summary>When <see langword="true"/>, the body (chunked) never ends: <see cref="Body"/> then filler, until the client goes or the host stops.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool EndlessBody { get; set; }

    /// <summary>How many requests, from the first one, get <see cref="FailStatusCode"/> with an empty body before the real answer is served.</summary>
    /// <value>The default is 0. The count restarts when the response is set again with <see cref="PolicyHost.SetResponse(string, PolicyResponse)"/>.</value>
    public int FailFirstRequests { get; set; }

    /// <summary>The status code of the failed requests counted by <see cref="FailFirstRequests"/>.</summary>
    /// <value>The default is 503.</value>
    public int FailStatusCode { get; set; } = 503;

    /// <summary>When <see langword="true"/>, the connection is aborted as soon as the request arrives, without any response.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool ResetConnection { get; set; }
}

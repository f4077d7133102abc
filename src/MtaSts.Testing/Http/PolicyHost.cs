using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MtaSts.Testing;

/// <summary>
/// An HTTPS server (Kestrel) on 127.0.0.1 and a random port that plays every <c>mta-sts.&lt;domain&gt;</c> policy host at
/// once: the certificate and the TLS versions are chosen per connection from the SNI name, the response per request
/// from the Host header and path.
/// </summary>
/// <remarks>
/// <para>
/// A host is <em>known</em> once any of <see cref="SetPolicy"/>, <see cref="SetResponse(string, PolicyResponse)"/>,
/// <see cref="SetCertificate(string, TestCertificateKind)"/> or <see cref="SetTlsProtocols"/> names it. A known host
/// gets a certificate of its kind (default <see cref="TestCertificateKind.Valid"/>) from the authority; an unknown SNI
/// name, or none, gets a valid certificate for <see cref="UnknownHostName"/>, so the client sees a name mismatch.
/// Requests for a path nobody set get <c>404</c>. Only HTTP/1.1 is offered.
/// </para>
/// <para>
/// TLS versions (<see cref="SetTlsProtocols"/>) are whatever the platform's TLS library allows. On Linux with OpenSSL 3
/// TLS 1.0 and 1.1 are normally disabled by the default security level, so a host limited to them fails every
/// handshake; limit a host to <see cref="SslProtocols.Tls12"/> or <see cref="SslProtocols.Tls13"/> to test version
/// handling portably.
/// </para>
/// <para>All members are thread-safe; changes apply to the next connection or request.</para>
/// </remarks>
public sealed class PolicyHost : IAsyncDisposable
{
    /// <summary>The name on the certificate served for unknown or missing SNI names.</summary>
    public const string UnknownHostName = "unknown.invalid";

    /// <summary>The path of an MTA-STS policy (RFC 8461 §3.3).</summary>
    public const string PolicyPath = "/.well-known/mta-sts.txt";

    private static readonly byte[] FillerLine = Encoding.ASCII.GetBytes(new string('x', 62) + "\r\n");

    private readonly TestCertificateAuthority _authority;
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, HostSettings> _hosts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Host, string Path), ResponseSlot> _responses = new();
    private readonly ConcurrentDictionary<X509Certificate2, SslStreamCertificateContext> _contexts = new(ReferenceEqualityComparer.Instance);
    private readonly object _logGate = new();
    private readonly List<PolicyRequestLog> _requests = [];
    private int _disposed;
    private int _openConnections;

    private PolicyHost(TestCertificateAuthority authority)
    {
        _authority = authority;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.Use(next => async connection =>
                {
                    Interlocked.Increment(ref _openConnections);
                    try
                    {
                        await next(connection).ConfigureAwait(false);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _openConnections);
                    }
                });
                listen.UseHttps(new TlsHandshakeCallbackOptions
                {
                    OnConnection = context => ValueTask.FromResult(SelectTls(context.ClientHelloInfo.ServerName)),
                    HandshakeTimeout = TimeSpan.FromSeconds(10),
                });
            });
        });
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(2));
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    /// <summary>
    /// How many TCP connections to the host are open right now (any host name; TLS or not yet). A sender that keeps
    /// idle connections to policy hosts shows here.
    /// </summary>
    public int OpenConnections => Volatile.Read(ref _openConnections);

    /// <summary>The TCP port the host listens on (on 127.0.0.1). Put it in <see cref="MtaStsPolicyFetchOptions.Port"/>.</summary>
    public int Port { get; private set; }

    /// <summary>Every request received so far (since <see cref="ResetCounters"/>), oldest first; a snapshot.</summary>
    public IReadOnlyList<PolicyRequestLog> Requests
    {
        get { lock (_logGate) { return [.. _requests]; } }
    }

    /// <summary>Starts a policy host whose certificates come from <paramref name="authority"/>.</summary>
    /// <param name="authority">The authority that mints the server certificates; the caller keeps owning it.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running host; dispose it to stop it.</returns>
    public static async Task<PolicyHost> StartAsync(TestCertificateAuthority authority, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var host = new PolicyHost(authority);
        try
        {
            await host._app.StartAsync(cancellationToken).ConfigureAwait(false);
            var addresses = host._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            host.Port = new Uri(addresses.First()).Port;
            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Serves <paramref name="body"/> as <c>200 text/plain</c> at <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c>.</summary>
    /// <param name="domain">The policy domain (without <c>mta-sts.</c>).</param>
    /// <param name="body">The policy text, sent as UTF-8.</param>
    public void SetPolicy(string domain, string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        SetResponse("mta-sts." + TestCertificateAuthority.NormalizeHost(domain), new PolicyResponse { Body = body });
    }

    /// <summary>Serves a scripted response at <c>https://&lt;host&gt;/.well-known/mta-sts.txt</c>, replacing any earlier one.</summary>
    /// <param name="host">The host name (e.g. <c>mta-sts.example.test</c>).</param>
    /// <param name="response">What to answer.</param>
    public void SetResponse(string host, PolicyResponse response) => SetResponse(host, PolicyPath, response);

    /// <summary>Serves a scripted response at any path of a host (e.g. the target of a redirect), replacing any earlier one.</summary>
    /// <param name="host">The host name.</param>
    /// <param name="path">The absolute path, starting with <c>/</c>, without query string.</param>
    /// <param name="response">What to answer.</param>
    public void SetResponse(string host, string path, PolicyResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!path.StartsWith('/'))
        {
            throw new ArgumentException("The path must start with '/'.", nameof(path));
        }

        var name = TestCertificateAuthority.NormalizeHost(host);
        Settings(name);
        _responses[(name, path)] = new ResponseSlot(response);
    }

    /// <summary>Stops serving anything at a host's paths (requests get 404); its certificate settings stay.</summary>
    /// <param name="host">The host name.</param>
    public void RemoveResponses(string host)
    {
        var name = TestCertificateAuthority.NormalizeHost(host);
        foreach (var key in _responses.Keys.Where(k => k.Host == name))
        {
            _responses.TryRemove(key, out _);
        }
    }

    /// <summary>Chooses the kind of certificate served when a client asks for <paramref name="host"/> by SNI.</summary>
    /// <param name="host">The host name.</param>
    /// <param name="kind">The certificate kind.</param>
    public void SetCertificate(string host, TestCertificateKind kind)
    {
        var settings = Settings(TestCertificateAuthority.NormalizeHost(host));
        lock (settings)
        {
            settings.Kind = kind;
            settings.Certificate = null;
        }
    }

    /// <summary>Serves a certificate of your own (with private key) for <paramref name="host"/>, e.g. one from <see cref="TestCertificateAuthority.IssueCertificate(TestCertificateOptions)"/>.</summary>
    /// <param name="host">The host name.</param>
    /// <param name="certificate">The certificate, with its private key; the caller keeps owning it.</param>
    /// <param name="intermediates">Intermediate certificates to send with it, nearest first; none by default.</param>
    public void SetCertificate(string host, X509Certificate2 certificate, X509Certificate2Collection? intermediates = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("The certificate has no private key.", nameof(certificate));
        }

        var settings = Settings(TestCertificateAuthority.NormalizeHost(host));
        lock (settings)
        {
            settings.Certificate = certificate;
            settings.CustomIntermediates = intermediates ?? [];
        }
    }

    /// <summary>Limits the TLS versions a host accepts; <see cref="SslProtocols.None"/> restores the platform default. See the remarks about TLS 1.0 and 1.1 on Linux.</summary>
    /// <param name="host">The host name.</param>
    /// <param name="protocols">The versions allowed.</param>
    public void SetTlsProtocols(string host, SslProtocols protocols)
    {
        var settings = Settings(TestCertificateAuthority.NormalizeHost(host));
        lock (settings)
        {
            settings.Protocols = protocols;
        }
    }

    /// <summary>How many requests arrived with <paramref name="host"/> in the Host header (any path).</summary>
    /// <param name="host">The host name.</param>
    /// <returns>The count since the start or the last <see cref="ResetCounters"/>.</returns>
    public int RequestCount(string host)
    {
        var name = TestCertificateAuthority.NormalizeHost(host);
        lock (_logGate)
        {
            return _requests.Count(r => r.Host == name);
        }
    }

    /// <summary>Empties the request log. The countdown of <see cref="PolicyResponse.FailFirstRequests"/> is not reset (set the response again for that).</summary>
    public void ResetCounters()
    {
        lock (_logGate)
        {
            _requests.Clear();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Connections that would not close in time were aborted.
            }
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _contexts.Clear();
    }

    private static string? NormalizeOrNull(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return null;
        }

        // The TLS stack hands an internationalised SNI over as Unicode; hosts are keyed by their A-labels.
        var name = global::MtaSts.Dns.DnsNames.FromWire(host.Trim());
        return name.Length == 0 ? null : name;
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteBodyAsync(HttpResponse response, PolicyResponse script, byte[] prefix, CancellationToken cancellationToken)
    {
        long? total = script.EndlessBody ? null : script.GeneratedBodyBytes is { } generated ? Math.Max(generated, 0) : prefix.Length;
        var trickle = script.ByteDelay;
        var piece = trickle is null ? 16 * 1024 : Math.Clamp(script.TrickleChunkBytes, 1, 64 * 1024);
        var buffer = new byte[Math.Max(piece, FillerLine.Length)];
        long written = 0;
        while (total is null || written < total)
        {
            var count = (int)Math.Min(piece, total is null ? piece : total.Value - written);
            for (var i = 0; i < count; i++)
            {
                var position = written + i;
                buffer[i] = position < prefix.Length ? prefix[position] : FillerLine[(position - prefix.Length) % FillerLine.Length];
            }

            await response.Body.WriteAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
            written += count;
            if (trickle is { } pause)
            {
                await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                await DelayAsync(pause, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private HostSettings Settings(string host) => _hosts.GetOrAdd(host, _ => new HostSettings());

    private SslServerAuthenticationOptions SelectTls(string? serverName)
    {
        var name = NormalizeOrNull(serverName);
        X509Certificate2 certificate;
        X509Certificate2Collection intermediates = [];
        var protocols = SslProtocols.None;
        if (name is not null && _hosts.TryGetValue(name, out var settings))
        {
            lock (settings)
            {
                protocols = settings.Protocols;
                if (settings.Certificate is { } custom)
                {
                    certificate = custom;
                    intermediates = settings.CustomIntermediates;
                }
                else
                {
                    certificate = _authority.GetServerCertificate(name, settings.Kind);
                    if (settings.Kind is not (TestCertificateKind.Untrusted or TestCertificateKind.SelfSigned))
                    {
                        intermediates = _authority.IntermediateCertificates;
                    }
                }
            }
        }
        else
        {
            certificate = _authority.GetServerCertificate(UnknownHostName);
            intermediates = _authority.IntermediateCertificates;
        }

        var context = _contexts.GetOrAdd(certificate, cert => SslStreamCertificateContext.Create(cert, intermediates, offline: true));
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            EnabledSslProtocols = protocols,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            ClientCertificateRequired = false,
        };
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var host = NormalizeOrNull(request.Host.Host) ?? string.Empty;
        var tls = context.Features.Get<ITlsHandshakeFeature>();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers)
        {
            headers[header.Key] = header.Value.ToString();
        }

        var (body, truncated) = await ReadBodyAsync(request, context.RequestAborted).ConfigureAwait(false);
        lock (_logGate)
        {
            _requests.Add(new PolicyRequestLog(
                host,
                NormalizeOrNull(tls?.HostName),
                request.Method,
                request.Path.Value ?? string.Empty,
                request.QueryString.Value ?? string.Empty,
                request.Protocol,
                tls?.Protocol ?? SslProtocols.None,
                headers)
            {
                ContentType = request.ContentType,
                Body = body,
                BodyTruncated = truncated,
            });
        }

        if (!_responses.TryGetValue((host, request.Path.Value ?? string.Empty), out var slot))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("Not found\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await ServeAsync(context, slot, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            context.Abort(); // the client went away or the host is stopping
        }
        catch (IOException)
        {
            context.Abort();
        }
    }

    /// <summary>Reads up to <see cref="PolicyRequestLog.MaxRecordedBodyBytes"/> of the request body; the rest is left unread.</summary>
    private static async Task<(byte[] Body, bool Truncated)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.ContainsKey("Transfer-Encoding")))
        {
            return ([], false);
        }

        try
        {
            var limit = PolicyRequestLog.MaxRecordedBodyBytes;
            var buffer = new byte[Math.Min(limit + 1, (int)Math.Min(request.ContentLength ?? 64 * 1024, limit + 1L))];
            using var collected = new MemoryStream();
            while (collected.Length <= limit)
            {
                var read = await request.Body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit + 1 - collected.Length)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                collected.Write(buffer, 0, read);
            }

            var bytes = collected.ToArray();
            return bytes.Length > limit ? (bytes[..limit], true) : (bytes, false);
        }
        catch (IOException)
        {
            return ([], false); // the client went away mid-body
        }
    }

    private static async Task ServeAsync(HttpContext context, ResponseSlot slot, CancellationToken cancellationToken)
    {
        var script = slot.Response;
        var response = context.Response;
        if (Interlocked.Increment(ref slot.Served) <= script.FailFirstRequests)
        {
            response.StatusCode = script.FailStatusCode;
            response.ContentLength = 0;
            return;
        }

        if (script.ResetConnection)
        {
            // Linger 0 turns the close into a TCP RST, as from a crashing server or a middlebox.
            if (context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0);
            }

            context.Abort();
            return;
        }

        await DelayAsync(script.HeaderDelay, cancellationToken).ConfigureAwait(false);
        response.StatusCode = script.StatusCode;
        if (script.ContentType is not null)
        {
            response.ContentType = script.ContentType;
        }

        if (script.Location is not null)
        {
            response.Headers.Location = script.Location;
        }

        foreach (var (name, value) in script.Headers)
        {
            response.Headers[name] = value;
        }

        var prefix = script.BodyBytes ?? Encoding.UTF8.GetBytes(script.Body);
        if (!script.EndlessBody && script.SendContentLength)
        {
            response.ContentLength = script.GeneratedBodyBytes is { } generated ? Math.Max(generated, 0) : prefix.Length;
        }

        await response.StartAsync(cancellationToken).ConfigureAwait(false);
        await WriteBodyAsync(response, script, prefix, cancellationToken).ConfigureAwait(false);
    }

    private sealed class HostSettings
    {
        public TestCertificateKind Kind { get; set; }

        public X509Certificate2? Certificate { get; set; }

        public X509Certificate2Collection CustomIntermediates { get; set; } = [];

        public SslProtocols Protocols { get; set; }
    }

    private sealed class ResponseSlot(PolicyResponse response)
    {
        public int Served; // a field, for Interlocked

        public PolicyResponse Response { get; } = response;
    }
}

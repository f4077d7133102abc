using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace MtaSts.Testing;

using DomainName = ARSoft.Tools.Net.DomainName;

/// <summary>
/// A DNS server on 127.0.0.1 that answers from an in-memory zone like a recursive resolver would, over UDP and TCP on
/// the same random port, with per-name fault injection and a log of every query.
/// </summary>
/// <remarks>
/// <para>
/// Names are case-insensitive and the trailing dot is optional everywhere. Answers: the records of the asked type; CNAME
/// chains inside the zone are followed and every CNAME goes into the answer with the final records (a loop gives
/// SERVFAIL); a name with no records at all is NXDOMAIN unless some name below it has records (an empty
/// non-terminal, RFC 8020), which is NODATA; a known name without the asked type is NODATA (NOERROR, empty answer).
/// Both negative answers carry an SOA for the name's last two labels in the authority section, with TTL and MINIMUM
/// set to <see cref="NegativeTtl"/>. Answers set RA, not AA, and echo EDNS(0) and the DO bit when the query has an OPT
/// record. Over UDP, answers larger than 512 bytes (or the client's EDNS buffer size) are truncated with the TC bit,
/// as on the wire.
/// </para>
/// <para>
/// The zone and the answering are <see cref="LoopbackZone"/>; this class is the socket shell around it.
/// </para>
/// <para>
/// Records of the asked type win over a CNAME at the same name (a zone that has both is broken anyway); a query of type
/// ANY returns every record at the name; an SOA query at a name's last two labels is answered with the synthetic SOA.
/// Faults (<see cref="SetFault(string, DnsFault)"/>) apply to the question name, not to names reached through a CNAME.
/// All members are thread-safe; changes apply to the next query.
/// </para>
/// </remarks>
public sealed class LoopbackDnsServer : IAsyncDisposable, IResponseGate
{
    private readonly LoopbackZone _zone = new();
    private readonly ConcurrentDictionary<(DnsTransport, IPEndPoint, ushort), DnsFault> _wireFaults = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly DnsServer _server;
    private readonly LoopbackUdpTransport _udp;
    private readonly LoopbackTcpTransport _tcp;
    private int _disposed;

    private LoopbackDnsServer(Socket udp, Socket tcp)
    {
        EndPoint = (IPEndPoint)udp.LocalEndPoint!;
        _udp = new LoopbackUdpTransport(udp, this);
        _tcp = new LoopbackTcpTransport(tcp, this);
        _server = new DnsServer(_udp, _tcp);
        _server.QueryReceived += OnQueryReceivedAsync;
    }

    /// <summary>The address and port the server listens on, for both UDP and TCP.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Whether answers carry the AD (authenticated data) bit, as from a validating resolver; <see cref="SetAuthenticatedData"/> overrides it per name.</summary>
    /// <value>The default is <see langword="false"/>. The bit is set on NOERROR and NXDOMAIN answers only.</value>
    public bool AuthenticatedData
    {
        get => _zone.AuthenticatedData;
        set => _zone.AuthenticatedData = value;
    }

    /// <summary>The TTL, in seconds, of the SOA record in NXDOMAIN and NODATA answers, which is also its MINIMUM field (RFC 2308).</summary>
    /// <value>The default is 60; allowed 0 to 2147483647.</value>
    public int NegativeTtl
    {
        get => _zone.NegativeTtl;
        set => _zone.NegativeTtl = value;
    }

    /// <summary>Every query received so far (since <see cref="ResetCounters"/>), oldest first; a snapshot.</summary>
    public IReadOnlyList<DnsQueryLog> Queries => _zone.Queries;

    /// <summary>Starts a server on 127.0.0.1 with UDP and TCP bound to the same random free port.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server; dispose it to stop it.</returns>
    /// <exception cref="IOException">No port was free for both UDP and TCP after many attempts.</exception>
    public static Task<LoopbackDnsServer> StartAsync(CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)udp.LocalEndPoint!).Port));
                tcp.Listen(128);
            }
            catch (SocketException) when (attempt < 49)
            {
                udp.Dispose();
                tcp.Dispose();
                continue;
            }
            catch (SocketException ex)
            {
                udp.Dispose();
                tcp.Dispose();
                throw new IOException("Could not find a loopback port free for both UDP and TCP.", ex);
            }

            var server = new LoopbackDnsServer(udp, tcp);
            server._server.Start();
            return Task.FromResult(server);
        }

        throw new IOException("Could not find a loopback port free for both UDP and TCP.");
    }

    /// <summary>Adds an A record.</summary>
    /// <param name="name">The owner name.</param>
    /// <param name="address">An IPv4 address.</param>
    /// <param name="ttl">The TTL in seconds; default 300.</param>
    public void AddA(string name, IPAddress address, int ttl = 300) => _zone.AddA(name, address, ttl);

    /// <summary>Adds an AAAA record.</summary>
    /// <param name="name">The owner name.</param>
    /// <param name="address">An IPv6 address.</param>
    /// <param name="ttl">The TTL in seconds; default 300.</param>
    public void AddAaaa(string name, IPAddress address, int ttl = 300) => _zone.AddAaaa(name, address, ttl);

    /// <summary>Adds an MX record.</summary>
    /// <param name="name">The owner name (the mail domain).</param>
    /// <param name="preference">The preference, 0 to 65535; lower is preferred.</param>
    /// <param name="exchange">The mail exchanger's host name; <c>"."</c> gives a null MX (RFC 7505).</param>
    /// <param name="ttl">The TTL in seconds; default 300.</param>
    public void AddMx(string name, int preference, string exchange, int ttl = 300) => _zone.AddMx(name, preference, exchange, ttl);

    /// <summary>
    /// Adds ONE TXT record made of the given character-strings (a client joins them without separator). Strings are
    /// encoded as UTF-8; any longer than 255 bytes is split into several character-strings, as the wire requires.
    /// </summary>
    /// <param name="name">The owner name.</param>
    /// <param name="strings">The character-strings; none gives one empty string.</param>
    public void AddTxt(string name, params string[] strings) => _zone.AddTxt(name, strings);

    /// <summary>Adds ONE TXT record made of the given character-strings, with a TTL. See <see cref="AddTxt(string, string[])"/>.</summary>
    /// <param name="name">The owner name.</param>
    /// <param name="ttl">The TTL in seconds.</param>
    /// <param name="strings">The character-strings; none gives one empty string.</param>
    public void AddTxt(string name, int ttl, params string[] strings) => _zone.AddTxt(name, ttl, strings);

    /// <summary>Adds a CNAME record: <paramref name="name"/> is an alias of <paramref name="target"/>.</summary>
    /// <param name="name">The alias.</param>
    /// <param name="target">The canonical name; it may be outside the zone (then the answer ends with the CNAME and NXDOMAIN).</param>
    /// <param name="ttl">The TTL in seconds; default 300.</param>
    public void AddCname(string name, string target, int ttl = 300) => _zone.AddCname(name, target, ttl);

    /// <summary>Adds a TLSA record (RFC 6698), e.g. at <c>_25._tcp.mx1.example.test</c>. Any byte values are accepted, so unusable records can be served too.</summary>
    /// <param name="name">The owner name.</param>
    /// <param name="usage">The certificate usage (0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE).</param>
    /// <param name="selector">The selector (0 full certificate, 1 SubjectPublicKeyInfo).</param>
    /// <param name="matchingType">The matching type (0 exact, 1 SHA-256, 2 SHA-512).</param>
    /// <param name="data">The certificate association data.</param>
    /// <param name="ttl">The TTL in seconds; default 300.</param>
    public void AddTlsa(string name, byte usage, byte selector, byte matchingType, byte[] data, int ttl = 300) => _zone.AddTlsa(name, usage, selector, matchingType, data, ttl);

    /// <summary>Whether the zone holds records at a name, optionally of one type.</summary>
    /// <param name="name">The owner name.</param>
    /// <param name="type">The record type, or <see langword="null"/> for any.</param>
    /// <returns><see langword="true"/> when at least one record matches.</returns>
    public bool HasRecords(string name, DnsRecordType? type = null) => _zone.HasRecords(name, type);

    /// <summary>Removes every record at a name (not below it). Faults and overrides set for the name stay.</summary>
    /// <param name="name">The owner name.</param>
    /// <returns>Whether anything was removed.</returns>
    public bool Remove(string name) => _zone.Remove(name);

    /// <summary>Removes the records of one type at a name.</summary>
    /// <param name="name">The owner name.</param>
    /// <param name="type">The record type.</param>
    /// <returns>Whether anything was removed.</returns>
    public bool Remove(string name, DnsRecordType type) => _zone.Remove(name, type);

    /// <summary>Removes all records, faults, delays and AD overrides. The query log stays (see <see cref="ResetCounters"/>).</summary>
    public void Clear() => _zone.Clear();

    /// <summary>Makes every query for <paramref name="name"/> (any type) fail in the given way, until <see cref="ClearFault(string)"/>.</summary>
    /// <param name="name">The question name.</param>
    /// <param name="fault">The fault; <see cref="DnsFault.None"/> removes it.</param>
    public void SetFault(string name, DnsFault fault) => _zone.SetFault(name, fault);

    /// <summary>Makes queries for one name and type fail in the given way. It takes precedence over a fault set for the whole name, so <see cref="DnsFault.None"/> here exempts one type.</summary>
    /// <param name="name">The question name.</param>
    /// <param name="type">The question type.</param>
    /// <param name="fault">The fault.</param>
    public void SetFault(string name, DnsRecordType type, DnsFault fault) => _zone.SetFault(name, type, fault);

    /// <summary>Removes every fault and delay set for a name (for the whole name and per type).</summary>
    /// <param name="name">The question name.</param>
    public void ClearFault(string name) => _zone.ClearFault(name);

    /// <summary>Removes the fault set for one name and type.</summary>
    /// <param name="name">The question name.</param>
    /// <param name="type">The question type.</param>
    public void ClearFault(string name, DnsRecordType type) => _zone.ClearFault(name, type);

    /// <summary>Delays every answer for a name (a slow resolver), until <see cref="ClearFault(string)"/>. Combines with faults.</summary>
    /// <param name="name">The question name.</param>
    /// <param name="delay">The delay; <see cref="TimeSpan.Zero"/> removes it.</param>
    public void SetDelay(string name, TimeSpan delay) => _zone.SetDelay(name, delay);

    /// <summary>Sets or clears the AD bit for answers to one question name, whatever <see cref="AuthenticatedData"/> says.</summary>
    /// <param name="name">The question name.</param>
    /// <param name="authenticated">Whether its answers carry the AD bit.</param>
    public void SetAuthenticatedData(string name, bool authenticated) => _zone.SetAuthenticatedData(name, authenticated);

    /// <summary>Removes the AD override for a name, so <see cref="AuthenticatedData"/> applies again.</summary>
    /// <param name="name">The question name.</param>
    public void ClearAuthenticatedData(string name) => _zone.ClearAuthenticatedData(name);

    /// <summary>How many queries arrived for a name (over UDP and TCP together), optionally of one type only.</summary>
    /// <param name="name">The question name.</param>
    /// <param name="type">The question type, or <see langword="null"/> for all types.</param>
    /// <returns>The count since the start or the last <see cref="ResetCounters"/>.</returns>
    public int QueryCount(string name, DnsRecordType? type = null) => _zone.QueryCount(name, type);

    /// <summary>Empties the query log.</summary>
    public void ResetCounters() => _zone.ResetCounters();

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        _stopping.Cancel();
        _server.QueryReceived -= OnQueryReceivedAsync;
        try
        {
            _server.Stop();
        }
        catch (AggregateException)
        {
            // ARSoft's Stop() waits on loop tasks started with the token it has just cancelled; when they had not started
            // yet, the wait throws before the transports are closed. They are closed below either way.
        }
        finally
        {
            _udp.Close();
            _tcp.Close(); // the listener and every open TCP connection
        }

        _wireFaults.Clear();
        _stopping.Dispose();
        return ValueTask.CompletedTask;
    }

    DnsFault IResponseGate.TakeWireFault(DnsTransport transport, IPEndPoint remote, ushort transactionId) =>
        _wireFaults.TryRemove((transport, remote, transactionId), out var fault) ? fault : DnsFault.None;

    private async Task OnQueryReceivedAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query)
        {
            return; // ARSoft answers SERVFAIL
        }

        var transport = e.TransportProtocol == TransportProtocol.Tcp ? DnsTransport.Tcp : DnsTransport.Udp;
        var reply = _zone.Respond(query, transport);
        e.Response = reply.Response;
        if (reply.IsWireFault)
        {
            _wireFaults[(transport, e.RemoteEndpoint, query.TransactionID)] = reply.Fault;
        }

        if (reply.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(reply.Delay, TimeProvider.System, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping: the transports are closing, nothing will be sent.
            }
            catch (ObjectDisposedException)
            {
                // Stopped.
            }
        }
    }
}

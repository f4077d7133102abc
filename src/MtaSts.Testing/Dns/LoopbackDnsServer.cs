using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
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
/// Records of the asked type win over a CNAME at the same name (a zone that has both is broken anyway); a query of type
/// ANY returns every record at the name; an SOA query at a name's last two labels is answered with the synthetic SOA.
/// Faults (<see cref="SetFault(string, DnsFault)"/>) apply to the question name, not to names reached through a CNAME.
/// All members are thread-safe; changes apply to the next query.
/// </para>
/// </remarks>
public sealed class LoopbackDnsServer : IAsyncDisposable, IResponseGate
{
    private const int MaxChainLength = 16;

    private readonly object _gate = new();
    private readonly Dictionary<string, List<ZoneEntry>> _zone = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DnsFault> _nameFaults = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, DnsRecordType Type), DnsFault> _typeFaults = [];
    private readonly Dictionary<string, bool> _authenticatedData = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> _delays = new(StringComparer.Ordinal);
    private readonly List<DnsQueryLog> _queries = [];
    private readonly ConcurrentDictionary<(DnsTransport, IPEndPoint, ushort), DnsFault> _wireFaults = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly DnsServer _server;
    private readonly LoopbackUdpTransport _udp;
    private readonly LoopbackTcpTransport _tcp;
    private bool _globalAuthenticatedData;
    private int _negativeTtl = 60;
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
        get { lock (_gate) { return _globalAuthenticatedData; } }
        set { lock (_gate) { _globalAuthenticatedData = value; } }
    }

    /// <summary>The TTL, in seconds, of the SOA record in NXDOMAIN and NODATA answers, which is also its MINIMUM field (RFC 2308).</summary>
    /// <value>The default is 60; allowed 0 to 2147483647.</value>
    public int NegativeTtl
    {
        get { lock (_gate) { return _negativeTtl; } }
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (_gate) { _negativeTtl = value; }
        }
    }

    /// <summary>Every query received so far (since <see cref="ResetCounters"/>), oldest first; a snapshot.</summary>
    public IReadOnlyList<DnsQueryLog> Queries
    {
        get { lock (_gate) { return [.. _queries]; } }
    }

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
    public void AddA(string name, IPAddress address, int ttl = 300)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("An A record needs an IPv4 address.", nameof(address));
        }

        Add(name, DnsRecordType.A, ttl, owner => new ARecord(owner, ttl, address));
    }

    /// <summary>Adds an AAAA record.</summary>
    /// <param name="name">The owner name.</param>
    /// <param name="address">An IPv6 address.</param>
    /// <param name="ttl">The TTL in seconds; default 300.</param>
    public void AddAaaa(string name, IPAddress address, int ttl = 300)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException("An AAAA record needs an IPv6 address.", nameof(address));
        }

        Add(name, DnsRecordType.AAAA, ttl, owner => new AaaaRecord(owner, ttl, address));
    }

    /// <summary>Adds an MX record.</summary>
    /// <param name="name">The owner name (the mail domain).</param>
    /// <param name="preference">The preference, 0 to 65535; lower is preferred.</param>
    /// <param name="exchange">The mail exchanger's host name; <c>"."</c> gives a null MX (RFC 7505).</param>
    /// <param name="ttl">The TTL in seconds; default 300.</param>
    public void AddMx(string name, int preference, string exchange, int ttl = 300)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(preference);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(preference, ushort.MaxValue);
        var target = exchange == "." ? DomainName.Root : ParseName(exchange, nameof(exchange));
        Add(name, DnsRecordType.MX, ttl, owner => new MxRecord(owner, ttl, (ushort)preference, target));
    }

    /// <summary>
    /// Adds ONE TXT record made of the given character-strings (a client joins them without separator). Strings are
    /// encoded as UTF-8; any longer than 255 bytes is split into several character-strings, as the wire requires.
    /// </summary>
    /// <param name="name">The owner name.</param>
    /// <param name="strings">The character-strings; none gives one empty string.</param>
    public void AddTxt(string name, params string[] strings) => AddTxt(name, 300, strings);

    /// <summary>Adds ONE TXT record made of the given character-strings, with a TTL. See <see cref="AddTxt(string, string[])"/>.</summary>
    /// <param name="name">The owner name.</param>
    /// <param name="ttl">The TTL in seconds.</param>
    /// <param name="strings">The character-strings; none gives one empty string.</param>
    public void AddTxt(string name, int ttl, params string[] strings)
    {
        ArgumentNullException.ThrowIfNull(strings);
        var data = EncodeTxt(strings.Length == 0 ? [string.Empty] : strings);
        Add(name, DnsRecordType.TXT, ttl, owner => new UnknownRecord(owner, RecordType.Txt, RecordClass.INet, ttl, data));
    }

    /// <summary>Adds a CNAME record: <paramref name="name"/> is an alias of <paramref name="target"/>.</summary>
    /// <param name="name">The alias.</param>
    /// <param name="target">The canonical name; it may be outside the zone (then the answer ends with the CNAME and NXDOMAIN).</param>
    /// <param name="ttl">The TTL in seconds; default 300.</param>
    public void AddCname(string name, string target, int ttl = 300)
    {
        var canonical = ParseName(target, nameof(target));
        Add(name, DnsRecordType.CNAME, ttl, owner => new CNameRecord(owner, ttl, canonical), Normalize(target, nameof(target)));
    }

    /// <summary>Adds a TLSA record (RFC 6698), e.g. at <c>_25._tcp.mx1.example.test</c>. Any byte values are accepted, so unusable records can be served too.</summary>
    /// <param name="name">The owner name.</param>
    /// <param name="usage">The certificate usage (0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE).</param>
    /// <param name="selector">The selector (0 full certificate, 1 SubjectPublicKeyInfo).</param>
    /// <param name="matchingType">The matching type (0 exact, 1 SHA-256, 2 SHA-512).</param>
    /// <param name="data">The certificate association data.</param>
    /// <param name="ttl">The TTL in seconds; default 300.</param>
    public void AddTlsa(string name, byte usage, byte selector, byte matchingType, byte[] data, int ttl = 300)
    {
        ArgumentNullException.ThrowIfNull(data);
        var rdata = new byte[data.Length + 3];
        rdata[0] = usage;
        rdata[1] = selector;
        rdata[2] = matchingType;
        data.CopyTo(rdata, 3);
        Add(name, DnsRecordType.TLSA, ttl, owner => new UnknownRecord(owner, RecordType.Tlsa, RecordClass.INet, ttl, rdata));
    }

    /// <summary>Whether the zone holds records at a name, optionally of one type.</summary>
    /// <param name="name">The owner name.</param>
    /// <param name="type">The record type, or <see langword="null"/> for any.</param>
    /// <returns><see langword="true"/> when at least one record matches.</returns>
    public bool HasRecords(string name, DnsRecordType? type = null)
    {
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            return _zone.TryGetValue(key, out var entries) && entries.Any(e => type is null || e.Type == type);
        }
    }

    /// <summary>Removes every record at a name (not below it). Faults and overrides set for the name stay.</summary>
    /// <param name="name">The owner name.</param>
    /// <returns>Whether anything was removed.</returns>
    public bool Remove(string name)
    {
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            return _zone.Remove(key);
        }
    }

    /// <summary>Removes the records of one type at a name.</summary>
    /// <param name="name">The owner name.</param>
    /// <param name="type">The record type.</param>
    /// <returns>Whether anything was removed.</returns>
    public bool Remove(string name, DnsRecordType type)
    {
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            if (!_zone.TryGetValue(key, out var entries) || entries.RemoveAll(e => e.Type == type) == 0)
            {
                return false;
            }

            if (entries.Count == 0)
            {
                _zone.Remove(key);
            }

            return true;
        }
    }

    /// <summary>Removes all records, faults, delays and AD overrides. The query log stays (see <see cref="ResetCounters"/>).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _zone.Clear();
            _nameFaults.Clear();
            _typeFaults.Clear();
            _authenticatedData.Clear();
            _delays.Clear();
        }
    }

    /// <summary>Makes every query for <paramref name="name"/> (any type) fail in the given way, until <see cref="ClearFault(string)"/>.</summary>
    /// <param name="name">The question name.</param>
    /// <param name="fault">The fault; <see cref="DnsFault.None"/> removes it.</param>
    public void SetFault(string name, DnsFault fault)
    {
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            if (fault == DnsFault.None)
            {
                _nameFaults.Remove(key);
            }
            else
            {
                _nameFaults[key] = fault;
            }
        }
    }

    /// <summary>Makes queries for one name and type fail in the given way. It takes precedence over a fault set for the whole name, so <see cref="DnsFault.None"/> here exempts one type.</summary>
    /// <param name="name">The question name.</param>
    /// <param name="type">The question type.</param>
    /// <param name="fault">The fault.</param>
    public void SetFault(string name, DnsRecordType type, DnsFault fault)
    {
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            _typeFaults[(key, type)] = fault;
        }
    }

    /// <summary>Removes every fault and delay set for a name (for the whole name and per type).</summary>
    /// <param name="name">The question name.</param>
    public void ClearFault(string name)
    {
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            _nameFaults.Remove(key);
            _delays.Remove(key);
            foreach (var typed in _typeFaults.Keys.Where(k => k.Name == key).ToList())
            {
                _typeFaults.Remove(typed);
            }
        }
    }

    /// <summary>Removes the fault set for one name and type.</summary>
    /// <param name="name">The question name.</param>
    /// <param name="type">The question type.</param>
    public void ClearFault(string name, DnsRecordType type)
    {
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            _typeFaults.Remove((key, type));
        }
    }

    /// <summary>Delays every answer for a name (a slow resolver), until <see cref="ClearFault(string)"/>. Combines with faults.</summary>
    /// <param name="name">The question name.</param>
    /// <param name="delay">The delay; <see cref="TimeSpan.Zero"/> removes it.</param>
    public void SetDelay(string name, TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            if (delay == TimeSpan.Zero)
            {
                _delays.Remove(key);
            }
            else
            {
                _delays[key] = delay;
            }
        }
    }

    /// <summary>Sets or clears the AD bit for answers to one question name, whatever <see cref="AuthenticatedData"/> says.</summary>
    /// <param name="name">The question name.</param>
    /// <param name="authenticated">Whether its answers carry the AD bit.</param>
    public void SetAuthenticatedData(string name, bool authenticated)
    {
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            _authenticatedData[key] = authenticated;
        }
    }

    /// <summary>Removes the AD override for a name, so <see cref="AuthenticatedData"/> applies again.</summary>
    /// <param name="name">The question name.</param>
    public void ClearAuthenticatedData(string name)
    {
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            _authenticatedData.Remove(key);
        }
    }

    /// <summary>How many queries arrived for a name (over UDP and TCP together), optionally of one type only.</summary>
    /// <param name="name">The question name.</param>
    /// <param name="type">The question type, or <see langword="null"/> for all types.</param>
    /// <returns>The count since the start or the last <see cref="ResetCounters"/>.</returns>
    public int QueryCount(string name, DnsRecordType? type = null)
    {
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            return _queries.Count(q => q.Name == key && (type is null || q.Type == type));
        }
    }

    /// <summary>Empties the query log.</summary>
    public void ResetCounters()
    {
        lock (_gate)
        {
            _queries.Clear();
        }
    }

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

    internal static string Normalize(string name, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, parameterName);

        // The library's rules for a name given by a caller (U-labels become A-labels), then what this server can encode.
        var trimmed = global::MtaSts.Dns.DnsNames.FromInput(name, parameterName);
        if ( trimmed.Length > 253 || trimmed.Contains("..", StringComparison.Ordinal)
            || trimmed.StartsWith('.') || trimmed.Split('.').Any(label => label.Length > 63)
            || trimmed.Any(c => c <= ' ' || c > '~'))
        {
            throw new ArgumentException($"'{name}' is not a DNS name this server can hold (ASCII labels of 1 to 63 characters).", parameterName);
        }

        return trimmed;
    }

    private static DomainName ParseName(string name, string parameterName) =>
        new(Normalize(name, parameterName).Split('.'));

    private static byte[] EncodeTxt(string[] strings)
    {
        var data = new List<byte>();
        foreach (var text in strings)
        {
            ArgumentNullException.ThrowIfNull(text, nameof(strings));
            var bytes = Encoding.UTF8.GetBytes(text);
            if (bytes.Length == 0)
            {
                data.Add(0);
                continue;
            }

            for (var offset = 0; offset < bytes.Length; offset += 255)
            {
                var length = Math.Min(255, bytes.Length - offset);
                data.Add((byte)length);
                data.AddRange(bytes.AsSpan(offset, length));
            }
        }

        if (data.Count > ushort.MaxValue)
        {
            throw new ArgumentException("The TXT record data is longer than 65535 bytes.", nameof(strings));
        }

        return [.. data];
    }

    private static string Apex(string name)
    {
        var labels = name.Split('.');
        return labels.Length <= 2 ? name : string.Join('.', labels[^2..]);
    }

    private void Add(string name, DnsRecordType type, int ttl, Func<DomainName, DnsRecordBase> create, string? target = null)
    {
        var key = Normalize(name, nameof(name));
        ArgumentOutOfRangeException.ThrowIfNegative(ttl);
        lock (_gate)
        {
            if (!_zone.TryGetValue(key, out var entries))
            {
                _zone[key] = entries = [];
            }

            entries.Add(new ZoneEntry(type, create, target));
        }
    }

    private async Task OnQueryReceivedAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query)
        {
            return; // ARSoft answers SERVFAIL
        }

        var transport = e.TransportProtocol == TransportProtocol.Tcp ? DnsTransport.Tcp : DnsTransport.Udp;
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = true;
        e.Response = response;
        if (query.OperationCode != OperationCode.Query)
        {
            response.ReturnCode = ReturnCode.NotImplemented;
            return;
        }

        if (query.Questions.Count != 1)
        {
            response.ReturnCode = ReturnCode.FormatError;
            return;
        }

        var question = query.Questions[0];
        var name = global::MtaSts.Dns.DnsNames.FromWire(string.Join('.', question.Name.Labels));
        var type = (DnsRecordType)(int)question.RecordType;

        TimeSpan delay;
        lock (_gate)
        {
            var fault = FaultFor(name, type);
            if (fault is DnsFault.Truncated or DnsFault.SpoofedTransactionId or DnsFault.SpoofedJunk or DnsFault.SpoofedQueryEcho
                && transport == DnsTransport.Tcp)
            {
                fault = DnsFault.None;
            }

            _queries.Add(new DnsQueryLog(name, type, transport, query.IsEDnsEnabled, query.IsDnsSecOk, query.IsCheckingDisabled, fault));
            Answer(response, question, name, type, fault);
            if (fault is DnsFault.Timeout or DnsFault.Malformed or DnsFault.SpoofedTransactionId or DnsFault.SpoofedJunk or DnsFault.SpoofedQueryEcho)
            {
                _wireFaults[(transport, e.RemoteEndpoint, query.TransactionID)] = fault;
            }

            _delays.TryGetValue(name, out delay);
        }

        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, TimeProvider.System, _stopping.Token).ConfigureAwait(false);
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

    private DnsFault FaultFor(string name, DnsRecordType type) =>
        _typeFaults.TryGetValue((name, type), out var typed) ? typed
        : _nameFaults.TryGetValue(name, out var whole) ? whole
        : DnsFault.None;

    /// <summary>Fills the response; the caller holds <see cref="_gate"/>.</summary>
    private void Answer(DnsMessage response, DnsQuestion question, string name, DnsRecordType type, DnsFault fault)
    {
        switch (fault)
        {
            case DnsFault.ServerFailure:
                response.ReturnCode = ReturnCode.ServerFailure;
                return;
            case DnsFault.Refused:
                response.ReturnCode = ReturnCode.Refused;
                return;
            case DnsFault.Truncated:
                response.IsTruncated = true;
                return;
            case DnsFault.NameError:
                response.ReturnCode = ReturnCode.NxDomain;
                response.AuthorityRecords.Add(Soa(name));
                ApplyAuthenticatedData(response, name);
                return;
            case DnsFault.Timeout or DnsFault.Malformed:
                return; // the transport drops or replaces whatever is built here
        }

        var current = name;
        var owner = question.Name;
        var visited = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            if (!visited.Add(current) || visited.Count > MaxChainLength)
            {
                response.AnswerRecords.Clear();
                response.ReturnCode = ReturnCode.ServerFailure; // CNAME loop, as a resolver reports it
                return;
            }

            if (!_zone.TryGetValue(current, out var entries))
            {
                if (type == DnsRecordType.SOA && current == Apex(current) && IsEmptyNonTerminal(current))
                {
                    response.AnswerRecords.Add(Soa(current));
                }
                else
                {
                    response.ReturnCode = IsEmptyNonTerminal(current) ? ReturnCode.NoError : ReturnCode.NxDomain;
                    response.AuthorityRecords.Add(Soa(current));
                }

                break;
            }

            var matches = entries.Where(entry => type == DnsRecordType.ANY || entry.Type == type).ToList();
            if (matches.Count > 0)
            {
                response.AnswerRecords.AddRange(matches.Select(entry => entry.Create(owner)));
                break;
            }

            var alias = entries.FirstOrDefault(entry => entry.Type == DnsRecordType.CNAME);
            if (alias is not null)
            {
                response.AnswerRecords.Add(alias.Create(owner));
                current = alias.Target!;
                owner = new DomainName(current.Split('.'));
                continue;
            }

            if (type == DnsRecordType.SOA && current == Apex(current))
            {
                response.AnswerRecords.Add(Soa(current));
            }
            else
            {
                response.AuthorityRecords.Add(Soa(current)); // NODATA
            }

            break;
        }

        ApplyAuthenticatedData(response, name);
    }

    private void ApplyAuthenticatedData(DnsMessage response, string name) =>
        response.IsAuthenticData = _authenticatedData.TryGetValue(name, out var overridden) ? overridden : _globalAuthenticatedData;

    private bool IsEmptyNonTerminal(string name)
    {
        var suffix = "." + name;
        return _zone.Keys.Any(key => key.EndsWith(suffix, StringComparison.Ordinal));
    }

    private SoaRecord Soa(string name)
    {
        var apex = Apex(name);
        var labels = apex.Split('.');
        return new SoaRecord(
            new DomainName(labels),
            _negativeTtl,
            new DomainName(["ns", .. labels]),
            new DomainName(["hostmaster", .. labels]),
            1,
            3600,
            600,
            86400,
            _negativeTtl);
    }

    private sealed record ZoneEntry(DnsRecordType Type, Func<DomainName, DnsRecordBase> Create, string? Target);
}

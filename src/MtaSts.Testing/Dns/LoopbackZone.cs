using System.Net;
using System.Net.Sockets;
using System.Text;
using ARSoft.Tools.Net.Dns;

namespace MtaSts.Testing;

using DomainName = ARSoft.Tools.Net.DomainName;

/// <summary>
/// The zone and the answering of <see cref="LoopbackDnsServer"/>, without sockets: the records, faults, delays and AD
/// overrides it holds, the log of queries, and how one query becomes one response (the rules are on
/// <see cref="LoopbackDnsServer"/>). Thread-safe; the server's socket shell calls <see cref="Respond"/> for each query.
/// </summary>
internal sealed class LoopbackZone
{
    private const int MaxChainLength = 16;

    private readonly object _gate = new();
    private readonly Dictionary<string, List<ZoneEntry>> _zone = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DnsFault> _nameFaults = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, DnsRecordType Type), DnsFault> _typeFaults = [];
    private readonly Dictionary<string, bool> _authenticatedData = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> _delays = new(StringComparer.Ordinal);
    private readonly List<DnsQueryLog> _queries = [];
    private bool _globalAuthenticatedData;
    private int _negativeTtl = 60;

    /// <inheritdoc cref="LoopbackDnsServer.AuthenticatedData"/>
    public bool AuthenticatedData
    {
        get { lock (_gate) { return _globalAuthenticatedData; } }
        set { lock (_gate) { _globalAuthenticatedData = value; } }
    }

    /// <inheritdoc cref="LoopbackDnsServer.NegativeTtl"/>
    public int NegativeTtl
    {
        get { lock (_gate) { return _negativeTtl; } }
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (_gate) { _negativeTtl = value; }
        }
    }

    /// <inheritdoc cref="LoopbackDnsServer.Queries"/>
    public IReadOnlyList<DnsQueryLog> Queries
    {
        get { lock (_gate) { return [.. _queries]; } }
    }

    /// <inheritdoc cref="LoopbackDnsServer.AddA(string, IPAddress, int)"/>
    public void AddA(string name, IPAddress address, int ttl = 300)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("An A record needs an IPv4 address.", nameof(address));
        }

        Add(name, DnsRecordType.A, ttl, owner => new ARecord(owner, ttl, address));
    }

    /// <inheritdoc cref="LoopbackDnsServer.AddAaaa(string, IPAddress, int)"/>
    public void AddAaaa(string name, IPAddress address, int ttl = 300)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException("An AAAA record needs an IPv6 address.", nameof(address));
        }

        Add(name, DnsRecordType.AAAA, ttl, owner => new AaaaRecord(owner, ttl, address));
    }

    /// <inheritdoc cref="LoopbackDnsServer.AddMx(string, int, string, int)"/>
    public void AddMx(string name, int preference, string exchange, int ttl = 300)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(preference);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(preference, ushort.MaxValue);
        var target = exchange == "." ? DomainName.Root : ParseName(exchange, nameof(exchange));
        Add(name, DnsRecordType.MX, ttl, owner => new MxRecord(owner, ttl, (ushort)preference, target));
    }

    /// <inheritdoc cref="LoopbackDnsServer.AddTxt(string, string[])"/>
    public void AddTxt(string name, params string[] strings) => AddTxt(name, 300, strings);

    /// <inheritdoc cref="LoopbackDnsServer.AddTxt(string, int, string[])"/>
    public void AddTxt(string name, int ttl, params string[] strings)
    {
        ArgumentNullException.ThrowIfNull(strings);
        var data = EncodeTxt(strings.Length == 0 ? [string.Empty] : strings);
        Add(name, DnsRecordType.TXT, ttl, owner => new UnknownRecord(owner, RecordType.Txt, RecordClass.INet, ttl, data));
    }

    /// <inheritdoc cref="LoopbackDnsServer.AddCname(string, string, int)"/>
    public void AddCname(string name, string target, int ttl = 300)
    {
        var canonical = ParseName(target, nameof(target));
        Add(name, DnsRecordType.CNAME, ttl, owner => new CNameRecord(owner, ttl, canonical), Normalize(target, nameof(target)));
    }

    /// <inheritdoc cref="LoopbackDnsServer.AddTlsa(string, byte, byte, byte, byte[], int)"/>
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

    /// <inheritdoc cref="LoopbackDnsServer.HasRecords(string, DnsRecordType?)"/>
    public bool HasRecords(string name, DnsRecordType? type = null)
    {
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            return _zone.TryGetValue(key, out var entries) && entries.Any(e => type is null || e.Type == type);
        }
    }

    /// <inheritdoc cref="LoopbackDnsServer.Remove(string)"/>
    public bool Remove(string name)
    {
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            return _zone.Remove(key);
        }
    }

    /// <inheritdoc cref="LoopbackDnsServer.Remove(string, DnsRecordType)"/>
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

    /// <inheritdoc cref="LoopbackDnsServer.Clear()"/>
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

    /// <inheritdoc cref="LoopbackDnsServer.SetFault(string, DnsFault)"/>
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

    /// <inheritdoc cref="LoopbackDnsServer.SetFault(string, DnsRecordType, DnsFault)"/>
    public void SetFault(string name, DnsRecordType type, DnsFault fault)
    {
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            _typeFaults[(key, type)] = fault;
        }
    }

    /// <inheritdoc cref="LoopbackDnsServer.ClearFault(string)"/>
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

    /// <inheritdoc cref="LoopbackDnsServer.ClearFault(string, DnsRecordType)"/>
    public void ClearFault(string name, DnsRecordType type)
    {
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            _typeFaults.Remove((key, type));
        }
    }

    /// <inheritdoc cref="LoopbackDnsServer.SetDelay(string, TimeSpan)"/>
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

    /// <inheritdoc cref="LoopbackDnsServer.SetAuthenticatedData(string, bool)"/>
    public void SetAuthenticatedData(string name, bool authenticated)
    {
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            _authenticatedData[key] = authenticated;
        }
    }

    /// <inheritdoc cref="LoopbackDnsServer.ClearAuthenticatedData(string)"/>
    public void ClearAuthenticatedData(string name)
    {
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            _authenticatedData.Remove(key);
        }
    }

    /// <inheritdoc cref="LoopbackDnsServer.QueryCount(string, DnsRecordType?)"/>
    public int QueryCount(string name, DnsRecordType? type = null)
    {
        var key = Normalize(name, nameof(name));
        lock (_gate)
        {
            return _queries.Count(q => q.Name == key && (type is null || q.Type == type));
        }
    }

    /// <inheritdoc cref="LoopbackDnsServer.ResetCounters()"/>
    public void ResetCounters()
    {
        lock (_gate)
        {
            _queries.Clear();
        }
    }

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

    /// <summary>
    /// Answers one query as the zone says: logs it, applies the fault and the AD bit set for its name, and says how the
    /// socket shell must deliver the answer (the fault to apply on the wire, the delay).
    /// </summary>
    /// <param name="query">The query as received.</param>
    /// <param name="transport">The transport it came over; truncation and spoofing faults apply to UDP only.</param>
    /// <returns>The response to send, the fault in force for the question and the delay before answering.</returns>
    public ZoneReply Respond(DnsMessage query, DnsTransport transport)
    {
        ArgumentNullException.ThrowIfNull(query);
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = true;
        if (query.OperationCode != OperationCode.Query)
        {
            response.ReturnCode = ReturnCode.NotImplemented;
            return new ZoneReply(response, DnsFault.None, TimeSpan.Zero);
        }

        if (query.Questions.Count != 1)
        {
            response.ReturnCode = ReturnCode.FormatError;
            return new ZoneReply(response, DnsFault.None, TimeSpan.Zero);
        }

        var question = query.Questions[0];
        var name = global::MtaSts.Dns.DnsNames.FromWire(string.Join('.', question.Name.Labels));
        var type = (DnsRecordType)(int)question.RecordType;
        lock (_gate)
        {
            var fault = FaultFor(name, type);
            if (fault is DnsFault.Truncated or DnsFault.SpoofedTransactionId or DnsFault.SpoofedJunk or DnsFault.SpoofedQueryEcho or DnsFault.SpoofedNoQuestion
                && transport == DnsTransport.Tcp)
            {
                fault = DnsFault.None;
            }

            _queries.Add(new DnsQueryLog(name, type, transport, query.IsEDnsEnabled, query.IsDnsSecOk, query.IsCheckingDisabled, fault));
            Answer(response, question, name, type, fault);
            _delays.TryGetValue(name, out var delay);
            return new ZoneReply(response, fault, delay);
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

/// <summary>What <see cref="LoopbackZone.Respond"/> decided for one query.</summary>
/// <param name="Response">The response to send (unless <paramref name="Fault"/> says otherwise on the wire).</param>
/// <param name="Fault">The fault in force for the question (<see cref="DnsFault.None"/> when none).</param>
/// <param name="Delay">How long to wait before answering.</param>
internal sealed record ZoneReply(DnsMessage Response, DnsFault Fault, TimeSpan Delay)
{
    /// <summary>Whether the fault is one the transport applies (it drops, replaces or forges the datagram).</summary>
    public bool IsWireFault => Fault is DnsFault.Timeout or DnsFault.Malformed or DnsFault.SpoofedTransactionId or DnsFault.SpoofedJunk or DnsFault.SpoofedQueryEcho or DnsFault.SpoofedNoQuestion;
}

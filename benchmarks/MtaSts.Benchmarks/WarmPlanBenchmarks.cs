using System.Net;
using BenchmarkDotNet.Attributes;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Dane;
using MtaSts.Diagnostics;
using MtaSts.Discovery;
using MtaSts.Dns;
using MtaSts.Fetching;

namespace MtaSts.Benchmarks;

/// <summary>
/// The warm delivery plan: every input still valid (MX and TLSA answers within their TTL, the resolver answering with
/// the same cached MTA-STS resolution). Goal: no allocation at all, a few hundred nanoseconds.
/// </summary>
/// <remarks>Two hosts: one DANE-EE (secure TLSA 3 1 1), one MTA-STS enforce without DANE; all answers from fakes.</remarks>
[MemoryDiagnoser]
public class WarmPlanBenchmarks
{
    private const string Domain = "example.test";

    private MtaStsPolicyResolver _resolver = null!;
    private DeliveryPlanner _planner = null!;
    private MtaStsMetrics _metrics = null!;

    [GlobalSetup]
    public void Setup()
    {
        _metrics = new MtaStsMetrics(meterFactory: null);

        // Long windows, so nothing expires on the real clock during the run.
        var options = new MtaStsOptions
        {
            Cache =
            {
                MinRecordRecheckInterval = TimeSpan.FromDays(1),
                MaxRecordRecheckInterval = TimeSpan.FromDays(1),
            },
        };
        _resolver = new MtaStsPolicyResolver(new StaticDiscoverer(), new StaticFetcher(), options, TimeProvider.System, NullLogger.Instance, _metrics);
        var query = new DnssecQuery(new StaticDns(), options);
        _planner = new DeliveryPlanner(_resolver, new MxLookup(query), new MxHostLookup(query, options), options, TimeProvider.System, NullLogger.Instance, _metrics);

        // The first plan uses the freshly fetched resolution, the second the resolver's cached one; from then on warm.
        _planner.PlanDeliveryAsync(Domain).GetAwaiter().GetResult();
        var settled = _planner.PlanDeliveryAsync(Domain).GetAwaiter().GetResult();
        var warm = _planner.PlanDeliveryAsync(Domain);
        if (!warm.IsCompletedSuccessfully || !ReferenceEquals(warm.Result, settled) || settled.Status != DeliveryPlanStatus.Deliver
            || settled.Hosts[0].CertificateRequirement.Authentication != MxAuthentication.DaneEe || settled.Hosts[1].CertificateRequirement.Authentication != MxAuthentication.Pkix)
        {
            throw new InvalidOperationException("The planner did not warm up: " + settled);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _planner.Dispose();
        _resolver.Dispose();
        _metrics.Dispose();
    }

    private readonly Dictionary<string, object> _dictionary = new(StringComparer.Ordinal) { [Domain] = new object() };

    /// <summary>The budget's yardstick (issue 10 §4): a bare dictionary lookup of the same name, in the same run.</summary>
    [Benchmark(Baseline = true)]
    public object? DictionaryLookup() => _dictionary.TryGetValue(Domain, out var value) ? value : null;

    [Benchmark]
    public async ValueTask<DeliveryPlan> PlanWarm()
    {
        var task = _planner.PlanDeliveryAsync(Domain);
        return task.IsCompletedSuccessfully ? task.Result : await task.ConfigureAwait(false);
    }

    /// <summary>Fixed answers from a trusted (loopback) validating resolver; only the setup asks.</summary>
    private sealed class StaticDns : IDnsQuery
    {
        private const int Ttl = 86400;
        private readonly Dictionary<(string, QueryType), (DnsResourceRecord[] Answers, bool Ad)> _answers = new()
        {
            [("example.test", QueryType.MX)] = ([Mx("mx1.example.test", 10), Mx("b.mx.example.test", 20)], true),
            [("mx1.example.test", QueryType.A)] = ([new ARecord(Info("mx1.example.test", ResourceRecordType.A), IPAddress.Parse("192.0.2.1"))], true),
            [("mx1.example.test", QueryType.AAAA)] = ([new AaaaRecord(Info("mx1.example.test", ResourceRecordType.AAAA), IPAddress.Parse("2001:db8::1"))], true),
            [("_25._tcp.mx1.example.test", QueryType.TLSA)] = ([new TlsaRecord(Info("_25._tcp.mx1.example.test", ResourceRecordType.TLSA), 3, 1, 1, new byte[32])], true),
            [("b.mx.example.test", QueryType.A)] = ([new ARecord(Info("b.mx.example.test", ResourceRecordType.A), IPAddress.Parse("192.0.2.2"))], false),
            [("b.mx.example.test", QueryType.AAAA)] = ([new AaaaRecord(Info("b.mx.example.test", ResourceRecordType.AAAA), IPAddress.Parse("2001:db8::2"))], false),
        };

        public Task<IDnsQueryResponse> QueryAsync(DnsQuestion question, DnsQueryAndServerOptions queryOptions, CancellationToken cancellationToken = default)
        {
            var (answers, ad) = _answers[(question.QueryName.Value.TrimEnd('.'), question.QuestionType)];
            return Task.FromResult<IDnsQueryResponse>(new Response(question, answers, ad));
        }

        private static MxRecord Mx(string exchange, ushort preference) => new(Info("example.test", ResourceRecordType.MX), preference, DnsString.Parse(exchange + "."));

        private static ResourceRecordInfo Info(string owner, ResourceRecordType type) => new(DnsString.Parse(owner), type, QueryClass.IN, Ttl, 0);

        public Task<IDnsQueryResponse> QueryAsync(DnsQuestion question, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IDnsQueryResponse> QueryAsync(string query, QueryType queryType, QueryClass queryClass = QueryClass.IN, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IDnsQueryResponse Query(string query, QueryType queryType, QueryClass queryClass = QueryClass.IN) => throw new NotSupportedException();

        public IDnsQueryResponse Query(DnsQuestion question) => throw new NotSupportedException();

        public IDnsQueryResponse Query(DnsQuestion question, DnsQueryAndServerOptions queryOptions) => throw new NotSupportedException();

        public IDnsQueryResponse QueryCache(DnsQuestion question) => throw new NotSupportedException();

        public IDnsQueryResponse QueryCache(string query, QueryType queryType, QueryClass queryClass = QueryClass.IN) => throw new NotSupportedException();

        public IDnsQueryResponse QueryReverse(IPAddress ipAddress) => throw new NotSupportedException();

        public IDnsQueryResponse QueryReverse(IPAddress ipAddress, DnsQueryAndServerOptions queryOptions) => throw new NotSupportedException();

        public Task<IDnsQueryResponse> QueryReverseAsync(IPAddress ipAddress, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IDnsQueryResponse> QueryReverseAsync(IPAddress ipAddress, DnsQueryAndServerOptions queryOptions, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IDnsQueryResponse QueryServer(IReadOnlyCollection<NameServer> servers, string query, QueryType queryType, QueryClass queryClass = QueryClass.IN) => throw new NotSupportedException();

        public IDnsQueryResponse QueryServer(IReadOnlyCollection<NameServer> servers, DnsQuestion question) => throw new NotSupportedException();

        public IDnsQueryResponse QueryServer(IReadOnlyCollection<NameServer> servers, DnsQuestion question, DnsQueryOptions queryOptions) => throw new NotSupportedException();

        public IDnsQueryResponse QueryServer(IReadOnlyCollection<IPEndPoint> servers, string query, QueryType queryType, QueryClass queryClass = QueryClass.IN) => throw new NotSupportedException();

        public IDnsQueryResponse QueryServer(IReadOnlyCollection<IPAddress> servers, string query, QueryType queryType, QueryClass queryClass = QueryClass.IN) => throw new NotSupportedException();

        public Task<IDnsQueryResponse> QueryServerAsync(IReadOnlyCollection<NameServer> servers, string query, QueryType queryType, QueryClass queryClass = QueryClass.IN, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IDnsQueryResponse> QueryServerAsync(IReadOnlyCollection<NameServer> servers, DnsQuestion question, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IDnsQueryResponse> QueryServerAsync(IReadOnlyCollection<NameServer> servers, DnsQuestion question, DnsQueryOptions queryOptions, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IDnsQueryResponse> QueryServerAsync(IReadOnlyCollection<IPAddress> servers, string query, QueryType queryType, QueryClass queryClass = QueryClass.IN, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IDnsQueryResponse> QueryServerAsync(IReadOnlyCollection<IPEndPoint> servers, string query, QueryType queryType, QueryClass queryClass = QueryClass.IN, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IDnsQueryResponse QueryServerReverse(IReadOnlyCollection<IPAddress> servers, IPAddress ipAddress) => throw new NotSupportedException();

        public IDnsQueryResponse QueryServerReverse(IReadOnlyCollection<IPEndPoint> servers, IPAddress ipAddress) => throw new NotSupportedException();

        public IDnsQueryResponse QueryServerReverse(IReadOnlyCollection<NameServer> servers, IPAddress ipAddress) => throw new NotSupportedException();

        public IDnsQueryResponse QueryServerReverse(IReadOnlyCollection<NameServer> servers, IPAddress ipAddress, DnsQueryOptions queryOptions) => throw new NotSupportedException();

        public Task<IDnsQueryResponse> QueryServerReverseAsync(IReadOnlyCollection<IPAddress> servers, IPAddress ipAddress, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IDnsQueryResponse> QueryServerReverseAsync(IReadOnlyCollection<IPEndPoint> servers, IPAddress ipAddress, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IDnsQueryResponse> QueryServerReverseAsync(IReadOnlyCollection<NameServer> servers, IPAddress ipAddress, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IDnsQueryResponse> QueryServerReverseAsync(IReadOnlyCollection<NameServer> servers, IPAddress ipAddress, DnsQueryOptions queryOptions, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        private sealed class Response(DnsQuestion question, DnsResourceRecord[] answers, bool ad) : IDnsQueryResponse
        {
            // QR, RD, RA, NOERROR, and AD when the answer is DNSSEC-secure.
            public DnsResponseHeader Header { get; } = new(1, (ushort)(0x8000 | 0x0100 | 0x0080 | (ad ? 0x0020 : 0)), 1, answers.Length, 0, 0);

            public IReadOnlyList<DnsQuestion> Questions { get; } = [question];

            public IReadOnlyList<DnsResourceRecord> Additionals { get; } = [];

            public IEnumerable<DnsResourceRecord> AllRecords => answers;

            public IReadOnlyList<DnsResourceRecord> Answers => answers;

            public IReadOnlyList<DnsResourceRecord> Authorities { get; } = [];

            public string AuditTrail => string.Empty;

            public string ErrorMessage => string.Empty;

            public bool HasError => false;

            public int MessageSize => 512;

            public NameServer NameServer { get; } = new(new IPEndPoint(IPAddress.Loopback, 53));

            public DnsQuerySettings Settings { get; } = new(new DnsQueryOptions());
        }
    }
}

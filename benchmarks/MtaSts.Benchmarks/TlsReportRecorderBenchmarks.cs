using System.Net;
using BenchmarkDotNet.Attributes;

namespace MtaSts.Benchmarks;

/// <summary>
/// The recording hot path of TLS-RPT (issue 8 §3: "non-blocking; the hot path allocates little"): one
/// <see cref="TlsReportRecorder.Record"/> of a success and of a failure into a report already held in memory, against a
/// bare dictionary increment of the same name as the yardstick. The flush timer never fires within a run.
/// </summary>
[MemoryDiagnoser]
public class TlsReportRecorderBenchmarks
{
    private readonly Dictionary<string, long> _baseline = new(StringComparer.Ordinal) { ["recipient.example"] = 0 };
    private TlsReportRecorder _recorder = null!;
    private TlsSession _success;
    private TlsSession _failure;

    [GlobalSetup]
    public void Setup()
    {
        var store = new FileTlsReportStore(Path.Combine(Path.GetTempPath(), "mtasts-bench-" + Guid.NewGuid().ToString("N")));
        _recorder = new TlsReportRecorder(store, null, new TlsReportRecorderOptions { RequireTlsRptRecord = false, FlushInterval = TimeSpan.FromDays(1) });
        var policy = TlsRptPolicy.Sts("recipient.example", ["version: STSv1", "mode: enforce", "mx: mx.recipient.example", "max_age: 86400"], ["mx.recipient.example"]);
        _success = new TlsSession("recipient.example", policy);
        _failure = new TlsSession("recipient.example", policy, new TlsRptFailure(TlsRptResultType.CertificateExpired, TlsRptReasonCodes.CertificateExpired)
        {
            ReceivingMxHostname = "mx.recipient.example",
            ReceivingIp = IPAddress.Parse("192.0.2.25"),
        });
        _recorder.Record(_success);
        _recorder.Record(_failure);
    }

    [GlobalCleanup]
    public void Cleanup() => _recorder.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true)]
    public long DictionaryIncrement() => ++System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_baseline, "recipient.example");

    [Benchmark]
    public void RecordSuccess() => _recorder.Record(_success);

    [Benchmark]
    public void RecordFailure() => _recorder.Record(_failure);
}

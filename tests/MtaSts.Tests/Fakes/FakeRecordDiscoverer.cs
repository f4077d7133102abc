using System.Collections.Concurrent;
using MtaSts.Discovery;

namespace MtaSts.Tests.Fakes;

/// <summary>
/// A scriptable <see cref="IMtaStsRecordDiscoverer"/>: one answer per domain (NotFound when unscripted), every call
/// counted, and an optional gate that holds every lookup until the test opens it.
/// </summary>
internal sealed class FakeRecordDiscoverer : IMtaStsRecordDiscoverer
{
    private readonly ConcurrentDictionary<string, DiscoveryResult> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _calls = new();

    /// <summary>When set, every lookup waits for it (honouring its cancellation token) before answering.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Completed when a lookup starts (reset by the test as needed).</summary>
    public TaskCompletionSource Started { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int CallCount => _calls.Count;

    public IReadOnlyList<string> Calls => [.. _calls];

    public int CallsFor(string domain) => _calls.Count(call => call == domain);

    public void Answer(string domain, DiscoveryResult answer) => _answers[domain] = answer;

    public void Found(string domain, string id, TimeSpan timeToLive = default, params MtaStsDiagnostic[] warnings) =>
        Answer(domain, FoundResult(id, timeToLive, warnings));

    public void NotFound(string domain, TimeSpan timeToLive = default) =>
        Answer(domain, new DiscoveryResult { Status = DiscoveryStatus.NotFound, TimeToLive = timeToLive, Message = "NXDOMAIN" });

    public void DnsFailure(string domain) =>
        Answer(domain, new DiscoveryResult { Status = DiscoveryStatus.DnsFailure, DnsResponseCode = "ServerFailure", Message = "SERVFAIL from 192.0.2.53" });

    public void Invalid(string domain, string text) =>
        Answer(domain, new DiscoveryResult
        {
            Status = DiscoveryStatus.Invalid,
            TxtRecords = [text],
            Errors = [new MtaStsDiagnostic("id-missing", "The record has no id.")],
            Message = "The STS record is not valid.",
        });

    public void Multiple(string domain, params string[] texts) =>
        Answer(domain, new DiscoveryResult { Status = DiscoveryStatus.Multiple, TxtRecords = texts, Message = $"{texts.Length} STS records." });

    public static DiscoveryResult FoundResult(string id, TimeSpan timeToLive = default, params MtaStsDiagnostic[] warnings)
    {
        var text = $"v=STSv1; id={id}";
        return new DiscoveryResult
        {
            Status = DiscoveryStatus.Found,
            Record = new MtaStsRecord(id, text),
            TimeToLive = timeToLive,
            TxtRecords = [text],
            Warnings = warnings,
        };
    }

    public async Task<DiscoveryResult> DiscoverAsync(string domain, CancellationToken cancellationToken)
    {
        _calls.Enqueue(domain);
        Started.TrySetResult();
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return _answers.TryGetValue(domain, out var answer)
            ? answer
            : new DiscoveryResult { Status = DiscoveryStatus.NotFound, Message = "NXDOMAIN" };
    }
}

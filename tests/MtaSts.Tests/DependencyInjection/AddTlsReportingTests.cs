using Microsoft.Extensions.DependencyInjection;

namespace MtaSts.Tests.DependencyInjection;

/// <summary><c>AddTlsReporting</c> with a report store: the recorder the container builds flushes when the container goes.</summary>
public sealed class AddTlsReportingTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mtasts-di-rpt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task TheContainersRecorder_WritesToTheFileReportStore_WhenTheContainerIsDisposed()
    {
        var services = new ServiceCollection();
        services.AddMtaSts().AddFileReportStore(_directory).AddTlsReporting(options => options.RequireTlsRptRecord = false);
        var now = TimeProvider.System.GetUtcNow();
        await using (var provider = services.BuildServiceProvider())
        {
            var recorder = provider.GetRequiredService<ITlsReportRecorder>();
            Assert.Same(provider.GetRequiredService<TlsReportRecorder>(), recorder);
            Assert.IsType<TlsRptRecordDiscoverer>(provider.GetRequiredService<ITlsRptRecordDiscoverer>());
            recorder.Record(new TlsSession("recipient.example", TlsRptPolicy.NoPolicyFound("recipient.example")) { Time = now });
        }

        var counts = await new FileTlsReportStore(_directory).GetAsync(TlsReportAggregator.DayOf(now), "recipient.example");
        Assert.Equal(1, Assert.Single(counts!.Policies).SuccessfulSessions);
    }

    [Fact]
    public void WithoutAReportStore_TheRecorderSaysWhatIsMissing()
    {
        var services = new ServiceCollection();
        services.AddMtaSts().AddTlsReporting();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ITlsReportRecorder>());
        Assert.Contains("AddFileReportStore", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddTlsReportScheduler_RunsTheSchedulerAsAHostedService_OnTheRegisteredStore()
    {
        var services = new ServiceCollection();
        services.AddMtaSts().AddFileReportStore(_directory).AddTlsReportScheduler(
            r => (r.OrganizationName, r.ContactInfo, r.Submitter) = ("Sender Example", "tlsrpt@sender.example", "sender.example"),
            s => s.MaxConcurrentDomains = 2);
        await using var provider = services.BuildServiceProvider();

        var scheduler = provider.GetRequiredService<TlsReportScheduler>();
        Assert.Same(scheduler, Assert.Single(provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>()));
        Assert.NotNull(provider.GetRequiredService<TlsReportSender>());
        Assert.Empty(await scheduler.SendDayAsync(new DateOnly(2026, 3, 1))); // the file store has nothing that day
    }

    [Fact]
    public void AddTlsReportScheduler_WithoutWhoTheReportsAreFrom_SaysWhatIsMissing()
    {
        var services = new ServiceCollection();
        services.AddMtaSts().AddFileReportStore(_directory).AddTlsReportScheduler(_ => { });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<TlsReportScheduler>());
        Assert.Contains("OrganizationName", error.Message, StringComparison.Ordinal);
    }
}

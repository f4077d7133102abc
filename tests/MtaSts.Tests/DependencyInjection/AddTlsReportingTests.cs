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
}

using System.Diagnostics.Metrics;

namespace MtaSts.Diagnostics;

/// <summary>The instrument of <see cref="MxProbe"/> (meter <see cref="MtaStsTelemetry.MeterName"/>). No host names in tags.</summary>
internal sealed class MxProbeMetrics
{
    private readonly Counter<long> _probes;

    private MxProbeMetrics(Meter meter)
    {
        _probes = meter.CreateCounter<long>(MtaStsTelemetry.MxProbes, "{host}", "MX hosts probed (SMTP, STARTTLS, certificate check).");
    }

    /// <summary>One set of instruments for every probe of the process (probes are short-lived tools, not DI services).</summary>
    public static MxProbeMetrics Shared { get; } = new(new Meter(MtaStsTelemetry.MeterName, MtaStsMetrics.Version));

    public void Record(MxProbeResult result)
    {
        if (!_probes.Enabled)
        {
            return;
        }

        var outcome = !result.Decision.IsUsable ? "skipped" : result.IsUsable ? "usable" : "unusable";
        _probes.Add(
            1,
            new KeyValuePair<string, object?>("mtasts.probe.result", outcome),
            new KeyValuePair<string, object?>("error.type", result.Failure is { } failure ? TlsRptTokens.ToToken(failure) : null));
    }
}

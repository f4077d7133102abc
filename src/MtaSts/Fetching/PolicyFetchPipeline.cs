using System.Globalization;
using Microsoft.Extensions.Logging;
using MtaSts.Diagnostics;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using static MtaSts.Fetching.PolicyFetchFailures;

namespace MtaSts.Fetching;

/// <summary>
/// The Polly pipeline around the policy fetch's attempts: the whole fetch within <see cref="MtaStsPolicyFetchOptions.Timeout"/>
/// (STS-3.3-k), transient faults retried with exponential back-off and jitter, each attempt with a timeout of its own.
/// </summary>
internal static class PolicyFetchPipeline
{
    /// <summary>The first retry delay; later ones grow exponentially, with jitter.</summary>
    internal static readonly TimeSpan RetryBaseDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between two attempts.</summary>
    internal static readonly TimeSpan RetryMaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>The shortest time an attempt gets (unless the whole budget is shorter).</summary>
    internal static readonly TimeSpan MinAttemptTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The context property that carries the policy host's name, for the retry log.</summary>
    internal static readonly ResiliencePropertyKey<string> HostKey = new("MtaSts.PolicyHost");

    /// <summary>The time one attempt gets: an equal share of the budget, at least <see cref="MinAttemptTimeout"/>, at most the budget.</summary>
    internal static TimeSpan AttemptTimeout(TimeSpan total, int retries)
    {
        TimeSpan share = total / (Math.Max(0, retries) + 1);
        if (share < MinAttemptTimeout)
        {
            share = MinAttemptTimeout;
        }

        return share > total ? total : share;
    }

    /// <summary>Outer total timeout, then retries of transient faults, then a timeout per attempt.</summary>
    public static ResiliencePipeline<PolicyFetchResult> Build(TimeSpan total, int retries, TimeProvider timeProvider, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder<PolicyFetchResult>
        {
            Name = "MtaSts.PolicyFetch",
            TimeProvider = timeProvider,
        };

        builder.AddTimeout(new TimeoutStrategyOptions { Name = "total", Timeout = total });
        if (retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<PolicyFetchResult>
            {
                Name = "transient",
                MaxRetryAttempts = retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = RetryBaseDelay,
                MaxDelay = RetryMaxDelay,
                ShouldHandle = static args => ValueTask.FromResult(IsTransient(args.Outcome)),
                OnRetry = args =>
                {
                    if (logger.IsEnabled(LogLevel.Information))
                    {
                        string host = args.Context.Properties.GetValue(HostKey, "?");
                        string fault = DescribeFault(args.Outcome);
                        Log.FetchRetrying(logger, host, fault, args.AttemptNumber + 2, (long)args.RetryDelay.TotalMilliseconds);
                    }

                    return default;
                },
            });
            builder.AddTimeout(new TimeoutStrategyOptions { Name = "attempt", Timeout = AttemptTimeout(total, retries) });
        }

        return builder.Build();
    }

    /// <summary>Whether an attempt's outcome is worth another attempt.</summary>
    internal static bool IsTransient(Outcome<PolicyFetchResult> outcome) =>
        outcome.Exception is { } exception
            ? PolicyFetchFailures.IsTransient(exception)
            : outcome.Result is { Failure: MtaStsFailure.PolicyFetchError, HttpStatusCode: >= 500 and <= 599 };

    private static string DescribeFault(Outcome<PolicyFetchResult> outcome) =>
        outcome.Exception is { } exception
            ? exception is TimeoutRejectedException ? "attempt timed out" : exception.GetType().Name + ": " + OneLine(Innermost(exception).Message)
            : "HTTP status " + (outcome.Result?.HttpStatusCode?.ToString(CultureInfo.InvariantCulture) ?? "?");
}

// Hosting: MtaSts in a Generic Host with AddMtaSts (validated options, IHttpClientFactory, TimeProvider, ILogger).
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtaSts;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddMtaSts(options =>
{
    // Optional settings for test environments (the samples' test points these at MtaSts.Testing's loopback world).
    if (Environment.GetEnvironmentVariable("MTASTS_NAME_SERVER") is { Length: > 0 } nameServer)
    {
        options.Dns.NameServers.Add(IPEndPoint.Parse(nameServer));
    }

    if (Environment.GetEnvironmentVariable("MTASTS_TRUST_ANCHOR") is { Length: > 0 } pemFile)
    {
        options.AdditionalTrustedRoots.ImportFromPemFile(pemFile);
    }

    if (Environment.GetEnvironmentVariable("MTASTS_POLICY_HOST_PORT") is { Length: > 0 } port)
    {
        options.PolicyFetch.Port = int.Parse(port, System.Globalization.CultureInfo.InvariantCulture);
        options.PolicyFetch.AllowPrivateAddresses = true; // a test world on this machine: its policy host listens on 127.0.0.1
    }
});
builder.Services.AddHostedService<PolicyReporter>();

await builder.Build().RunAsync();

/// <summary>Resolves the domains given on the command line once, logs each answer, and stops the host.</summary>
internal sealed partial class PolicyReporter(IMtaStsPolicyResolver resolver, IHostApplicationLifetime lifetime, ILogger<PolicyReporter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var domains = Environment.GetCommandLineArgs().Skip(1).Where(a => !a.StartsWith('-')).DefaultIfEmpty("gmail.com");
        foreach (var domain in domains)
        {
            var resolution = await resolver.ResolveAsync(domain, stoppingToken);
            LogResolution(logger, resolution);
            Console.WriteLine(resolution);
        }

        lifetime.StopApplication();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Resolution}")]
    private static partial void LogResolution(ILogger logger, MtaStsResolution resolution);
}

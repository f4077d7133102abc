// Mta: deliver one message the way a sending MTA does — DANE and MTA-STS decide the TLS, MailKit sends, TLS-RPT counts.
// Usage: Mta <recipient> <from> [<body-file> | -] [--report-store <dir>] [--port <n>]
using System.Globalization;
using System.Net;
using MimeKit;
using MtaSts;
using MtaSts.Samples.Mta;

var positional = new List<string>();
string? storeDirectory = null;
var port = 25;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--report-store" when i + 1 < args.Length: storeDirectory = args[++i]; break;
        case "--port" when i + 1 < args.Length: port = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: positional.Add(args[i]); break;
    }
}

if (positional.Count is < 2 or > 3 || !MailboxAddress.TryParse(positional[0], out var to) || !MailboxAddress.TryParse(positional[1], out var from))
{
    Console.Error.WriteLine("Usage: Mta <recipient> <from> [<body-file> | -] [--report-store <dir>] [--port <n>]");
    return 64;
}

var body = positional.Count == 3 && positional[2] != "-" ? await File.ReadAllTextAsync(positional[2]) : await Console.In.ReadToEndAsync();
var message = new MimeMessage([from], [to], "Sent by the MtaSts Mta sample", new TextPart("plain") { Text = body });

var options = new MtaStsOptions();
if (Environment.GetEnvironmentVariable("MTASTS_NAME_SERVER") is { Length: > 0 } nameServer)
{
    options.Dns.NameServers.Add(IPEndPoint.Parse(nameServer)); // test worlds; otherwise the system's resolvers
}

if (Environment.GetEnvironmentVariable("MTASTS_TRUST_ANCHOR") is { Length: > 0 } pemFile)
{
    options.AdditionalTrustedRoots.ImportFromPemFile(pemFile);
}

if (Environment.GetEnvironmentVariable("MTASTS_POLICY_HOST_PORT") is { Length: > 0 } policyPort)
{
    options.PolicyFetch.Port = int.Parse(policyPort, CultureInfo.InvariantCulture);
    options.PolicyFetch.AllowPrivateAddresses = true;
}

using var planner = DeliveryPlanner.Create(options);
await using var recorder = storeDirectory is null
    ? null
    : new TlsReportRecorder(new FileTlsReportStore(storeDirectory), TlsRptRecordDiscoverer.Create(options)); // flushed when disposed
var mta = new SampleMta(planner, recorder ?? (ITlsReportRecorder)new DiscardingRecorder(), new SampleMtaOptions { Port = port });

var result = await mta.DeliverAsync(message, to.Domain);
Console.WriteLine(result);
return result.Status switch
{
    MtaDeliveryStatus.Delivered => 0,
    MtaDeliveryStatus.Deferred => 75, // EX_TEMPFAIL: keep it queued
    _ => 69, // EX_UNAVAILABLE: bounce it
};

/// <summary>Without <c>--report-store</c>, sessions are not kept.</summary>
internal sealed class DiscardingRecorder : ITlsReportRecorder
{
    public void Record(TlsSession session)
    {
    }
}

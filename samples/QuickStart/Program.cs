// QuickStart: resolve a domain's MTA-STS policy with the facade, no dependency injection needed.
using System.Net;
using MtaSts;

var options = new MtaStsOptions();

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

using var resolver = MtaStsPolicyResolver.Create(options);
var domain = args.Length > 0 ? args[0] : "gmail.com";
var mxHost = args.Length > 1 ? args[1] : "gmail-smtp-in.l.google.com";

MtaStsResolution resolution = await resolver.ResolveAsync(domain);
Console.WriteLine(resolution);

if (resolution.Policy is { Mode: MtaStsMode.Enforce } policy)
{
    Console.WriteLine(policy.MatchesMx(mxHost)
        ? $"{mxHost}: allowed; require STARTTLS and a valid certificate for it."
        : $"{mxHost}: not allowed by the policy; try another MX, or defer.");
}

using System.Globalization;
using System.Text;

namespace MtaSts.Delivery;

/// <summary>Words and tables for delivery plans (the CLI and <c>ToString</c> share them).</summary>
internal static class DeliveryText
{
    /// <summary>"yes", or "later" (skipped for now; the planner never skips a host for good).</summary>
    public static string UseName(MxDecision decision) => decision.IsUsable ? "yes" : "later";

    /// <summary>A TLSA record shortened for a sentence: <c>3 1 1 ABCDEF012345…</c>.</summary>
    public static string ShortRecord(TlsaAssociation record)
    {
        const int Shown = 12;
        var hex = Convert.ToHexString(record.Data.Span.Length > Shown / 2 ? record.Data.Span[..(Shown / 2)] : record.Data.Span);
        var more = record.Data.Length > Shown / 2 ? "…" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{(byte)record.Usage} {(byte)record.Selector} {(byte)record.MatchingType} {hex}{more}");
    }

    /// <summary>A short description of what MTA-STS said, for the plan's header line.</summary>
    public static string MtaStsSummary(MtaStsResolution? resolution)
    {
        if (resolution is null)
        {
            return "MTA-STS not consulted";
        }

        return resolution.Outcome switch
        {
            MtaStsOutcome.Policy when resolution.Policy is { } policy =>
                $"MTA-STS {policy.Mode.ToToken()}{(resolution.Record is { } record ? " id " + record.Id : string.Empty)}",
            MtaStsOutcome.NoPolicy => "no MTA-STS policy",
            MtaStsOutcome.FetchFailure => "MTA-STS fetch failed",
            MtaStsOutcome.DnsFailure => "MTA-STS lookup failed",
            _ => "MTA-STS unknown",
        };
    }

    public static string FormatLine(MxDecision decision) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{decision.Preference} {decision.Host}: use={UseName(decision)} tls={(decision.TlsRequired ? "required" : "opportunistic")} auth={decision.CertificateRequirement.Authentication.ToToken()} sni={decision.Sni} dane={decision.Dane.ToToken()}{(decision.Reasons.Count > 0 ? " - " + decision.Reasons[0] : string.Empty)}");

    /// <summary>The plan as a table: a header line, a column header, one row per host with its reasons below, then the plan's reasons.</summary>
    public static string Format(DeliveryPlan plan)
    {
        var text = new StringBuilder();
        text.Append(plan.Domain).Append(": ").Append(plan.Status.ToToken());
        var notes = new List<string>(3);
        if (plan.ImplicitMx)
        {
            notes.Add("implicit MX");
        }

        if (plan.Hosts.Count > 0 || plan.MxSecure)
        {
            notes.Add(plan.MxSecure ? "MX secure" : "MX insecure");
        }

        if (plan.MtaStsResolution is not null)
        {
            notes.Add(MtaStsSummary(plan.MtaStsResolution));
        }

        if (notes.Count > 0)
        {
            text.Append(" (").AppendJoin(", ", notes).Append(')');
        }

        if (plan.Hosts.Count > 0)
        {
            string[] header = ["pref", "host", "use", "tls", "auth", "sni", "dane"];
            var rows = plan.Hosts.Select(host => new[]
            {
                host.Preference.ToString(CultureInfo.InvariantCulture),
                host.Host,
                UseName(host),
                host.TlsRequired ? "required" : "opportunistic",
                host.CertificateRequirement.Authentication.ToToken(),
                host.Sni,
                host.Dane.ToToken(),
            }).ToList();
            var widths = new int[header.Length];
            for (var column = 0; column < header.Length; column++)
            {
                widths[column] = Math.Max(header[column].Length, rows.Max(row => row[column].Length));
            }

            AppendRow(text, header, widths);
            for (var i = 0; i < rows.Count; i++)
            {
                AppendRow(text, rows[i], widths);
                foreach (var reason in plan.Hosts[i].Reasons)
                {
                    text.AppendLine().Append("        - ").Append(reason);
                }
            }
        }

        foreach (var reason in plan.Reasons)
        {
            text.AppendLine().Append("  * ").Append(reason);
        }

        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        text.AppendLine().Append("  ");
        for (var column = 0; column < cells.Length; column++)
        {
            text.Append(cells[column]);
            if (column < cells.Length - 1)
            {
                text.Append(' ', widths[column] - cells[column].Length + 2);
            }
        }
    }
}

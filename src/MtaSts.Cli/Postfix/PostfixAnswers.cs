using System.Text;

namespace MtaSts.Cli.Postfix;

/// <summary>The status word of a socketmap reply (socketmap_table(5)).</summary>
internal enum SocketmapStatus
{
    /// <summary><c>OK &lt;data&gt;</c>: the key was found.</summary>
    Ok,

    /// <summary><c>NOTFOUND </c>: Postfix applies its own default (<c>smtp_tls_security_level</c>).</summary>
    NotFound,

    /// <summary><c>TEMP &lt;reason&gt;</c>: a temporary failure; the Postfix SMTP client defers the delivery.</summary>
    Temp,

    /// <summary><c>TIMEOUT &lt;reason&gt;</c>: the answer took too long; Postfix defers.</summary>
    Timeout,

    /// <summary><c>PERM &lt;reason&gt;</c>: a permanent failure (a configuration or protocol error); Postfix defers with a table error.</summary>
    Perm,
}

/// <summary>One socketmap reply. <see cref="ToString"/> is the netstring's payload.</summary>
/// <param name="Status">The status word.</param>
/// <param name="Data">The policy (for <see cref="SocketmapStatus.Ok"/>) or the reason (our own fixed words, never exception text).</param>
internal readonly record struct SocketmapReply(SocketmapStatus Status, string Data)
{
    public static SocketmapReply NotFound { get; } = new(SocketmapStatus.NotFound, string.Empty);

    /// <summary>The payload: <c>OK data</c>, <c>NOTFOUND </c>, <c>TEMP reason</c>, <c>TIMEOUT reason</c> or <c>PERM reason</c>.</summary>
    public override string ToString() => Status switch
    {
        SocketmapStatus.Ok => "OK " + Data,
        SocketmapStatus.NotFound => "NOTFOUND ",
        SocketmapStatus.Temp => "TEMP " + Ascii(Data),
        SocketmapStatus.Timeout => "TIMEOUT " + Ascii(Data),
        _ => "PERM " + Ascii(Data),
    };

    /// <summary>
    /// A reason as printable ASCII: Postfix logs it and keeps it as the defer reason (mailq), and shows any other byte
    /// as '?'. "§" becomes "section"; anything else outside printable ASCII becomes '?'.
    /// </summary>
    internal static string Ascii(string reason)
    {
        if (System.Text.Ascii.IsValid(reason) && !reason.AsSpan().ContainsAnyInRange('\0', '\u001f') && !reason.Contains('\u007f', StringComparison.Ordinal))
        {
            return reason;
        }

        var text = new StringBuilder(reason.Length + 8);
        foreach (var c in reason)
        {
            text.Append(c switch
            {
                '§' => "section ",
                >= ' ' and < '\u007f' => c.ToString(),
                _ => "?",
            });
        }

        return text.ToString();
    }
}

/// <summary>What to answer for a domain whose MTA-STS policy is in <c>testing</c> mode (<c>--testing-answer</c>).</summary>
internal enum TestingAnswer
{
    /// <summary><c>NOTFOUND</c>: Postfix's default applies, as RFC 8461 §5 asks (testing never stops a delivery). The default.</summary>
    NotFound,

    /// <summary><c>OK may</c>: opportunistic TLS, whatever Postfix's default level is.</summary>
    May,

    /// <summary><c>OK encrypt</c>: mandatory TLS without authentication (stricter than RFC 8461 asks for testing).</summary>
    Encrypt,

    /// <summary>The <c>enforce</c> answer (<c>OK secure match=…</c>): testing treated as enforce, the operator's choice.</summary>
    Secure,
}

/// <summary>Which names go into <c>match=</c> of a <c>secure</c> answer (<c>--match</c>).</summary>
internal enum MatchForm
{
    /// <summary>
    /// The live MX host names that the policy's patterns allow (the default): exactly RFC 8461's one-label wildcard,
    /// because Postfix reads <c>.example.net</c> as a suffix of any depth.
    /// </summary>
    Hosts,

    /// <summary>
    /// The policy's patterns with <c>*.</c> written as <c>.</c>, the form postfix-mta-sts-resolver answers with: looser
    /// than RFC 8461 (Postfix then accepts <c>a.b.example.net</c> for <c>*.example.net</c>), offered for compatibility.
    /// </summary>
    Patterns,
}

/// <summary>The answer settings of <c>mta-sts postfix</c>.</summary>
/// <param name="Testing">The answer for a <c>testing</c> policy.</param>
/// <param name="Match">The names of <c>match=</c>.</param>
internal sealed record PostfixAnswerSettings(TestingAnswer Testing = TestingAnswer.NotFound, MatchForm Match = MatchForm.Hosts);

/// <summary>
/// The answers of the Postfix policy server: a delivery plan in, the <c>smtp_tls_policy_maps</c> entry out. Pure: no
/// I/O, no clock. The form follows postfix-mta-sts-resolver (<c>secure match=… servername=hostname</c>), never looser
/// than RFC 8461 by default, DANE first (decision A-13).
/// </summary>
/// <remarks>
/// <para>
/// Postfix's <c>secure</c> level checks the server certificate against the <c>match=</c> names (any of them, whichever
/// MX host it connected to). Listing the live MX host names the policy allows is the strictest form Postfix can express
/// of RFC 8461 §4.1 (the MX host must match a pattern and the certificate must be valid for the host): a host outside the
/// policy has no certificate for an allowed name, and a wildcard pattern admits one label only. Postfix also looks up
/// the MX records itself, so the names it connects to are the ones planned here (both read the same DNS).
/// </para>
/// <para><c>servername=hostname</c> makes Postfix send the MX host name as SNI, as the library does under MTA-STS (decision A-14).</para>
/// </remarks>
internal static class PostfixAnswers
{
    /// <summary>The answer that hands a domain to Postfix's own DANE (Postfix 2.11 and later).</summary>
    public const string DaneOnly = "dane-only";

    /// <summary>The longest request payload accepted (bytes): a map name, a space and a domain name fit many times over.</summary>
    public const int MaxRequestLength = 1024;

    /// <summary>The reply to a request whose key is not a domain name (a <c>[host]:port</c> next hop, an address, garbage).</summary>
    /// <remarks>
    /// <c>NOTFOUND</c>, not <c>PERM</c>: Postfix asks <c>smtp_tls_policy_maps</c> with the verbatim next hop, which may be
    /// <c>[relay.example.net]:587</c> from a transport or relayhost setting; MTA-STS has no say there, and <c>PERM</c>
    /// would make every such delivery fail with a table error. Postfix's own default then applies.
    /// </remarks>
    public static SocketmapReply ForInvalidKey() => SocketmapReply.NotFound;

    /// <summary>The reply to a request for a map name this server does not serve: a configuration error worth a loud failure.</summary>
    public static SocketmapReply ForUnknownMap(IReadOnlyList<string> served) =>
        new(SocketmapStatus.Perm, $"unknown socketmap name; this server answers {string.Join(", ", served)} (socketmap:<endpoint>:<name> in main.cf)");

    /// <summary>The reply to a netstring whose payload is not <c>&lt;name&gt; &lt;key&gt;</c> in UTF-8.</summary>
    public static SocketmapReply ForMalformedRequest() => new(SocketmapStatus.Perm, "malformed request: expected '<name> <key>' (socketmap_table(5))");

    /// <summary>The reply to a request whose plan took longer than the lookup timeout.</summary>
    public static SocketmapReply ForLookupTimeout() => new(SocketmapStatus.Timeout, "the MX, DANE and MTA-STS lookups did not finish in time; retry later");

    /// <summary>The reply when planning failed unexpectedly (logged with the exception type).</summary>
    public static SocketmapReply ForInternalError() => new(SocketmapStatus.Temp, "internal error while planning; retry later");

    /// <summary>The reply to a protocol violation, sent before the connection is closed.</summary>
    public static SocketmapReply ForProtocolError(NetstringStatus status) => new(SocketmapStatus.Perm, status == NetstringStatus.TooLong
        ? $"request longer than {MaxRequestLength} bytes; closing the connection"
        : "malformed netstring; closing the connection");

    /// <summary>Splits a request payload into the map name and the key (everything after the first space).</summary>
    /// <param name="payload">The netstring's payload.</param>
    /// <param name="name">The map name.</param>
    /// <param name="key">The key.</param>
    /// <returns>Whether the payload is <c>&lt;name&gt; &lt;key&gt;</c> with a non-empty name, in valid UTF-8.</returns>
    public static bool TryParseRequest(ReadOnlySpan<byte> payload, out string name, out string key)
    {
        name = key = string.Empty;
        var space = payload.IndexOf((byte)' ');
        if (space <= 0 || !IsUtf8(payload))
        {
            return false;
        }

        name = Encoding.UTF8.GetString(payload[..space]);
        key = Encoding.UTF8.GetString(payload[(space + 1)..]);
        return true;
    }

    /// <summary>The answer for a recipient domain's delivery plan.</summary>
    /// <param name="plan">The plan, as <see cref="IDeliveryPlanner.PlanDeliveryAsync"/> made it.</param>
    /// <param name="settings">The answer settings.</param>
    /// <returns>The reply.</returns>
    public static SocketmapReply ForPlan(DeliveryPlan plan, PostfixAnswerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(settings);
        switch (plan.Status)
        {
            case DeliveryPlanStatus.NoMailService:
                // Null MX or NXDOMAIN: Postfix finds that out itself and bounces; no TLS policy is needed.
                return SocketmapReply.NotFound;
            case DeliveryPlanStatus.Defer:
                return new SocketmapReply(SocketmapStatus.Temp, DeferReason(plan));
        }

        if (IsDaneOnly(plan))
        {
            return new SocketmapReply(SocketmapStatus.Ok, DaneOnly);
        }

        return plan.MtaStsResolution?.Policy?.Mode switch
        {
            MtaStsMode.Enforce => Secure(plan, settings.Match),
            MtaStsMode.Testing => settings.Testing switch
            {
                TestingAnswer.May => new SocketmapReply(SocketmapStatus.Ok, "may"),
                TestingAnswer.Encrypt => new SocketmapReply(SocketmapStatus.Ok, "encrypt"),
                TestingAnswer.Secure => Secure(plan, settings.Match),
                _ => SocketmapReply.NotFound,
            },
            // mode none, no policy, or no policy to be had (RFC 8461 §3.3, §5; decision A-1): as without MTA-STS.
            _ => SocketmapReply.NotFound,
        };
    }

    /// <summary>
    /// DANE first (decision A-13): the MX answer is DNSSEC-secure and every MX host has a usable, secure TLSA RRset, so
    /// Postfix's own DANE authenticates every host it may connect to (RFC 7672 §2.2). With an insecure MX answer Postfix
    /// would not apply DANE, so <c>dane-only</c> would stop delivery; MTA-STS then decides.
    /// </summary>
    internal static bool IsDaneOnly(DeliveryPlan plan)
    {
        if (!plan.MxSecure || plan.Hosts.Count == 0)
        {
            return false;
        }

        foreach (var host in plan.Hosts)
        {
            if (host.Dane != DaneStatus.Usable)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <c>secure match=&lt;names&gt; servername=hostname</c>. The names are colon-separated, as Postfix's <c>match=</c> takes
    /// them; with <see cref="MatchForm.Hosts"/> the usable MX hosts whose name the policy allows, in plan order.
    /// </summary>
    internal static SocketmapReply Secure(DeliveryPlan plan, MatchForm form)
    {
        var names = new List<string>();
        if (form == MatchForm.Patterns)
        {
            foreach (var pattern in plan.MtaStsResolution?.Policy?.MxPatterns ?? [])
            {
                // Postfix's ".example.net" is any depth below example.net: looser than RFC 8461's one label (see MatchForm).
                AddOnce(names, pattern.IsWildcard ? pattern.Pattern[1..] : pattern.Pattern);
            }
        }
        else
        {
            foreach (var host in plan.Hosts)
            {
                if (host.IsUsable && host.MtaStsMxMatch == true)
                {
                    AddOnce(names, host.Host);
                }
            }
        }

        return names.Count == 0
            ? new SocketmapReply(SocketmapStatus.Temp, "no MX host matches the MTA-STS policy; deferring, never bouncing (RFC 8461 §5.1)")
            : new SocketmapReply(SocketmapStatus.Ok, $"secure match={string.Join(':', names)} servername=hostname");
    }

    /// <summary>Why a deferred plan has no usable host, in fixed words (never the library's evidence or exception text).</summary>
    internal static string DeferReason(DeliveryPlan plan)
    {
        if (plan.Hosts.Count == 0)
        {
            return "the MX lookup failed; retry later (RFC 7672 §2.1.2)";
        }

        string? kind = null;
        foreach (var host in plan.Hosts)
        {
            var type = host.ReportResultType ?? string.Empty;
            if (kind is not null && kind != type)
            {
                return "no MX host is usable now; retry later";
            }

            kind = type;
        }

        return kind switch
        {
            "validation-failure" => "no MX host matches the MTA-STS enforce policy; deferring, never bouncing (RFC 8461 §5.1)",
            "dnssec-invalid" => "the DANE (TLSA) lookups failed for every MX host; retry later (RFC 7672 §2.1.2)",
            "dane-required" => "DANE is required for this domain but not available; retry later (RFC 7672 §2.2)",
            _ => "no MX host is usable now; retry later",
        };
    }

    /// <summary>Untrusted text made safe for a log line: control characters replaced, at most 100 characters.</summary>
    public static string ForDisplay(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var shown = text.Length > 100 ? text[..100] + "…" : text;
        return string.Create(shown.Length, shown, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }

    private static void AddOnce(List<string> names, string name)
    {
        if (!names.Contains(name, StringComparer.Ordinal))
        {
            names.Add(name);
        }
    }

    private static bool IsUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);
}

namespace MtaSts.Tests.Parsing;

/// <summary>Well-formed policy bodies, with what they must parse to.</summary>
internal static class GoldenPolicies
{
    /// <summary>The shape of RFC 8461 §3.2's example, CRLF line ends, final CRLF.</summary>
    public const string Crlf =
        "version: STSv1\r\nmode: enforce\r\nmx: mail.example.test\r\nmx: *.example.net\r\nmx: backupmx.example.test\r\nmax_age: 604800\r\n";

    /// <summary>LF line ends, no final line end.</summary>
    public const string LfNoFinalTerminator =
        "version: STSv1\nmode: testing\nmx: mx1.example.test\nmax_age: 86400";

    /// <summary>LF and CRLF mixed: each sts-policy-term is chosen on its own.</summary>
    public const string MixedTerminators =
        "version: STSv1\r\nmode: enforce\nmx: mx1.example.test\r\nmx: mx2.example.test\nmax_age: 1209600\n";

    /// <summary>Fields in an unusual order, no whitespace after the colons, tabs after others.</summary>
    public const string AnyOrder =
        "mx:*.example.test\nmax_age:\t\t31557600\nmode:enforce\nversion:STSv1\n";

    /// <summary>Unknown keys (extensions), including UTF-8 and inner spaces in their values.</summary>
    public const string WithExtensions =
        "version: STSv1\nmode: enforce\nx-comment: managed by example — see https://example.test/mta-sts\nmx: mx1.example.test\nfoo.bar_baz-1: 42\nmax_age: 86400\n";

    /// <summary>Mode none without any mx line (decision A-23).</summary>
    public const string NoneWithoutMx = "version: STSv1\nmode: none\nmax_age: 86400\n";

    public static TheoryData<string, MtaStsMode, long, string[]> All => new()
    {
        { Crlf, MtaStsMode.Enforce, 604800, ["mail.example.test", "*.example.net", "backupmx.example.test"] },
        { LfNoFinalTerminator, MtaStsMode.Testing, 86400, ["mx1.example.test"] },
        { MixedTerminators, MtaStsMode.Enforce, 1209600, ["mx1.example.test", "mx2.example.test"] },
        { AnyOrder, MtaStsMode.Enforce, 31557600, ["*.example.test"] },
        { WithExtensions, MtaStsMode.Enforce, 86400, ["mx1.example.test"] },
        { NoneWithoutMx, MtaStsMode.None, 86400, [] },
        { "version: STSv1\nmode: none\nmx: mx1.example.test\nmax_age: 0086400\n", MtaStsMode.None, 86400, ["mx1.example.test"] },
    };
}

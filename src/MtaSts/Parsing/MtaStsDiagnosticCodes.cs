namespace MtaSts;

/// <summary>
/// The stable codes of the diagnostics the record and policy parsers report (<see cref="MtaStsDiagnostic.Code"/>), for
/// tools that check a record or a policy before it is published (<c>mta-sts lint</c>) and for code that reacts to one.
/// A later version may add codes, never change one.
/// </summary>
public static class MtaStsDiagnosticCodes
{
    /// <summary>A carriage return not followed by a line feed. (policy error.)</summary>
    public const string BareCr = "bare-cr";

    /// <summary>A blank line inside the policy. (policy error.)</summary>
    public const string BlankLine = "blank-line";

    /// <summary>The body starts with a UTF-8 byte order mark. (policy warning.)</summary>
    public const string ByteOrderMark = "byte-order-mark";

    /// <summary>A policy line has no <c>:</c>. (policy error.)</summary>
    public const string ColonMissing = "colon-missing";

    /// <summary>A <c>;</c> is missing between record fields. (record error.)</summary>
    public const string DelimiterExpected = "delimiter-expected";

    /// <summary>A field appears twice; the first counts. (policy warning, record warning.)</summary>
    public const string DuplicateField = "duplicate-field";

    /// <summary>An extension field's name or value is invalid. (policy error, record error.)</summary>
    public const string ExtensionInvalid = "extension-invalid";

    /// <summary>A record field is empty. (record error.)</summary>
    public const string FieldEmpty = "field-empty";

    /// <summary>A record field is not <c>name=value</c>. (record error.)</summary>
    public const string FieldMalformed = "field-malformed";

    /// <summary>The record's <c>id</c> is not 1 to 32 letters and digits. (record error.)</summary>
    public const string IdInvalid = "id-invalid";

    /// <summary>The record has no <c>id</c> field. (record error.)</summary>
    public const string IdMissing = "id-missing";

    /// <summary>The record's <c>id</c> holds characters the RFC does not allow, accepted anyway. (record warning.)</summary>
    public const string IdNonstandardCharacters = "id-nonstandard-characters";

    /// <summary>A policy key is not a valid field name. (policy error.)</summary>
    public const string KeyInvalid = "key-invalid";

    /// <summary>An unknown key that looks like a misspelt known one. (policy warning.)</summary>
    public const string KeyNearMiss = "key-near-miss";

    /// <summary>A policy line starts with whitespace. (policy error.)</summary>
    public const string LeadingWhitespace = "leading-whitespace";

    /// <summary><c>max_age</c> is above one year and is treated as one year. (policy warning.)</summary>
    public const string MaxAgeClamped = "max-age-clamped";

    /// <summary>The <c>max_age</c> is not a number of 1 to 10 digits. (policy error.)</summary>
    public const string MaxAgeInvalid = "max-age-invalid";

    /// <summary>The policy has no <c>max_age</c> field. (policy error.)</summary>
    public const string MaxAgeMissing = "max-age-missing";

    /// <summary><c>max_age</c> is 0: the policy is not cached. (policy warning.)</summary>
    public const string MaxAgeZero = "max-age-zero";

    /// <summary>The <c>mode</c> is not <c>enforce</c>, <c>testing</c> or <c>none</c>. (policy error.)</summary>
    public const string ModeInvalid = "mode-invalid";

    /// <summary>The policy has no <c>mode</c> field. (policy error.)</summary>
    public const string ModeMissing = "mode-missing";

    /// <summary>An <c>mx</c> value is not a valid host name or pattern. (policy error.)</summary>
    public const string MxInvalid = "mx-invalid";

    /// <summary>An <c>enforce</c> or <c>testing</c> policy has no <c>mx</c> field. (policy error.)</summary>
    public const string MxMissing = "mx-missing";

    /// <summary>An <c>mx</c> value ends with a dot, accepted without it. (policy warning.)</summary>
    public const string MxTrailingDot = "mx-trailing-dot";

    /// <summary>The TXT record holds characters outside printable ASCII. (record error.)</summary>
    public const string NotAscii = "not-ascii";

    /// <summary>The policy body is empty. (policy error.)</summary>
    public const string PolicyEmpty = "policy-empty";

    /// <summary>The TXT record is empty. (record error.)</summary>
    public const string RecordEmpty = "record-empty";

    /// <summary>The policy ends with more blank lines than one. (policy warning.)</summary>
    public const string TrailingBlankLines = "trailing-blank-lines";

    /// <summary>A line or the record ends with whitespace. (policy warning, record warning.)</summary>
    public const string TrailingWhitespace = "trailing-whitespace";

    /// <summary>The policy <c>version</c> is not <c>STSv1</c>. (policy error.)</summary>
    public const string VersionInvalid = "version-invalid";

    /// <summary>The <c>v=STSv1</c> field (record) or the <c>version</c> field (policy) is missing. (policy error, record error.)</summary>
    public const string VersionMissing = "version-missing";

    /// <summary>Whitespace between a policy key and its <c>:</c>. (policy error.)</summary>
    public const string WhitespaceBeforeColon = "whitespace-before-colon";

    /// <summary>Every code above, in alphabetical order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        BareCr,
        BlankLine,
        ByteOrderMark,
        ColonMissing,
        DelimiterExpected,
        DuplicateField,
        ExtensionInvalid,
        FieldEmpty,
        FieldMalformed,
        IdInvalid,
        IdMissing,
        IdNonstandardCharacters,
        KeyInvalid,
        KeyNearMiss,
        LeadingWhitespace,
        MaxAgeClamped,
        MaxAgeInvalid,
        MaxAgeMissing,
        MaxAgeZero,
        ModeInvalid,
        ModeMissing,
        MxInvalid,
        MxMissing,
        MxTrailingDot,
        NotAscii,
        PolicyEmpty,
        RecordEmpty,
        TrailingBlankLines,
        TrailingWhitespace,
        VersionInvalid,
        VersionMissing,
        WhitespaceBeforeColon,
    ];
}

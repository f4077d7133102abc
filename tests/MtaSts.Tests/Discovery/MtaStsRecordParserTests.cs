namespace MtaSts.Tests.Discovery;

public class MtaStsRecordParserTests
{
    private static MtaStsRecord AssertValid(MtaStsRecordParseResult result)
    {
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Empty(result.Errors);
        return result.Record!;
    }

    private static void AssertInvalid(MtaStsRecordParseResult result, string code)
    {
        Assert.False(result.IsValid);
        Assert.Null(result.Record);
        Assert.Contains(result.Errors, e => e.Code == code);
        Assert.All(result.Errors, e => Assert.Equal(0, e.Line));
        Assert.All(result.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
    }

    [Fact]
    public void STS_3_1_a_ValidRecord_YieldsIdVersionAndText()
    {
        const string text = "v=STSv1; id=20160831085700Z;";
        var record = AssertValid(MtaStsRecordParser.Parse(text));
        Assert.Equal("20160831085700Z", record.Id);
        Assert.Equal("STSv1", record.Version);
        Assert.Same(text, record.Text);
        Assert.Empty(record.Extensions);
        Assert.Empty(MtaStsRecordParser.Parse(text).Warnings);
    }

    [Theory]
    [InlineData("v=STSv1;id=1", "1")]
    [InlineData("v=STSv1; id=1", "1")]
    [InlineData("v=STSv1;\tid=1", "1")]
    [InlineData("v=STSv1; id=1;", "1")]
    [InlineData("v=STSv1; id=1; ", "1")]
    [InlineData("v=STSv1; id=1 ;", "1")]
    [InlineData("v=STSv1 ; id=1", "1")]
    [InlineData("v=STSv1\t;\tid=1\t;\t", "1")]
    [InlineData("v=STSv1; id=abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345")]
    [InlineData("v=STSv1; ext=val; id=XYZ", "XYZ")]
    [InlineData("v=STSv1; id=XYZ; a.b_c-d=!\"#$%&'()*+,-./0123456789:<>?@[\\]^_`{|}~", "XYZ")]
    public void ValidRecords_AreAcceptedWithoutWarnings(string text, string id)
    {
        var result = MtaStsRecordParser.Parse(text);
        Assert.Equal(id, AssertValid(result).Id);
        Assert.Empty(result.Warnings);
        Assert.True(MtaStsRecordParser.IsStsRecord(text));
    }

    [Fact]
    public void STS_3_1_b_NonAsciiRecord_IsInvalid()
    {
        AssertInvalid(MtaStsRecordParser.Parse("v=STSv1; id=ä1"), "not-ascii");
        AssertInvalid(MtaStsRecordParser.Parse("v=STSv1; id=1; note=caf\u00e9"), "not-ascii");
        AssertInvalid(MtaStsRecordParser.Parse("v=STSv1;\u00a0id=1"), "not-ascii");
    }

    [Theory]
    [InlineData("v=STSv2; id=1")]
    [InlineData("v=stsv1; id=1")]
    [InlineData("V=STSv1; id=1")]
    [InlineData("v=STSV1; id=1")]
    [InlineData("v = STSv1; id=1")]
    public void STS_3_1_c_VersionOtherThanSTSv1_IsInvalid(string text)
    {
        AssertInvalid(MtaStsRecordParser.Parse(text), "version-missing");
    }

    [Fact]
    public void STS_3_1_c_VersionPrefixedByMoreCharacters_IsInvalid()
    {
        AssertInvalid(MtaStsRecordParser.Parse("v=STSv10; id=1"), "delimiter-expected");
        AssertInvalid(MtaStsRecordParser.Parse("v=STSv1.1; id=1"), "delimiter-expected");
    }

    [Fact]
    public void STS_3_1_d_Id_IsKeptExactlyAsPublished()
    {
        // Ids are compared for equality only, case-sensitively: the parser must neither fold case nor reorder.
        var upper = AssertValid(MtaStsRecordParser.Parse("v=STSv1; id=AbC123"));
        var lower = AssertValid(MtaStsRecordParser.Parse("v=STSv1; id=abc123"));
        Assert.Equal("AbC123", upper.Id);
        Assert.NotEqual(upper.Id, lower.Id);
        Assert.Equal("0001", AssertValid(MtaStsRecordParser.Parse("v=STSv1; id=0001")).Id);
    }

    [Theory]
    [InlineData("id=1; v=STSv1")]
    [InlineData(" v=STSv1; id=1")]
    [InlineData("ext=1; v=STSv1; id=1")]
    public void STS_3_1_e_VersionNotFirst_IsInvalid(string text)
    {
        AssertInvalid(MtaStsRecordParser.Parse(text), "version-missing");
        Assert.False(MtaStsRecordParser.IsStsRecord(text));
    }

    [Fact]
    public void STS_3_1_e_FieldsAfterVersion_MayComeInAnyOrder()
    {
        var record = AssertValid(MtaStsRecordParser.Parse("v=STSv1; zz=1; id=42; aa=2"));
        Assert.Equal("42", record.Id);
        Assert.Equal(
            [new KeyValuePair<string, string>("zz", "1"), new KeyValuePair<string, string>("aa", "2")],
            record.Extensions);
    }

    [Theory]
    [InlineData("v=STSv1;", true)]
    [InlineData("v=STSv1; id=1", true)]
    [InlineData("v=STSv1;id=1", true)]
    [InlineData("v=STSv1 ;id=1", true)]
    [InlineData("v=STSv1\t\t;", true)]
    [InlineData("v=STSv1; garbage", true)]
    [InlineData("", false)]
    [InlineData("v=STSv1", false)]
    [InlineData("v=STSv1 ", false)]
    [InlineData("v=STSv10;", false)]
    [InlineData("v=STSv1 id=1", false)]
    [InlineData("v=STSv1,id=1", false)]
    [InlineData("V=STSv1;", false)]
    [InlineData("v=stsv1;", false)]
    [InlineData(" v=STSv1;", false)]
    [InlineData("v=spf1 -all", false)]
    [InlineData("v=TLSRPTv1; rua=mailto:tlsrpt@example.test", false)]
    [InlineData("google-site-verification=abc", false)]
    public void STS_3_1_f_IsStsRecord_KeepsOnlyRecordsStartingWithVersionAndDelimiter(string text, bool expected)
    {
        // Also: A-17 (filter part), A-2
        Assert.Equal(expected, MtaStsRecordParser.IsStsRecord(text));
    }

    [Theory]
    [InlineData("", "record-empty")]
    [InlineData("v=STSv1", "id-missing")]
    [InlineData("v=STSv1;", "id-missing")]
    [InlineData("v=STSv1; ", "id-missing")]
    [InlineData("v=STSv1; ext=1", "id-missing")]
    [InlineData("v=STSv1 id=1", "delimiter-expected")]
    [InlineData("v=STSv1; id=1 2", "delimiter-expected")]
    [InlineData("v=STSv1; id=1, ext=2", "delimiter-expected")]
    [InlineData("v=STSv1;; id=1", "field-empty")]
    [InlineData("v=STSv1; id=1;;", "field-empty")]
    [InlineData("v=STSv1; id=1; ;", "field-empty")]
    [InlineData("v=STSv1; id", "field-malformed")]
    [InlineData("v=STSv1; id=1; ext", "field-malformed")]
    [InlineData("v=STSv1; =1; id=1", "field-malformed")]
    [InlineData("v=STSv1; id=", "id-invalid")]
    [InlineData("v=STSv1; id=abcdefghijklmnopqrstuvwxyz0123456", "id-invalid")]
    [InlineData("v=STSv1; id=a+b", "id-invalid")]
    [InlineData("v=STSv1; id=a/b", "id-invalid")]
    [InlineData("v=STSv1; id=a=b", "id-invalid")]
    [InlineData("v=STSv1; id=\"1\"", "id-invalid")]
    [InlineData("v=STSv1; id=1\r\n", "id-invalid")]
    [InlineData("v=STSv1; id=1; _ext=1", "extension-invalid")]
    [InlineData("v=STSv1; id=1; -ext=1", "extension-invalid")]
    [InlineData("v=STSv1; id=1; e!t=1", "extension-invalid")]
    [InlineData("v=STSv1; id=1; ext=", "extension-invalid")]
    [InlineData("v=STSv1; id=1; ext=a=b", "extension-invalid")]
    [InlineData("v=STSv1; id=1; ext=a\u0001", "extension-invalid")]
    [InlineData("v=STSv1; id=1; ext=a\u007f", "extension-invalid")]
    [InlineData("v=STSv1; id=1; abcdefghijklmnopqrstuvwxyz0123456=1", "extension-invalid")]
    public void STS_3_1_g_RecordOutsideTheGrammar_IsInvalid(string text, string code)
    {
        AssertInvalid(MtaStsRecordParser.Parse(text), code);
    }

    [Fact]
    public void STS_3_1_g_Null_IsInvalidWithoutThrowing()
    {
        AssertInvalid(MtaStsRecordParser.Parse(null!), "record-empty");
    }

    [Fact]
    public void STS_3_1_g_UpperCaseIdField_IsAnExtensionSoTheIdIsMissing()
    {
        var result = MtaStsRecordParser.Parse("v=STSv1; ID=1");
        AssertInvalid(result, "id-missing");
        Assert.Contains("case-sensitive", result.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void STS_3_1_i_CharacterStringsJoinedWithoutSpace_ParseAsOneRecord()
    {
        // The resolver joins ["v=STSv1; id=2024", "0101"] without a separator; a space would break the id.
        string[] strings = ["v=STSv1; id=2024", "0101"];
        Assert.Equal("20240101", AssertValid(MtaStsRecordParser.Parse(string.Concat(strings))).Id);
        AssertInvalid(MtaStsRecordParser.Parse(string.Join(' ', strings)), "delimiter-expected");
    }

    [Theory]
    [InlineData("v=STSv1 ;id=1")]
    [InlineData("v=STSv1 ; id=1")]
    [InlineData("v=STSv1\t;id=1")]
    public void A_2_WhitespaceBeforeSemicolon_IsAnStsRecord(string text)
    {
        Assert.True(MtaStsRecordParser.IsStsRecord(text));
        var result = MtaStsRecordParser.Parse(text);
        Assert.Equal("1", AssertValid(result).Id);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void A_4_DuplicateId_FirstWinsWithWarning()
    {
        // Also: STS-3.2-j (the paragraph covers the TXT record too)
        var result = MtaStsRecordParser.Parse("v=STSv1; id=first; id=second");
        Assert.Equal("first", AssertValid(result).Id);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal("duplicate-field", warning.Code);
        Assert.Equal(0, warning.Line);
        Assert.Contains("second", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_4_DuplicateExtension_FirstWinsWithWarning()
    {
        var result = MtaStsRecordParser.Parse("v=STSv1; id=1; ext=a; ext=b; other=c");
        var record = AssertValid(result);
        Assert.Equal(
            [new KeyValuePair<string, string>("ext", "a"), new KeyValuePair<string, string>("other", "c")],
            record.Extensions);
        Assert.Equal("duplicate-field", Assert.Single(result.Warnings).Code);
    }

    [Fact]
    public void A_4_RepeatedVersionField_IsIgnoredWithWarning()
    {
        var result = MtaStsRecordParser.Parse("v=STSv1; v=STSv1; id=1");
        var record = AssertValid(result);
        Assert.Empty(record.Extensions);
        Assert.Equal("duplicate-field", Assert.Single(result.Warnings).Code);
    }

    [Fact]
    public void A_4_DuplicateIdWithAnExtensionValue_IsIgnoredWithWarning()
    {
        // Also: STS-3.2-i. "id=a+b" is not an sts-id but matches sts-extension ("+" is an sts-ext-value character), so
        // the record is within the grammar and its first id counts.
        var result = MtaStsRecordParser.Parse("v=STSv1; id=1; id=a+b");
        Assert.Equal("1", AssertValid(result).Id);
        Assert.Equal("duplicate-field", Assert.Single(result.Warnings).Code);
    }

    [Fact]
    public void A_4_DuplicateIdOutsideTheGrammar_IsInvalid()
    {
        // An empty value or one holding '=' matches neither sts-id nor sts-extension.
        AssertInvalid(MtaStsRecordParser.Parse("v=STSv1; id=1; id="), "id-invalid");
        AssertInvalid(MtaStsRecordParser.Parse("v=STSv1; id=1; id=a=b"), "id-invalid");
    }

    [Theory]
    [InlineData("v=spf1 include:_spf.example.test -all")]
    [InlineData("v=STSv1")]
    [InlineData("v=STSv1 id=1")]
    [InlineData("something else entirely")]
    public void A_17_NonStsTxtRecords_AreFilteredOutBeforeCounting(string text)
    {
        Assert.False(MtaStsRecordParser.IsStsRecord(text));
    }

    [Fact]
    public void A_17_ValidRecordsAreAlwaysCandidates()
    {
        string[] valid = ["v=STSv1; id=1", "v=STSv1 ;id=1", "v=STSv1;id=1;", "v=STSv1; id=1; e=2"];
        Assert.All(valid, text => Assert.True(MtaStsRecordParser.IsStsRecord(text) && MtaStsRecordParser.Parse(text).IsValid));
    }

    [Theory]
    [InlineData("v=STSv1; id=2024-01-01", "2024-01-01")]
    [InlineData("v=STSv1; id=policy_v2", "policy_v2")]
    [InlineData("v=STSv1; id=1.2.3", "1.2.3")]
    [InlineData("v=STSv1; id=-._", "-._")]
    [InlineData("v=STSv1; id=abcdefghijklmnopqrstuvwxyz-_.123", "abcdefghijklmnopqrstuvwxyz-_.123")]
    public void A_21_IdWithDashUnderscoreOrDot_IsAcceptedWithWarning(string text, string id)
    {
        var result = MtaStsRecordParser.Parse(text);
        Assert.Equal(id, AssertValid(result).Id);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal("id-nonstandard-characters", warning.Code);
        Assert.Contains(id, warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v=STSv1; id=a:b")]
    [InlineData("v=STSv1; id=a~b")]
    [InlineData("v=STSv1; id=a@b")]
    [InlineData("v=STSv1; id=abcdefghijklmnopqrstuvwxyz-_.1234")]
    public void A_21_IdWithOtherCharactersOrTooLong_IsInvalid(string text)
    {
        AssertInvalid(MtaStsRecordParser.Parse(text), "id-invalid");
    }

    [Theory]
    [InlineData("v=STSv1; id=1 ")]
    [InlineData("v=STSv1; id=1\t")]
    [InlineData("v=STSv1; id=1  \t ")]
    public void TrailingWhitespaceWithoutFinalSemicolon_IsAcceptedWithWarning(string text)
    {
        var result = MtaStsRecordParser.Parse(text);
        Assert.Equal("1", AssertValid(result).Id);
        Assert.Equal("trailing-whitespace", Assert.Single(result.Warnings).Code);
    }

    [Fact]
    public void ErrorMessages_ShowLongOrControlValuesShortAndEscaped()
    {
        var result = MtaStsRecordParser.Parse("v=STSv1; id=" + new string('x', 10_000) + "\u0007");
        var error = Assert.Single(result.Errors);
        Assert.Equal("id-invalid", error.Code);
        Assert.True(error.Message.Length < 300, error.Message);
    }

    [Fact]
    public void RandomInput_NeverThrows()
    {
        var random = new Random(3461);
        string[] pieces = ["v=STSv1", ";", " ", "\t", "id=", "ID=", "abc", "1", "=", "-", "_", ".", "\r", "\n", "\0", "é", "\u007f", "x=y", ";;"];
        for (var i = 0; i < 2000; i++)
        {
            var builder = new System.Text.StringBuilder();
            var count = random.Next(0, i % 250 == 0 ? 20_000 : 12);
            if (random.Next(2) == 0)
            {
                builder.Append("v=STSv1;");
            }

            for (var j = 0; j < count; j++)
            {
                if (random.Next(5) == 0)
                {
                    builder.Append((char)random.Next(0, 0x10000));
                }
                else
                {
                    builder.Append(pieces[random.Next(pieces.Length)]);
                }
            }

            var text = builder.ToString();
            var result = MtaStsRecordParser.Parse(text);
            var candidate = MtaStsRecordParser.IsStsRecord(text);
            Assert.Equal(result.IsValid, result.Errors.Count == 0);
            Assert.True(result.Errors.Count <= 101);
            if (result.IsValid)
            {
                Assert.True(candidate, text);
                Assert.InRange(result.Record!.Id.Length, 1, 32);
            }
        }
    }
}

using System.Text;
using NodaTime;
using VppLedger.Tokens;

namespace VppLedger.Tests.Tokens;

public sealed class parsing_a_token_file
{
    private static readonly Instant Now = TokenSpec.Now;
    private static readonly Instant Expiry = Instant.FromUtc(2026, 5, 31, 22, 33, 22);

    private static string Base64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    private static Rejection Refused(string content)
    {
        var result = VppTokenFile.Parse(content, Now);
        Assert.False(result.IsValid);
        Assert.Null(result.File);
        return result.Rejection;
    }

    [Fact]
    [Trait("Rule", "T5")]
    [Trait("Rule", "T2")]
    public void a_file_written_by_create_yields_organization_expiry_and_fingerprint()
    {
        var content = VppTokenFile.Create("Contoso Ltd", "s3cr3t-value", Expiry);

        var result = VppTokenFile.Parse(content, Now);

        Assert.True(result.IsValid);
        Assert.Equal("Contoso Ltd", result.File.OrganizationName);
        Assert.Equal(Expiry, result.File.ExpiresAt);
        Assert.Equal(TokenFingerprint.Of("s3cr3t-value"), result.File.Fingerprint);
        Assert.Equal(64, result.File.Fingerprint.Hex.Length);
        Assert.Equal("s3cr3t-value", result.File.Secret.Reveal());
        Assert.Equal(new TokenFileFacts("Contoso Ltd", Expiry, TokenFingerprint.Of("s3cr3t-value")), result.File.Facts);
    }

    [Fact]
    [Trait("Rule", "T2")]
    public void apples_date_format_with_a_colonless_offset_is_read_as_an_instant()
    {
        var content = Base64("""{"orgName":"Contoso","token":"abc","expDate":"2030-11-08T22:33:22+0200"}""");

        var result = VppTokenFile.Parse(content, Now);

        Assert.True(result.IsValid);
        Assert.Equal(Instant.FromUtc(2030, 11, 8, 20, 33, 22), result.File.ExpiresAt);
    }

    [Fact]
    [Trait("Rule", "T5")]
    public void the_bytes_of_a_file_with_a_trailing_newline_parse_like_its_text()
    {
        var bytes = Encoding.ASCII.GetBytes(VppTokenFile.Create("Contoso", "abc", Expiry) + "\n");

        var result = VppTokenFile.Parse(bytes, Now);

        Assert.True(result.IsValid);
        Assert.Equal(TokenFingerprint.Of("abc"), result.File.Fingerprint);
    }

    [Fact]
    [Trait("Rule", "T5")]
    public void a_file_that_is_not_base64_is_refused_at_the_first_bad_character()
    {
        var error = Refused("eyJvcmdOYW1lIjoi*Q29udG9zbyJ9");

        Assert.Equal("TokenFileNotBase64", error.Code);
        Assert.Equal("T5", error.Rule);
        Assert.Contains("at character 17", error.Message, StringComparison.Ordinal);
        Assert.Contains("Apple Business Manager", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "T5")]
    public void base64_cut_short_is_refused_as_not_base64()
    {
        Assert.Equal("TokenFileNotBase64", Refused("abcde").Code);
    }

    [Fact]
    [Trait("Rule", "T5")]
    public void an_empty_file_is_refused()
    {
        Assert.Equal("TokenFileEmpty", Refused("  \n").Code);
    }

    [Theory]
    [InlineData("this is not json")]
    [InlineData("[1, 2, 3]")]
    [Trait("Rule", "T5")]
    public void base64_of_anything_but_a_json_object_is_refused_as_not_json(string decoded)
    {
        var error = Refused(Base64(decoded));

        Assert.Equal("TokenFileNotJson", error.Code);
        Assert.Equal("T5", error.Rule);
    }

    [Theory]
    [InlineData("orgName", """{"token":"abc","expDate":"2030-11-08T22:33:22+0000"}""")]
    [InlineData("token", """{"orgName":"Contoso","expDate":"2030-11-08T22:33:22+0000"}""")]
    [InlineData("expDate", """{"orgName":"Contoso","token":"abc"}""")]
    [InlineData("token", """{"orgName":"Contoso","token":null,"expDate":"2030-11-08T22:33:22+0000"}""")]
    [Trait("Rule", "T5")]
    public void a_missing_field_is_refused_by_name(string field, string json)
    {
        var error = Refused(Base64(json));

        Assert.Equal("TokenFileFieldMissing", error.Code);
        Assert.Contains($"'{field}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orgName", """{"orgName":" ","token":"abc","expDate":"2030-11-08T22:33:22+0000"}""")]
    [InlineData("token", """{"orgName":"Contoso","token":"","expDate":"2030-11-08T22:33:22+0000"}""")]
    [InlineData("expDate", """{"orgName":"Contoso","token":"abc","expDate":""}""")]
    [Trait("Rule", "T5")]
    public void an_empty_field_is_refused_by_name(string field, string json)
    {
        var error = Refused(Base64(json));

        Assert.Equal("TokenFileFieldEmpty", error.Code);
        Assert.Contains($"'{field}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "T5")]
    public void a_field_that_is_not_text_is_refused_by_name()
    {
        var error = Refused(Base64("""{"orgName":"Contoso","token":42,"expDate":"2030-11-08T22:33:22+0000"}"""));

        Assert.Equal("TokenFileFieldNotText", error.Code);
        Assert.Contains("'token'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "T2")]
    public void an_unreadable_expiry_date_is_refused_showing_the_text()
    {
        var error = Refused(Base64("""{"orgName":"Contoso","token":"abc","expDate":"next tuesday"}"""));

        Assert.Equal("TokenFileBadDate", error.Code);
        Assert.Equal("T2", error.Rule);
        Assert.Contains("'next tuesday'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "T5")]
    public void a_file_over_64_kib_is_refused_before_decoding()
    {
        var big = new string('A', VppTokenFile.MaxFileBytes + 4);

        Assert.Equal("TokenFileTooLarge", Refused(big).Code);
        Assert.Equal("TokenFileTooLarge", VppTokenFile.Parse(Encoding.ASCII.GetBytes(big), Now).Rejection!.Code);
    }

    [Fact]
    [Trait("Rule", "T2")]
    public void an_expired_file_is_refused_with_its_expiry()
    {
        var content = VppTokenFile.Create("Contoso", "abc", Instant.FromUtc(2024, 1, 2, 3, 4, 5));

        var error = Refused(content);

        Assert.Equal("TokenFileExpired", error.Code);
        Assert.Equal("T2", error.Rule);
        Assert.Contains("2024-01-02T03:04:05Z", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "T2")]
    public void a_file_expiring_at_this_very_instant_is_already_expired()
    {
        Assert.Equal("TokenFileExpired", Refused(VppTokenFile.Create("Contoso", "abc", Now)).Code);
    }

    [Fact]
    [Trait("Rule", "T12")]
    public void the_secret_never_appears_in_the_text_of_the_result()
    {
        const string secret = "very-secret-token-text";
        var result = VppTokenFile.Parse(VppTokenFile.Create("Contoso", secret, Expiry), Now);

        Assert.True(result.IsValid);
        Assert.DoesNotContain(secret, result.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, result.File.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, result.File.Secret.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, result.File.Facts.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, System.Text.Json.JsonSerializer.Serialize(result.File), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, Specs.EventJson.Of(result.File), StringComparison.Ordinal);
    }
}

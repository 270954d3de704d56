using System.Text;
using NodaTime;
using VppLedger.Tokens;

namespace VppLedger.Tests.Tokens;

/// <summary>The parser bounds each field of a .vpptoken file and refuses text PostgreSQL cannot store (rules T5, I3).</summary>
public sealed class a_token_file_with_text_no_token_file_holds_is_refused
{
    private static readonly Instant Now = TokenSpec.Now;

    // Written by hand: a JSON escape is the only way a lone surrogate or a NUL reaches the decoded text.
    private static string File(string orgName = "Contoso", string token = "s3cr3t", string expDate = "2030-11-08T22:33:22+0000") =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"orgName\":\"{orgName}\",\"token\":\"{token}\",\"expDate\":\"{expDate}\"}}"));

    private static Rejection Refused(string content)
    {
        var result = VppTokenFile.Parse(content, Now);
        Assert.False(result.IsValid);
        return result.Rejection;
    }

    [Fact]
    [Trait("Rule", "T5")]
    public void an_organization_name_of_300_characters_is_refused_with_its_limit()
    {
        var error = Refused(File(orgName: new string('O', 300)));

        Assert.Equal(("TokenFileFieldInvalid", "T5"), (error.Code, error.Rule));
        Assert.StartsWith($"Token file field 'orgName' is 300 characters long; at most {VppTokenFile.MaxOrganizationNameLength} are accepted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "T4")]
    public void the_longest_organization_name_accepted_still_makes_a_location_key()
    {
        var file = VppTokenFile.Parse(File(orgName: new string('O', VppTokenFile.MaxOrganizationNameLength)), Now);

        Assert.True(file.IsValid);
        Assert.StartsWith("org:OOO", file.File.LocationFromOrganization.Value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orgName")]
    [InlineData("token")]
    [InlineData("expDate")]
    [Trait("Rule", "T5")]
    public void a_nul_character_in_any_field_is_refused_by_name(string field)
    {
        var content = field switch
        {
            "orgName" => File(orgName: "Con\\u0000toso"),
            "token" => File(token: "s3\\u0000cr3t"),
            _ => File(expDate: "2030-11-08T22:33:22+0000\\u0000"),
        };

        var error = Refused(content);

        Assert.Equal("TokenFileFieldInvalid", error.Code);
        Assert.StartsWith($"Token file field '{field}' contains a NUL character", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orgName")]
    [InlineData("token")]
    [Trait("Rule", "T5")]
    public void a_lone_surrogate_in_a_field_is_refused_not_thrown(string field)
    {
        var content = field == "orgName" ? File(orgName: "Con\\ud800toso") : File(token: "s3\\udc00cr3t");

        var error = Refused(content);

        Assert.Equal("TokenFileFieldInvalid", error.Code);
        Assert.StartsWith($"Token file field '{field}' contains a lone UTF-16 surrogate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "T5")]
    public void a_secret_longer_than_the_limit_is_refused()
    {
        var error = Refused(File(token: new string('s', VppTokenFile.MaxSecretLength + 1)));

        Assert.Equal("TokenFileFieldInvalid", error.Code);
        Assert.Contains("'token'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sss", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9999-12-31T23:59:59-1400")]
    [InlineData("0001-01-01T00:00:00+1400")]
    [Trait("Rule", "T2")]
    public void an_expiry_date_beyond_the_range_of_instants_is_refused_as_a_bad_date_not_thrown(string expDate)
    {
        var error = Refused(File(expDate: expDate));

        Assert.Equal(("TokenFileBadDate", "T2"), (error.Code, error.Rule));
    }
}

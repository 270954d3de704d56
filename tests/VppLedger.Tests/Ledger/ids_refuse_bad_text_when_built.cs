using VppLedger.Directory;
using VppLedger.Tokens;

namespace VppLedger.Tests.Ledger;

/// <summary>Identifiers, group members, Apple IDs, location keys and actors check their text when built (rule I3).</summary>
public sealed class ids_refuse_bad_text_when_built
{
    // xunit serializes theory data and replaces a lone surrogate on the way, so the data spells it \uXXXX.
    private static string Decode(string text) => System.Text.RegularExpressions.Regex.Replace(
        text, @"\\u([0-9a-fA-F]{4})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString());

    public static TheoryData<string, string> BadIds => new()
    {
        { "", "is empty" },
        { "   ", "contains white space (at character 1)" },
        { "a:b", "contains ':' (at character 2)" },
        { "a\nb", "contains the control character U+000A (at character 2)" },
        { "a\0b", "contains a NUL character (at character 2)" },
        { "a\\ud800b", "contains a lone UTF-16 surrogate U+D800" },
        { "a\\udc00", "contains a lone UTF-16 surrogate U+DC00" },
        { new string('x', 129), "is 129 characters long; an identifier is 1 to 128 characters" },
    };

    [Theory]
    [MemberData(nameof(BadIds))]
    [Trait("Rule", "I3")]
    public void an_id_with_bad_text_throws_naming_the_field_the_problem_and_the_limit(string text, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => new GroupId(Decode(text)));

        Assert.StartsWith("Group id " + problem, error.Message, StringComparison.Ordinal);
        Assert.Contains("1 to 128 characters", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadIds))]
    [Trait("Rule", "A1")]
    public void a_group_member_id_with_bad_text_throws_instead_of_breaking_every_assignment_of_the_group(string text, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => new GroupMember(GroupKind.User, Decode(text)));

        Assert.StartsWith("Group member id " + problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "A1")]
    public void a_group_member_of_an_unknown_kind_throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new GroupMember((GroupKind)5, "ann"));

        Assert.StartsWith("Group member kind 5 is not a GroupKind", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void an_id_with_an_emoji_is_accepted_as_a_valid_surrogate_pair()
    {
        Assert.Equal("ann😀", new UserId("ann😀").Value);
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void an_adam_id_that_is_not_digits_throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new AdamId("12a"));

        Assert.StartsWith("AdamId is not a number (character 3 is not a digit)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void a_serial_number_error_never_repeats_the_serial_number()
    {
        var error = Assert.Throws<ArgumentException>(() => new SerialNumber("C02X:Y1"));

        Assert.DoesNotContain("C02X", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("sync\0job", "contains a NUL character (at character 5)")]
    [InlineData("sync\njob", "contains the control character U+000A (at character 5)")]
    [InlineData("sync\\ud800", "contains a lone UTF-16 surrogate U+D800 (at character 5)")]
    [Trait("Rule", "I1")]
    public void an_actor_name_with_bad_text_throws(string name, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => new Actor(Decode(name), Permissions.Directory));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public void an_actor_name_longer_than_the_limit_throws_with_the_limit()
    {
        var error = Assert.Throws<ArgumentException>(() => new Actor(new string('a', InputRules.MaxNameLength + 1), Permissions.Directory));

        Assert.StartsWith($"Actor name is {InputRules.MaxNameLength + 1} characters long; at most {InputRules.MaxNameLength}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public void an_actor_name_of_null_throws()
    {
        Assert.Throws<ArgumentException>(() => new Actor(null!, Permissions.Directory));
    }

    [Theory]
    [InlineData("ann\0@contoso.example")]
    [InlineData("ann\\ud800@contoso.example")]
    [InlineData("ann\r\n@contoso.example")]
    [Trait("Rule", "L4")]
    public void an_apple_id_with_bad_text_throws(string text)
    {
        Assert.Throws<ArgumentException>(() => new AppleId(Decode(text), AppleIdKind.Managed));
    }

    [Fact]
    [Trait("Rule", "L4")]
    public void an_apple_id_of_an_unknown_kind_throws()
    {
        Assert.Throws<ArgumentException>(() => new AppleId("ann@contoso.example", (AppleIdKind)3));
    }

    [Fact]
    [Trait("Rule", "T4")]
    public void a_location_key_with_a_nul_character_throws()
    {
        Assert.Throws<ArgumentException>(() => LocationKey.FromAppleLocationId("loc\0-1"));
    }

    [Fact]
    [Trait("Rule", "L1")]
    public void a_holder_of_a_default_id_or_an_unknown_kind_throws()
    {
        Assert.Throws<ArgumentException>(() => Holder.ForUser(default, AppleIdKind.Managed));
        Assert.Throws<ArgumentException>(() => Holder.ForUser(new UserId("ann"), (AppleIdKind)2));
        Assert.Throws<ArgumentException>(() => Holder.ForDevice(default));
    }

    [Fact]
    [Trait("Rule", "I3")]
    public void a_default_id_is_noticed_the_moment_its_value_is_read()
    {
        var error = Assert.Throws<InvalidOperationException>(() => default(PoolId).Token.Value);
        Assert.Contains("This TokenId is default and has no value: create it with new TokenId", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => default(CommandId).Value);
        Assert.Throws<InvalidOperationException>(() => default(TenantId).Value);
        Assert.Throws<InvalidOperationException>(() => default(AppleId).Value);
        Assert.Equal("ann", new UserId("ann").Value);
    }

    [Theory]
    [Trait("Rule", "X2")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a b")]
    [InlineData("a:b")]
    [InlineData("contoso;drop")]
    [InlineData("ümlaut")]
    public void a_tenant_id_takes_only_ascii_letters_digits_dots_underscores_and_dashes(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => new TenantId(text));
        Assert.Contains("use 1 to 64 ASCII letters, digits, '.', '_' or '-'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Rule", "X2")]
    public void a_tenant_id_of_65_characters_is_refused_and_64_accepted()
    {
        Assert.Throws<ArgumentException>(() => new TenantId(new string('a', 65)));
        Assert.Equal(64, new TenantId(new string('a', 64)).Value.Length);
    }
}

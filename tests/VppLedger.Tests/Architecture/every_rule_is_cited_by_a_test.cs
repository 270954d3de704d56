using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace VppLedger.Tests.Architecture;

/// <summary>STYLE.md 16: each rule id of spec/RULES.md (listed in docs/rules.md) has at least one test tagged with it.</summary>
public sealed partial class every_rule_is_cited_by_a_test
{
    [Fact]
    [Trait("Category", "Architecture")]
    public void every_rule_in_docs_rules_md_has_a_test_with_its_trait()
    {
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Here())!, "../../.."));
        var rules = RuleRow().Matches(File.ReadAllText(Path.Combine(root, "docs/rules.md"))).Select(m => m.Groups[1].Value).ToList();
        var cited = System.IO.Directory.EnumerateFiles(Path.Combine(root, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .SelectMany(f => RuleTrait().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToHashSet();

        Assert.True(rules.Count >= 50, $"docs/rules.md lists only {rules.Count} rules.");
        var missing = rules.Where(r => !cited.Contains(r)).ToList();
        Assert.True(missing.Count == 0, "Rules with no test: " + string.Join(", ", missing));
    }

    private static string Here([CallerFilePath] string path = "") => path;

    [GeneratedRegex(@"^\| ([A-Z][0-9]+) \|", RegexOptions.Multiline)]
    private static partial Regex RuleRow();

    [GeneratedRegex(@"Trait\(""Rule"", ""([A-Z][0-9]+)""\)")]
    private static partial Regex RuleTrait();
}

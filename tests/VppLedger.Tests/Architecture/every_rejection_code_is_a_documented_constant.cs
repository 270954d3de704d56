using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace VppLedger.Tests.Architecture;

/// <summary>Hosts switch on <see cref="RejectionCodes"/>: every code is a constant, equal to its name, and explained in docs/errors.md.</summary>
public sealed partial class every_rejection_code_is_a_documented_constant
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Here())!, "../../.."));

    private static IReadOnlyList<string> Codes() =>
        [.. typeof(RejectionCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetRawConstantValue()!)];

    [Fact]
    [Trait("Category", "Architecture")]
    public void every_constant_is_listed_in_docs_errors_md()
    {
        var doc = File.ReadAllText(Path.Combine(Root, "docs/errors.md"));
        var missing = Codes().Where(code => !doc.Contains($"`{code}`", StringComparison.Ordinal)).ToList();

        Assert.True(Codes().Count >= 70, $"found {Codes().Count} codes");
        Assert.True(missing.Count == 0, "Not in docs/errors.md: " + string.Join(", ", missing));
    }

    [Fact]
    [Trait("Category", "Architecture")]
    public void no_rejection_is_built_from_a_code_literal()
    {
        // A code typed as a string literal would escape the constants hosts switch on.
        var offences = System.IO.Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains("/obj/", StringComparison.Ordinal))
            .SelectMany(path => CodeLiteral().Matches(File.ReadAllText(path)).Select(m => $"{Path.GetFileName(path)}: {m.Value}"))
            .ToList();

        Assert.True(offences.Count == 0, "Rejections built from literals:\n" + string.Join('\n', offences));
    }

    [GeneratedRegex(@"new(?:\s+Rejection)?\(\s*""[A-Z][A-Za-z]+"",\s*""[A-Z][0-9]+""")]
    private static partial Regex CodeLiteral();

    private static string Here([CallerFilePath] string path = "") => path;
}

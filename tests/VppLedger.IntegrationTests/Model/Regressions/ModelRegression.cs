namespace VppLedger.IntegrationTests.Model.Regressions;

/// <summary>A shrunk counterexample of the model test, replayed as it was found: the ledger must agree with the model at every step.</summary>
public abstract class ModelRegression(ArticleModelFixture fixture) : ModelRegression<ArticleModelFixture>(fixture);

/// <summary>The same, on a ledger of the given policy.</summary>
public abstract class ModelRegression<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : ModelLedgerFixture
{
    /// <summary>Replayed sequences exclude no known bug, and keep their direct grants (a replay is written by hand).</summary>
    private static readonly ModelScope Replayed = ModelScope.Fixed with { Open = Unspecified.All & ~Unspecified.DirectGrantProvenance };

    /// <summary>The model test's prelude: <see cref="ModelGenerators.Prelude"/>.</summary>
    protected static IReadOnlyList<Op> Prelude => ModelGenerators.Prelude;

    /// <summary>Runs the prelude and <paramref name="ops"/> without any known-bug exclusion; throws <see cref="ModelMismatchException"/> where the ledger and the model part.</summary>
    protected Task ReplayAsync(params Op[] ops) => new ModelRunner(fixture, Replayed).RunAsync(Prelude.Concat(ops));

    /// <summary>The same, with directory commands run by an actor that also holds MobileApps, so that item 1 does not hide another item.</summary>
    protected Task ReplayWithoutItem1Async(params Op[] ops) =>
        new ModelRunner(fixture, Replayed with { Bugs = KnownBugs.Item1_DirectorySyncRefused }).RunAsync(Prelude.Concat(ops));
}

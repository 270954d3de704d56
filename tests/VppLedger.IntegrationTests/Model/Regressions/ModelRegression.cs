namespace VppLedger.IntegrationTests.Model.Regressions;

/// <summary>A shrunk counterexample of the model test, replayed as it was found: the ledger must agree with the model at every step.</summary>
public abstract class ModelRegression(ArticleModelFixture fixture) : IClassFixture<ArticleModelFixture>
{
    /// <summary>A token with two synced pools (3 and 2 licenses), users u0-u2, devices d0-d2 and groups g0 (users) and g2 (devices).</summary>
    protected static IReadOnlyList<Op> Prelude => ModelGenerators.Prelude;

    /// <summary>Runs the prelude and <paramref name="ops"/> without any known-bug exclusion; throws <see cref="ModelMismatchException"/> where the ledger and the model part.</summary>
    protected Task ReplayAsync(params Op[] ops) => new ModelRunner(fixture, ModelScope.Fixed).RunAsync(Prelude.Concat(ops));
}

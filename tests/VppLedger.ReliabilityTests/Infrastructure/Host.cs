namespace VppLedger.ReliabilityTests.Infrastructure;

/// <summary>
/// Runs commands as a careful host does (docs/guarantees.md): on <see cref="LedgerUnavailableException"/> it retries
/// the same command id, which is always safe. Anything else thrown is a raw exception; a call that does not answer
/// within a bound is a hang. Loops are bounded in count and time.
/// </summary>
public static class Host
{
    public static readonly TimeSpan HangBound = TimeSpan.FromSeconds(60);

    /// <summary>The outcome, or null when the database stayed unavailable through every retry.</summary>
    public static async Task<CommandOutcome?> ExecuteAsync(ITenantLedger ledger, ILedgerCommand command, Figures figures, int attempts = 1, TimeSpan? pause = null)
    {
        figures.Command();
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            try
            {
                var outcome = await ledger.ExecuteAsync(command).WaitAsync(HangBound);
                if (outcome.Succeeded)
                {
                    figures.Acknowledged();
                }

                return outcome;
            }
            catch (LedgerUnavailableException e)
            {
                figures.Unavailable(e);
                if (attempt < attempts)
                {
                    await Task.Delay(pause ?? TimeSpan.FromMilliseconds(50));
                }
            }
            catch (TimeoutException)
            {
                figures.Hang();
                return null;
            }
            catch (Exception e)
            {
                figures.RawException(e, command.GetType().Name);
                return null;
            }
        }

        return null;
    }

    /// <summary>A query, with the same classification; the default value when it failed.</summary>
    public static async Task<T?> QueryAsync<T>(Func<Task<T>> query, Figures figures, string what)
    {
        try
        {
            return await query().WaitAsync(HangBound);
        }
        catch (LedgerUnavailableException e)
        {
            figures.Unavailable(e);
        }
        catch (TimeoutException)
        {
            figures.Hang();
        }
        catch (Exception e)
        {
            figures.RawException(e, what);
        }

        return default;
    }
}

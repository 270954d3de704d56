using System.Security.Cryptography;
using System.Text;
using NodaTime;
using VppLedger.Pools;

namespace VppLedger.AppleSide;

/// <summary>A difference between Apple's assignments and the ledger's seats, open until a later snapshot no longer shows it.</summary>
/// <param name="Key">The finding's identity: class, pool and holder.</param>
/// <param name="Class">What it is.</param>
/// <param name="Pool">The pool.</param>
/// <param name="HolderRef">Who, as Apple names it: <c>user:{clientUserId}</c> or <c>serial:{serialNumber}</c>.</param>
/// <param name="Holder">The ledger's holder, when the ledger knows it.</param>
/// <param name="Detail">One sentence for a person.</param>
/// <param name="Rule">S2, or T3 for another MDM.</param>
/// <param name="FoundAt">When the snapshot that found it completed.</param>
public sealed record ReconciliationFinding(
    string Key,
    ReconciliationClass Class,
    PoolId Pool,
    string HolderRef,
    Holder? Holder,
    string Detail,
    string Rule,
    Instant FoundAt);

/// <summary>One step of a reconciliation plan: the host command that clears a finding, or what a person must do.</summary>
/// <param name="Finding">The finding.</param>
/// <param name="Command">The command to run (<c>ITenantLedger.ExecuteAsync</c>), or null when only a person can act.</param>
/// <param name="Action">What the step does, in one sentence.</param>
public sealed record ReconciliationStep(ReconciliationFinding Finding, ILedgerCommand? Command, string Action);

/// <summary>A seat the ledger grants, as reconciliation compares it (internal).</summary>
/// <param name="Pool">The pool.</param>
/// <param name="Holder">The holder.</param>
/// <param name="HolderRef">How Apple names the holder: <c>user:{key}</c>, <c>serial:{serial}</c>, or null for a device without a recorded serial number.</param>
/// <param name="Apple">Requested or confirmed.</param>
/// <param name="RequestedAt">When the ledger last asked Apple for it.</param>
internal sealed record LedgerSeatFact(PoolId Pool, Holder Holder, string? HolderRef, AppleSeatState Apple, Instant RequestedAt);

/// <summary>A seat Apple holds, with the ledger's holder when the ledger knows it (internal).</summary>
/// <param name="Pool">The pool.</param>
/// <param name="HolderRef">Apple's holder.</param>
/// <param name="Holder">The ledger's holder, or null.</param>
internal sealed record AppleSeatFact(PoolId Pool, string HolderRef, Holder? Holder);

/// <summary>Everything one reconciliation reads (internal).</summary>
/// <param name="Token">The token.</param>
/// <param name="ManagedElsewhere">The token is assigned to another MDM now (rule T3).</param>
/// <param name="Apple">Apple's seats: the completed snapshot.</param>
/// <param name="Ledger">The ledger's granted seats of the token.</param>
/// <param name="PendingReleases">Seats the ledger freed and Apple has still to take back (<c>{pool}|{holderKey}</c>).</param>
/// <param name="Open">Findings open before this snapshot.</param>
internal sealed record ReconciliationFacts(
    TokenId Token,
    bool ManagedElsewhere,
    IReadOnlyList<AppleSeatFact> Apple,
    IReadOnlyList<LedgerSeatFact> Ledger,
    IReadOnlySet<string> PendingReleases,
    IReadOnlyList<ReconciliationFinding> Open);

/// <summary>The pure comparison of a completed snapshot with the seats, and the plan per finding (docs/apple.md).</summary>
internal static class Reconciliation
{
    /// <summary>
    /// Every difference between Apple's seats and the ledger's, as findings: recorded when new, cleared when an open one
    /// is no longer found. Cost O(seats of the token).
    /// </summary>
    public static IReadOnlyList<IAppleSideEvent> Compare(ReconciliationFacts facts, Duration pendingTooLong, Instant now)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var found = new Dictionary<string, ReconciliationFinding>(StringComparer.Ordinal);
        void Find(ReconciliationClass @class, PoolId pool, string holderRef, Holder? holder, string detail, string rule)
        {
            var key = AppleSideDecider.FindingKey(@class, pool, holderRef);
            found.TryAdd(key, new ReconciliationFinding(key, @class, pool, holderRef, holder, detail, rule, now));
        }

        var ledgerByRef = facts.Ledger.Where(s => s.HolderRef is not null).ToLookup(s => (s.Pool, s.HolderRef!));
        var appleSet = facts.Apple.Select(a => (a.Pool, a.HolderRef)).ToHashSet();

        // Duplicate holder: one app held at Apple for one holder at both pricings. The extra seat is the one the ledger does not grant.
        var duplicates = new HashSet<(PoolId, string)>();
        foreach (var group in facts.Apple.GroupBy(a => (a.Pool.AdamId, a.HolderRef)).Where(g => g.Select(a => a.Pool.Pricing).Distinct().Count() > 1))
        {
            var seats = group.DistinctBy(a => a.Pool).OrderBy(a => a.Pool.Pricing).ToList();
            var kept = seats.FirstOrDefault(a => ledgerByRef.Contains((a.Pool, a.HolderRef))) ?? seats[0];
            foreach (var extra in seats.Where(a => a != kept && !ledgerByRef.Contains((a.Pool, a.HolderRef))))
            {
                duplicates.Add((extra.Pool, extra.HolderRef));
                Find(ReconciliationClass.DuplicateHolder, extra.Pool, extra.HolderRef, extra.Holder,
                    $"Apple holds app {extra.Pool.AdamId} for {extra.HolderRef} at both pricings; the ledger keeps the {kept.Pool.ApplePricingParam} seat.", "S2");
            }
        }

        foreach (var seat in facts.Apple)
        {
            if (ledgerByRef.Contains((seat.Pool, seat.HolderRef)) || duplicates.Contains((seat.Pool, seat.HolderRef))
                || (seat.Holder is { } h && facts.PendingReleases.Contains(seat.Pool + "|" + h.Key)))
            {
                continue; // granted, a duplicate already found, or a release Apple has still to do
            }

            if (facts.ManagedElsewhere)
            {
                Find(ReconciliationClass.HeldUnderAnotherMdm, seat.Pool, seat.HolderRef, seat.Holder,
                    $"Apple holds a seat of pool {seat.Pool} for {seat.HolderRef} while another MDM manages token {facts.Token} (rule T3).", "T3");
            }
            else
            {
                Find(ReconciliationClass.UntrackedAtApple, seat.Pool, seat.HolderRef, seat.Holder,
                    seat.Holder is null
                        ? $"Apple holds a seat of pool {seat.Pool} for {seat.HolderRef}, whom the ledger does not know."
                        : $"Apple holds a seat of pool {seat.Pool} for {seat.HolderRef} that the ledger does not grant.", "S2");
            }
        }

        foreach (var seat in facts.Ledger)
        {
            var atApple = seat.HolderRef is not null && appleSet.Contains((seat.Pool, seat.HolderRef));
            var holderRef = seat.HolderRef ?? "holder:" + seat.Holder.Key;
            if (seat.Apple == AppleSeatState.Requested && now - seat.RequestedAt > pendingTooLong)
            {
                Find(ReconciliationClass.PendingTooLong, seat.Pool, holderRef, seat.Holder,
                    $"The seat of pool {seat.Pool} for {seat.Holder.Key} was requested of Apple at {seat.RequestedAt} and Apple has not confirmed it.", "S2");
            }
            else if (seat.Apple == AppleSeatState.Confirmed && seat.HolderRef is not null && !atApple)
            {
                Find(ReconciliationClass.PhantomInLedger, seat.Pool, holderRef, seat.Holder,
                    $"The ledger grants a seat of pool {seat.Pool} to {seat.Holder.Key} that Apple confirmed and no longer shows.", "S2");
            }
        }

        var open = facts.Open.ToDictionary(f => f.Key, StringComparer.Ordinal);
        var events = new List<IAppleSideEvent>();
        foreach (var f in open.Values.Where(f => !found.ContainsKey(f.Key)).OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            events.Add(new ReconciliationFindingCleared(facts.Token, f.Key, f.Class, f.Pool, now));
        }

        foreach (var f in found.Values.Where(f => !open.ContainsKey(f.Key)).OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            events.Add(new ReconciliationFindingRecorded(facts.Token, f.Key, f.Class, f.Pool, f.HolderRef, f.Holder, f.Detail, f.Rule, now));
        }

        return events;
    }

    /// <summary>The host command that clears <paramref name="finding"/>, run as <paramref name="actor"/>; its id is derived from the finding, so running a plan twice is one run (rule I4).</summary>
    public static ReconciliationStep Plan(ReconciliationFinding finding, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(finding);
        ArgumentNullException.ThrowIfNull(actor);
        var id = new CommandId("reconcile-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(finding.Key + "@" + finding.FoundAt.ToUnixTimeTicks())))[..40]);
        return finding switch
        {
            { Class: ReconciliationClass.HeldUnderAnotherMdm } =>
                new(finding, new Tokens.TakeTokenControl(finding.Pool.Token, id, actor), $"Take control of token {finding.Pool.Token} back from the other MDM (rule T3), then read Apple's assignments again."),
            { Holder: null } =>
                new(finding, null, $"Record the user or the device of {finding.HolderRef} in the ledger, or remove the seat in Apple Business Manager; then read Apple's assignments again."),
            { Class: ReconciliationClass.UntrackedAtApple, Holder: { } holder } =>
                new(finding, new GrantLicenses(finding.Pool, [holder], id, actor), $"Grant {holder.Key} the seat of pool {finding.Pool} Apple already holds (the ledger adopts it)."),
            { Class: ReconciliationClass.DuplicateHolder, Holder: { } holder } =>
                new(finding, new ReleaseAtApple(finding.Pool, [holder], id, actor), $"Ask Apple to take back the extra seat of pool {finding.Pool} from {holder.Key}."),
            { Holder: { } holder } =>
                new(finding, new RequestAppleAssociationAgain(finding.Pool, [holder], id, actor), $"Ask Apple again for the seat of pool {finding.Pool} of {holder.Key}."),
        };
    }
}

using Marten;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Licensing;
using VppLedger.Licensing.Workflows;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Storage;

/// <summary>Assignment commands and their fan-out over a group's members.</summary>
internal sealed partial class LedgerHandlers
{
    private async Task<Handled> AssignmentAsync(IAssignmentCommand c)
    {
        var stream = await context.FetchAsync<AssignmentDoc, AssignmentState>(
            Streams.Assignment(c.Pool, c.Group),
            d => d.State,
            AssignmentState.Initial(c.Pool, c.Group),
            (s, e) => AssignmentDecider.Evolve(s, (IAssignmentEvent)e),
            cancellationToken).ConfigureAwait(false);
        var before = stream.State;
        if (c is CreateAssignment create && (IsSameAssignment(before, create) || context.StartAfter is not null))
        {
            // A retry of a create that committed its assignment and part of a large fan-out: carry on (I4).
            before = before with { Active = false };
        }
        else
        {
            var pool = await context.PoolAsync(c.Pool, cancellationToken).ConfigureAwait(false);
            var group = await GroupStreamAsync(c.Group).ConfigureAwait(false);
            var facts = new AssignmentFacts(pool.State.Synced, pool.State.Product, group.State.Created ? group.State.Kind : null, pool.State.Orphaned, pool.State.DeviceAssignable);
            var decision = AssignmentDecider.Decide(c, before, facts, context.Now);
            if (decision.IsRejected)
            {
                return decision.Rejection;
            }

            stream.Append(decision.Events);
            if (decision.Events.Count == 0)
            {
                return Handled.Done;
            }
        }

        var effect = AssignmentEffects.OnMembers(before, stream.State, context.Policy);
        var after = stream.State;
        return effect.Action switch
        {
            MemberLicenseAction.Grant => await FanOutAsync(after, members => GrantToMembersAsync(after, members, c), batched: c is CreateAssignment).ConfigureAwait(false),

            // An Uninstall acts on its own license type; a removal on every seat the members hold that no other
            // live assignment of the pool still justifies.
            MemberLicenseAction.Reclaim when effect.Reason == ReclaimReason.UninstallIntent =>
                await FanOutAsync(after, members => ReleaseMembersAsync(after.Pool, after.Group, members, new SeatRelease(effect.Reason.Value, effect.LicenseType), c)).ConfigureAwait(false),
            MemberLicenseAction.Reclaim => await FanOutAsync(before, members => ReleaseMembersAsync(before.Pool, before.Group, members, new SeatRelease(effect.Reason!.Value), c)).ConfigureAwait(false),
            MemberLicenseAction.WithdrawQueue =>
                await FanOutAsync(before, members => ReleaseMembersAsync(before.Pool, before.Group, members, new SeatRelease(effect.Reason!.Value, QueuedOnly: true), c)).ConfigureAwait(false),
            MemberLicenseAction.MigrateToDevice => await MigrateAsync(after, c).ConfigureAwait(false),
            _ => Handled.Done,
        };
    }

    /// <summary>
    /// The members' queued user entries leave first, across every page, so that no seat a migration frees is promoted
    /// to a user entry of this assignment; then each member's user seats pass to its devices or go back.
    /// </summary>
    private async Task<Handled> MigrateAsync(AssignmentState after, ILedgerCommand c)
    {
        var withdraw = new SeatRelease(ReclaimReason.MigratedToDeviceLicense, LicenseType.User, QueuedOnly: true);
        var withdrawn = await FanOutAsync(after, members => ReleaseMembersAsync(after.Pool, after.Group, members, withdraw, c)).ConfigureAwait(false);
        return withdrawn.Rejection is not null
            ? withdrawn
            : await FanOutAsync(after, members => MigrateMembersAsync(after, members, c)).ConfigureAwait(false);
    }

    private static bool IsSameAssignment(AssignmentState state, CreateAssignment c) =>
        state.Active && state.Intent == c.Intent && state.LicenseType == c.LicenseType;

    /// <summary>
    /// Streams the group's members in targeting order, a page at a time. A batched fan-out (a new assignment) stops
    /// after <see cref="VppLedgerOptions.FanOutMembersPerTransaction"/> members and the runner commits and resumes after the last one,
    /// so a 100,000-member group costs bounded memory and a crash loses at most one uncommitted batch.
    /// </summary>
    private async Task<Handled> FanOutAsync(AssignmentState assignment, Func<IReadOnlyList<GroupMember>, Task<Rejection?>> apply, bool batched = false)
    {
        var perTransaction = context.IsPreview ? int.MaxValue : context.Options.FanOutMembersPerTransaction;
        var after = context.StartAfter ?? -1L;
        var done = 0;
        await foreach (var (members, last) in MemberPagesAsync(assignment.Group, after, batched ? Math.Min(MemberPageSize, perTransaction) : MemberPageSize).ConfigureAwait(false))
        {
            if (batched && done >= perTransaction)
            {
                context.ResumeAfter = after;
                return Handled.Done;
            }

            if (await apply(members).ConfigureAwait(false) is { } rejection)
            {
                return rejection;
            }

            after = last;
            done += members.Count;
        }

        return Handled.Done;
    }

    /// <summary>Members read per page when an assignment fans out; bounds the memory of reading.</summary>
    internal const int MemberPageSize = 1000;

    private async Task<Rejection?> GrantToMembersAsync(AssignmentState assignment, IReadOnlyList<GroupMember> members, ILedgerCommand c)
    {
        var workspace = await context.PoolAsync(assignment.Pool, cancellationToken).ConfigureAwait(false);
        var holders = await HoldersOfAsync(assignment, workspace.State.Product, members, workspace.State.DeviceAssignable).ConfigureAwait(false);
        return await GrantHoldersAsync(assignment.Pool, holders, c).ConfigureAwait(false);
    }

    /// <summary>Grants (or queues) holders that passed the licensing rules, when the pool's token may grant.</summary>
    private async Task<Rejection?> GrantHoldersAsync(PoolId pool, IReadOnlyList<Holder> holders, ILedgerCommand c)
    {
        if (holders.Count == 0)
        {
            return null;
        }

        var token = await TokenStreamAsync(pool.Token).ConfigureAwait(false);
        if (TokenRules.CheckCanAssign(token.State) is { } blocked)
        {
            return blocked; // a deleted token's assignments ended; an expired or external one queues: the pool's lookup holds its grants back
        }

        var workspace = await context.PoolAsync(pool, cancellationToken).ConfigureAwait(false);
        var decision = await workspace.DecideAsync(new GrantLicenses(pool, holders, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
        return decision.Rejection;
    }
}

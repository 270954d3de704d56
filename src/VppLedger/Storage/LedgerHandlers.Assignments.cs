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
        if (PageCursor.ParseMembers(context.StartCursor) is { } resumed)
        {
            // A later page of this command's fan-out: its assignment event committed with the first page.
            if (resumed.AssignmentVersion != 0 && resumed.AssignmentVersion != stream.ReadVersion)
            {
                // The assignment changed again since: the newer command's own fan-out acts on every member, as a
                // serial order would have it; this one stops here.
                return Handled.Done;
            }

            before = resumed.AssignmentVersion == 0
                ? before with { Active = false } // a record of a version that kept no assignment version: a create
                : await AssignmentBeforeAsync(stream.Id, AssignmentState.Initial(c.Pool, c.Group), resumed.AssignmentVersion).ConfigureAwait(false);
        }
        else if (c is CreateAssignment create && IsSameAssignment(before, create))
        {
            // A retry of a create that committed its assignment: carry on granting whoever is not served yet (I4).
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
        var version = stream.Version;
        return effect.Action switch
        {
            MemberLicenseAction.Grant => await FanOutAsync(after, version, 0, members => GrantToMembersAsync(after, members, c)).ConfigureAwait(false),

            // An Uninstall acts on its own license type; a removal on every seat the members hold that no other
            // live assignment of the pool still justifies.
            MemberLicenseAction.Reclaim when effect.Reason == ReclaimReason.UninstallIntent =>
                await FanOutAsync(after, version, 0, members => ReleaseMembersAsync(after.Pool, after.Group, members, new SeatRelease(effect.Reason.Value, effect.LicenseType), c)).ConfigureAwait(false),
            MemberLicenseAction.Reclaim => await FanOutAsync(before, version, 0, members => ReleaseMembersAsync(before.Pool, before.Group, members, new SeatRelease(effect.Reason!.Value), c)).ConfigureAwait(false),
            MemberLicenseAction.WithdrawQueue =>
                await FanOutAsync(before, version, 0, members => ReleaseMembersAsync(before.Pool, before.Group, members, new SeatRelease(effect.Reason!.Value, QueuedOnly: true), c)).ConfigureAwait(false),
            MemberLicenseAction.MigrateToDevice => await MigrateAsync(after, version, c).ConfigureAwait(false),
            _ => Handled.Done,
        };
    }

    /// <summary>The assignment as it was before the event at <paramref name="version"/> (folded from its short stream).</summary>
    private async Task<AssignmentState> AssignmentBeforeAsync(string streamId, AssignmentState initial, long version)
    {
        if (version <= 1)
        {
            return initial;
        }

        var events = await _session.Events.FetchStreamAsync(streamId, version: version - 1, token: cancellationToken).ConfigureAwait(false);
        return events.Aggregate(initial, (s, e) => AssignmentDecider.Evolve(s, (IAssignmentEvent)e.Data));
    }

    /// <summary>
    /// The members' queued user entries leave first, across every page, so that no seat a migration frees is promoted
    /// to a user entry of this assignment; then each member's user seats pass to its devices or go back.
    /// </summary>
    private async Task<Handled> MigrateAsync(AssignmentState after, long version, ILedgerCommand c)
    {
        var withdraw = new SeatRelease(ReclaimReason.MigratedToDeviceLicense, LicenseType.User, QueuedOnly: true);
        var withdrawn = await FanOutAsync(after, version, 0, members => ReleaseMembersAsync(after.Pool, after.Group, members, withdraw, c)).ConfigureAwait(false);
        return withdrawn.Rejection is not null || context.ResumeCursor is not null
            ? withdrawn
            : await FanOutAsync(after, version, 1, members => MigrateMembersAsync(after, members, c)).ConfigureAwait(false);
    }

    private static bool IsSameAssignment(AssignmentState state, CreateAssignment c) =>
        state.Active && state.Intent == c.Intent && state.LicenseType == c.LicenseType;

    /// <summary>
    /// Streams the group's members in targeting order, a page at a time, from where the previous page of this command
    /// stopped. After <see cref="WriteContext.PageSize"/> members (a new assignment:
    /// <see cref="VppLedgerOptions.FanOutMembersPerTransaction"/>) it sets <see cref="WriteContext.ResumeCursor"/> and the
    /// runner commits and resumes after the last one, so a 100,000-member group costs bounded memory and a crash loses
    /// at most one uncommitted page. A fan-out of several phases (a migration) passes its phase: an earlier phase a
    /// resumed page already finished is skipped.
    /// </summary>
    private async Task<Handled> FanOutAsync(AssignmentState assignment, long version, int phase, Func<IReadOnlyList<GroupMember>, Task<Rejection?>> apply)
    {
        var perTransaction = context.IsPreview ? int.MaxValue
            : context.Command is CreateAssignment ? context.Options.FanOutMembersPerTransaction
            : context.PageSize;
        var after = -1L;
        if (PageCursor.ParseMembers(context.StartCursor) is { } resumed)
        {
            if (resumed.Phase > phase)
            {
                return Handled.Done;
            }

            after = resumed.Phase == phase ? resumed.Position : -1L;
        }

        var done = 0;
        await foreach (var (members, last) in MemberPagesAsync(assignment.Group, after, Math.Min(MemberPageSize, perTransaction)).ConfigureAwait(false))
        {
            if (done >= perTransaction)
            {
                context.ResumeCursor = PageCursor.Members(version, phase, after);
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

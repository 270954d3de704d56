using Marten;
using VppLedger.Assignments;
using VppLedger.Directory;
using VppLedger.Licensing;
using VppLedger.Pools;
using VppLedger.Tokens;

namespace VppLedger.Storage;

/// <summary>
/// Every command of the ledger: load what it touches, call the pure deciders, append. Storage never decides a
/// rule; it only gathers the inputs the deciders ask for and fans one decision out to the streams it reaches.
/// </summary>
internal sealed class LedgerHandlers(WriteContext context, CancellationToken cancellationToken)
{
    private readonly IDocumentSession _session = context.Session;

    public static Permissions PermissionFor(ILedgerCommand command) => command switch
    {
        ITokenCommand or UploadTokenFile or RenewTokenFile => Permissions.ManagedApps,
        ApplyAppleCounts => Permissions.ManagedApps, // a sync reports Apple's counts
        IPoolCommand or IAssignmentCommand or RevokeLicenses => Permissions.MobileApps,
        IUserCommand or IDeviceCommand or IGroupCommand or RecordDirectory => Permissions.Directory,
        _ => Permissions.All,
    };

    public Task<Handled> HandleAsync(ILedgerCommand command) => command switch
    {
        UploadTokenFile c => UploadAsync(c),
        RenewTokenFile c => RenewAsync(c),
        DeleteToken c => DeleteTokenAsync(c),
        MigrateLegacyToken c => TokenAsync(c.Token, async s => TokenDecider.Decide(c, s, await ClaimsAsync(c.Token, c.Location).ConfigureAwait(false), context.Now)),
        ChangeTokenSettings c => TokenAsync(c.Token, s => Task.FromResult(TokenDecider.Decide(c, s, context.Now))),
        RecordTokenSyncSucceeded c => TokenAsync(c.Token, s => Task.FromResult(TokenDecider.Decide(c, s, context.Now))),
        RecordTokenSyncFailed c => TokenAsync(c.Token, s => Task.FromResult(TokenDecider.Decide(c, s, context.Now))),
        MarkTokenAssignedToExternalMdm c => TokenAsync(c.Token, s => Task.FromResult(TokenDecider.Decide(c, s, context.Now))),
        TakeTokenControl c => TokenAsync(c.Token, s => Task.FromResult(TokenDecider.Decide(c, s, context.Now))),
        UploadToken or RenewToken => Task.FromResult<Handled>(new Rejection(
            "UseTokenFileCommand", "T12", "Send UploadTokenFile or RenewTokenFile with the file itself, so the ledger can keep its secret apart (rule T12).")),
        RecordUser c => UserAsync(c),
        RecordDirectory c => DirectoryAsync(c),
        RecordUserLeftOrganization c => UserLeftAsync(c),
        RecordDevice c => DeviceAsync(c.Device, s => DeviceDecider.Decide(c, s, context.Now)),
        RecordDeviceRemovedFromManagement c => DeviceAsync(c.Device, s => DeviceDecider.Decide(c, s, context.Now)), // rule R5: nothing is reclaimed
        CreateGroup c => GroupAsync(c.Group, s => Task.FromResult(GroupDecider.Decide(c, s, context.Now))),
        AddGroupMembers c => AddMembersAsync(c),
        RemoveGroupMembers c => RemoveMembersAsync(c),
        CreateAssignment c => AssignmentAsync(c),
        ChangeAssignment c => AssignmentAsync(c),
        RemoveAssignment c => AssignmentAsync(c),
        RevokeLicenses c => RevokeAsync(c),
        ApplyAppleCounts c => GatedPoolAsync(c),
        GrantLicenses c => GatedPoolAsync(c),
        MigrateToDeviceLicenses c => GatedPoolAsync(c),
        IPoolCommand c => PoolAsync(c),
        _ => throw new ArgumentException($"VppLedger has no handler for {command.GetType().Name}.", nameof(command)),
    };

    // ---- Tokens ----------------------------------------------------------------------------------------------

    private Task<WriteStream<TokenState>> TokenStreamAsync(TokenId token) =>
        context.FetchAsync<TokenDoc, TokenState>(Streams.Token(token), d => d.State, TokenState.Initial, (s, e) => TokenDecider.Evolve(s, (ITokenEvent)e), cancellationToken);

    private async Task<Handled> TokenAsync(TokenId token, Func<TokenState, Task<Decision<ITokenEvent>>> decide)
    {
        var stream = await TokenStreamAsync(token).ConfigureAwait(false);
        return stream.AppendDecided(await decide(stream.State).ConfigureAwait(false));
    }

    private async Task<Handled> UploadAsync(UploadTokenFile c)
    {
        var parsed = VppTokenFile.Parse(c.FileContent, context.Now);
        if (!parsed.IsValid)
        {
            return parsed.Error;
        }

        var file = parsed.File!;
        var location = c.Location ?? file.LocationFromOrganization;
        var tokenCount = await _session.Query<TokenDoc>().CountAsync(t => !t.Deleted, cancellationToken).ConfigureAwait(false);
        var claims = await ClaimsAsync(c.Token, location).ConfigureAwait(false);
        var command = new UploadToken(c.Token, file.Facts, location, c.ManagedAppleId, c.Settings, c.ConsentToSendDataToApple, c.TakeControlFromOtherMdm, c.Id, c.Actor);
        var handled = await TokenAsync(c.Token, s => Task.FromResult(TokenDecider.Decide(command, s, tokenCount, claims, context.Now))).ConfigureAwait(false);
        if (handled.Rejection is null && context.Changes.Count > 0)
        {
            _session.Store(new TokenSecretDoc(c.Token.Value, file.Secret.Reveal(), file.Fingerprint.Hex));
            if (claims.HeldInThisTenantBy is null)
            {
                _session.Store(new LocationClaimDoc(location.Value, location.Value, c.Token.Value));
            }
        }

        return handled;
    }

    private async Task<Handled> RenewAsync(RenewTokenFile c)
    {
        var parsed = VppTokenFile.Parse(c.FileContent, context.Now);
        if (!parsed.IsValid)
        {
            return parsed.Error;
        }

        var file = parsed.File!;
        var command = new RenewToken(c.Token, file.Facts, c.Location ?? file.LocationFromOrganization, c.Id, c.Actor);
        var handled = await TokenAsync(c.Token, s => Task.FromResult(TokenDecider.Decide(command, s, context.Now))).ConfigureAwait(false);
        if (handled.Rejection is null && context.Changes.Count > 0)
        {
            _session.Store(new TokenSecretDoc(c.Token.Value, file.Secret.Reveal(), file.Fingerprint.Hex)); // rule T8: the new secret replaces the old
        }

        return handled;
    }

    /// <summary>Rule T4: the location's claims in this tenant, and whether another tenant holds it (the one cross-tenant read, X2).</summary>
    private async Task<TokenLocationClaims> ClaimsAsync(TokenId token, LocationKey location)
    {
        var inAnotherTenant = await OtherTenantClaimsAsync(location).ConfigureAwait(false);
        var key = location.Value;
        var holders = await _session.Query<TokenDoc>()
            .Where(t => t.Location == key && !t.Deleted)
            .Select(t => t.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var other = holders.FirstOrDefault(id => id != Streams.Token(token));
        return new TokenLocationClaims(inAnotherTenant, other is null ? null : new TokenId(other["token:".Length..]));
    }

    private async Task<bool> OtherTenantClaimsAsync(LocationKey location)
    {
        await _session.Database.EnsureStorageExistsAsync(typeof(LocationClaimDoc), cancellationToken).ConfigureAwait(false);
        var sql = $"select count(*) from {context.Options.SchemaName}.mt_doc_locationclaimdoc where id = ? and tenant_id <> ?";
        var counts = await _session.QueryAsync<long>(sql, cancellationToken, location.Value, _session.TenantId).ConfigureAwait(false);
        return counts.Count > 0 && counts[0] > 0;
    }

    private async Task<Handled> DeleteTokenAsync(DeleteToken c)
    {
        var stream = await TokenStreamAsync(c.Token).ConfigureAwait(false);
        var decision = TokenDecider.Decide(c, stream.State, context.Policy, context.Now);
        if (decision.IsRejected)
        {
            return decision.Rejection;
        }

        var location = stream.State.Location;
        stream.Append(decision.Events);
        if (decision.Events.Count == 0)
        {
            return Handled.Done;
        }

        var tokenKey = c.Token.Value;
        var pools = await _session.Query<PoolDoc>().Where(p => p.TokenKey == tokenKey).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var pool in pools)
        {
            var workspace = await context.PoolAsync(pool.State.Pool, cancellationToken).ConfigureAwait(false);
            if (context.Policy.DeletingTokenRevokes)
            {
                var revoked = await RevokePoolAsync(workspace, seat => true, c).ConfigureAwait(false);
                if (revoked is not null)
                {
                    return revoked;
                }
            }

            // Rule T10: the article's default orphans the licenses; R7: they can no longer be revoked.
            var orphaned = await workspace.DecideAsync(new OrphanPool(pool.State.Pool, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
            if (orphaned.IsRejected)
            {
                return orphaned.Rejection;
            }
        }

        _session.Delete<TokenSecretDoc>(c.Token.Value);
        if (location.Value is not null)
        {
            var claim = await _session.LoadAsync<LocationClaimDoc>(location.Value, cancellationToken).ConfigureAwait(false);
            if (claim?.Token == c.Token.Value)
            {
                _session.Delete(claim);
            }
        }

        return Handled.Done;
    }

    // ---- Directory -------------------------------------------------------------------------------------------

    private Task<WriteStream<UserState>> UserStreamAsync(UserId user) =>
        context.FetchAsync<UserDoc, UserState>(Streams.User(user), d => d.State, UserState.Initial, (s, e) => UserDecider.Evolve(s, (IUserEvent)e), cancellationToken);

    private async Task<Handled> UserAsync(RecordUser c)
    {
        var stream = await UserStreamAsync(c.User).ConfigureAwait(false);
        return stream.AppendDecided(UserDecider.Decide(c, stream.State, context.Now));
    }

    // Each entry decided as its own RecordUser or RecordDevice; the first refusal refuses the command (nothing is written).
    private async Task<Handled> DirectoryAsync(RecordDirectory c)
    {
        var count = checked(c.Users.Count + c.Devices.Count);
        if (count > RecordDirectory.MaxEntriesPerCommand)
        {
            return DirectoryRejections.TooManyDirectoryEntriesInOneCommand(count);
        }

        foreach (var u in c.Users)
        {
            if ((await UserAsync(new RecordUser(u.User, u.PersonalAppleId, u.ManagedAppleId, c.Id, c.Actor)).ConfigureAwait(false)).Rejection is { } refused)
            {
                return refused;
            }
        }

        foreach (var d in c.Devices)
        {
            var one = new RecordDevice(d.Device, d.SerialNumber, d.Profile, d.User, d.SignedInAppleIdKind, c.Id, c.Actor);
            if ((await DeviceAsync(d.Device, s => DeviceDecider.Decide(one, s, context.Now)).ConfigureAwait(false)).Rejection is { } refused)
            {
                return refused;
            }
        }

        return Handled.Done;
    }

    /// <summary>Rule R4: a user who leaves the organization has every user license reclaimed, and leaves every queue.</summary>
    private async Task<Handled> UserLeftAsync(RecordUserLeftOrganization c)
    {
        var stream = await UserStreamAsync(c.User).ConfigureAwait(false);
        var decision = UserDecider.Decide(c, stream.State, context.Now);
        if (decision.IsRejected)
        {
            return decision.Rejection;
        }

        stream.Append(decision.Events);
        if (decision.Events.Count == 0)
        {
            return Handled.Done;
        }

        var owner = c.User.Value;
        var seats = await _session.Query<SeatDoc>()
            .Where(s => s.OwnerId == owner && s.Type == LicenseType.User)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var pool in seats.GroupBy(s => s.PoolKey))
        {
            var poolId = PoolOf(pool.Key);
            var workspace = await context.PoolAsync(poolId, cancellationToken).ConfigureAwait(false);
            if (workspace.State.Orphaned)
            {
                continue; // rule R7: nothing to reclaim under a deleted token
            }

            var reclaimed = await workspace.DecideAsync(
                new ReclaimLicenses(poolId, [.. pool.Select(s => Holder.FromKey(s.HolderKey))], ReclaimReason.LeftOrganization, c.Id, c.Actor),
                cancellationToken).ConfigureAwait(false);
            if (reclaimed.IsRejected)
            {
                return reclaimed.Rejection;
            }
        }

        return Handled.Done;
    }

    private async Task<Handled> DeviceAsync(DeviceId device, Func<DeviceState, Decision<IDeviceEvent>> decide)
    {
        var stream = await context.FetchAsync<DeviceDoc, DeviceState>(
            Streams.Device(device), d => d.State, DeviceState.Initial, (s, e) => DeviceDecider.Evolve(s, (IDeviceEvent)e), cancellationToken).ConfigureAwait(false);
        return stream.AppendDecided(decide(stream.State));
    }

    private Task<WriteStream<GroupState>> GroupStreamAsync(GroupId group) =>
        context.FetchAsync<GroupDoc, GroupState>(Streams.Group(group), d => d.State, GroupState.Initial, (s, e) => GroupDecider.Evolve(s, (IGroupEvent)e), cancellationToken);

    private async Task<Handled> GroupAsync(GroupId group, Func<GroupState, Task<Decision<IGroupEvent>>> decide)
    {
        var stream = await GroupStreamAsync(group).ConfigureAwait(false);
        return stream.AppendDecided(await decide(stream.State).ConfigureAwait(false));
    }

    private async Task<IReadOnlySet<GroupMember>> CurrentMembersAsync(GroupId group, IReadOnlyList<GroupMember> members)
    {
        var ids = members.Select(m => Streams.Member(group, m)).Distinct(StringComparer.Ordinal).ToList();
        var docs = ids.Count == 0 ? [] : await _session.LoadManyAsync<MemberDoc>(cancellationToken, ids).ConfigureAwait(false);
        return docs.Select(d => new GroupMember(d.Kind, d.MemberId)).ToHashSet();
    }

    /// <summary>New members of a targeted group get licenses in every pool an assignment of the group reaches (A6: in targeting order).</summary>
    private async Task<Handled> AddMembersAsync(AddGroupMembers c)
    {
        var current = await CurrentMembersAsync(c.Group, c.Members).ConfigureAwait(false);
        var stream = await GroupStreamAsync(c.Group).ConfigureAwait(false);
        var decision = GroupDecider.Decide(c, stream.State, current, context.Now);
        if (decision.IsRejected)
        {
            return decision.Rejection;
        }

        stream.Append(decision.Events);
        var added = decision.Events.OfType<GroupMembersAdded>().SelectMany(e => e.Members).OrderBy(m => m.Position).Select(m => m.Member).ToList();
        if (added.Count == 0)
        {
            return Handled.Done;
        }

        foreach (var assignment in await AssignmentsOfGroupAsync(c.Group).ConfigureAwait(false))
        {
            var granted = await GrantToMembersAsync(assignment, added, c).ConfigureAwait(false);
            if (granted is not null)
            {
                return granted;
            }
        }

        return Handled.Done;
    }

    /// <summary>Rule R4: members no longer in any group targeted with the app have its license reclaimed (and leave its queue).</summary>
    private async Task<Handled> RemoveMembersAsync(RemoveGroupMembers c)
    {
        var current = await CurrentMembersAsync(c.Group, c.Members).ConfigureAwait(false);
        var stream = await GroupStreamAsync(c.Group).ConfigureAwait(false);
        var decision = GroupDecider.Decide(c, stream.State, current, context.Now);
        if (decision.IsRejected)
        {
            return decision.Rejection;
        }

        stream.Append(decision.Events);
        var removed = decision.Events.OfType<GroupMembersRemoved>().SelectMany(e => e.Members).ToList();
        if (removed.Count == 0)
        {
            return Handled.Done;
        }

        foreach (var assignment in await AssignmentsOfGroupAsync(c.Group).ConfigureAwait(false))
        {
            var reclaimed = await ReclaimFromMembersAsync(assignment, removed, ReclaimReason.NoLongerTargeted, c, stillTargetedCheck: true).ConfigureAwait(false);
            if (reclaimed is not null)
            {
                return reclaimed;
            }
        }

        return Handled.Done;
    }

    private async Task<IReadOnlyList<AssignmentState>> AssignmentsOfGroupAsync(GroupId group)
    {
        var key = group.Value;
        var docs = await _session.Query<AssignmentDoc>()
            .Where(a => a.GroupKey == key && a.State.Active)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. docs.Select(d => d.State).Where(s => s.WantsLicenses).OrderBy(s => Streams.Pool(s.Pool), StringComparer.Ordinal)];
    }

    // ---- Assignments -----------------------------------------------------------------------------------------

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
            var decision = AssignmentDecider.Decide(c, before, context.Now);
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
        return effect.Action switch
        {
            MemberLicenseAction.Grant => await FanOutAsync(stream.State, members => GrantToMembersAsync(stream.State, members, c), batched: c is CreateAssignment).ConfigureAwait(false),
            MemberLicenseAction.Reclaim => await FanOutAsync(before, members => ReclaimFromMembersAsync(before, members, effect.Reason!.Value, c, stillTargetedCheck: c is RemoveAssignment)).ConfigureAwait(false),
            MemberLicenseAction.MigrateToDevice => await FanOutAsync(stream.State, members => MigrateMembersAsync(stream.State, members, c)).ConfigureAwait(false),
            _ => Handled.Done,
        };
    }

    private static bool IsSameAssignment(AssignmentState state, CreateAssignment c) =>
        state.Active && state.Target == c.Target && state.Intent == c.Intent && state.LicenseType == c.LicenseType;

    /// <summary>
    /// Streams the group's members in targeting order, a page at a time. A batched fan-out (a new assignment) stops
    /// after <see cref="VppLedgerOptions.FanOutMembersPerTransaction"/> members and the runner commits and resumes after the last one,
    /// so a 100,000-member group costs bounded memory and a crash loses at most one uncommitted batch.
    /// </summary>
    private async Task<Handled> FanOutAsync(AssignmentState assignment, Func<IReadOnlyList<GroupMember>, Task<Rejection?>> apply, bool batched = false)
    {
        var perTransaction = context.Options.FanOutMembersPerTransaction;
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
        var token = await TokenStreamAsync(assignment.Pool.Token).ConfigureAwait(false);
        if (TokenRules.CheckCanSyncOrGrant(token.State, context.Now) is { } blocked)
        {
            return blocked; // rules T2, T3, T10: no grant through an expired, external or deleted token
        }

        var workspace = await context.PoolAsync(assignment.Pool, cancellationToken).ConfigureAwait(false);
        var holders = await HoldersOfAsync(assignment, workspace.State.Product, members).ConfigureAwait(false);
        if (holders.Count == 0)
        {
            return null;
        }

        var decision = await workspace.DecideAsync(new GrantLicenses(assignment.Pool, holders, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
        return decision.Rejection;
    }

    private async Task<Rejection?> ReclaimFromMembersAsync(AssignmentState assignment, IReadOnlyList<GroupMember> members, ReclaimReason reason, ILedgerCommand c, bool stillTargetedCheck)
    {
        var workspace = await context.PoolAsync(assignment.Pool, cancellationToken).ConfigureAwait(false);
        if (workspace.State.Orphaned)
        {
            return null; // rule R7
        }

        var holders = await HoldersOfAsync(assignment, workspace.State.Product, members, warn: false).ConfigureAwait(false);
        if (stillTargetedCheck)
        {
            var stillTargeted = await HoldersStillTargetedAsync(assignment, workspace.State.Product, members).ConfigureAwait(false);
            holders = [.. holders.Where(h => !stillTargeted(h))];
        }

        var seats = await workspace.SeatsAsync(holders, cancellationToken).ConfigureAwait(false);
        holders = [.. holders.Where(h => seats[h.Key].Status != SeatStatus.None)];
        if (holders.Count == 0)
        {
            return null;
        }

        var decision = await workspace.DecideAsync(new ReclaimLicenses(assignment.Pool, holders, reason, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
        return decision.Rejection;
    }

    /// <summary>Rule L8: each member's user license becomes device licenses on the user's devices, in one decision per member.</summary>
    private async Task<Rejection?> MigrateMembersAsync(AssignmentState assignment, IReadOnlyList<GroupMember> members, ILedgerCommand c)
    {
        var workspace = await context.PoolAsync(assignment.Pool, cancellationToken).ConfigureAwait(false);
        foreach (var member in members)
        {
            var userHolders = await HoldersOfAsync(assignment with { LicenseType = LicenseType.User }, workspace.State.Product, [member], warn: false).ConfigureAwait(false);
            var deviceHolders = await HoldersOfAsync(assignment, workspace.State.Product, [member]).ConfigureAwait(false);
            var seats = await workspace.SeatsAsync(userHolders, cancellationToken).ConfigureAwait(false);
            var from = userHolders.FirstOrDefault(h => seats[h.Key].Status == SeatStatus.Granted);
            if (from is null || deviceHolders.Count == 0)
            {
                if (deviceHolders.Count > 0)
                {
                    var granted = await workspace.DecideAsync(new GrantLicenses(assignment.Pool, deviceHolders, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
                    if (granted.IsRejected)
                    {
                        return granted.Rejection;
                    }
                }

                continue;
            }

            var decision = await workspace.DecideAsync(new MigrateToDeviceLicenses(assignment.Pool, from, deviceHolders, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
            if (decision.IsRejected)
            {
                return decision.Rejection;
            }

            var others = userHolders.Where(h => h != from && seats[h.Key].Status != SeatStatus.None).ToList();
            if (others.Count > 0)
            {
                var reclaimed = await workspace.DecideAsync(new ReclaimLicenses(assignment.Pool, others, ReclaimReason.MigratedToDeviceLicense, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
                if (reclaimed.IsRejected)
                {
                    return reclaimed.Rejection;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Whether a holder is still targeted with the pool's app by another active assignment (R4 reclaims only when none
    /// is left). Costs O(members leaving): only the leaving members, their devices and their devices' users are looked
    /// up in the other assigned groups, never the other groups' whole membership.
    /// </summary>
    private async Task<Func<Holder, bool>> HoldersStillTargetedAsync(AssignmentState leaving, ProductKind product, IReadOnlyList<GroupMember> members)
    {
        var poolKey = Streams.Pool(leaving.Pool);
        var groupKey = leaving.Group.Value;
        var others = (await _session.Query<AssignmentDoc>()
                .Where(a => a.PoolKey == poolKey && a.GroupKey != groupKey && a.State.Active)
                .ToListAsync(cancellationToken).ConfigureAwait(false))
            .Select(d => d.State)
            .Where(s => s.WantsLicenses)
            .ToList();
        if (others.Count == 0)
        {
            return _ => false;
        }

        var related = new HashSet<GroupMember>(members);
        var users = members.Where(m => m.Kind == GroupKind.User).Select(m => m.Id).ToList();
        if (users.Count > 0)
        {
            var owned = await _session.Query<DeviceDoc>().Where(d => d.UserKey != null && users.Contains(d.UserKey)).ToListAsync(cancellationToken).ConfigureAwait(false);
            related.UnionWith(owned.Select(d => GroupMember.ForDevice(d.State.Id!.Value)));
        }

        var deviceIds = members.Where(m => m.Kind == GroupKind.Device).Select(m => Streams.Device(new DeviceId(m.Id))).ToList();
        if (deviceIds.Count > 0)
        {
            var devices = await _session.LoadManyAsync<DeviceDoc>(cancellationToken, deviceIds).ConfigureAwait(false);
            related.UnionWith(devices.Where(d => d.State.User is not null).Select(d => GroupMember.ForUser(d.State.User!.Value)));
        }

        var targeted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var other in others)
        {
            var found = await _session.LoadManyAsync<MemberDoc>(cancellationToken, related.Select(m => Streams.Member(other.Group, m))).ConfigureAwait(false);
            var stillIn = found.Select(d => new GroupMember(d.Kind, d.MemberId)).ToList();
            foreach (var holder in await HoldersOfAsync(other, product, stillIn, warn: false).ConfigureAwait(false))
            {
                targeted.Add(holder.Key);
            }
        }

        return h => targeted.Contains(h.Key);
    }

    /// <summary>The group's members in targeting order, a page at a time, after a position.</summary>
    private async IAsyncEnumerable<(IReadOnlyList<GroupMember> Members, long Last)> MemberPagesAsync(GroupId group, long after = -1, int pageSize = MemberPageSize)
    {
        var groupKey = Streams.Group(group);
        while (true)
        {
            var position = after;
            var page = await _session.Query<MemberDoc>()
                .Where(m => m.GroupKey == groupKey && m.Position > position)
                .OrderBy(m => m.Position)
                .Take(pageSize)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                yield break;
            }

            after = page[^1].Position;
            yield return ([.. page.Select(m => new GroupMember(m.Kind, m.MemberId))], after);
        }
    }

    /// <summary>
    /// The holders a page of members yields for an assignment (L2-L7 decided by <see cref="LicenseHolders"/>), in
    /// targeting order. Users and devices are read in one query each; a member refused for a reason of its own is
    /// reported as a warning and skipped.
    /// </summary>
    private async Task<List<Holder>> HoldersOfAsync(AssignmentState assignment, ProductKind product, IReadOnlyList<GroupMember> members, bool warn = true)
    {
        var userIds = members.Where(m => m.Kind == GroupKind.User).Select(m => Streams.User(new UserId(m.Id))).ToList();
        var deviceIds = members.Where(m => m.Kind == GroupKind.Device).Select(m => Streams.Device(new DeviceId(m.Id))).ToList();
        var users = (userIds.Count == 0 ? [] : await _session.LoadManyAsync<UserDoc>(cancellationToken, userIds).ConfigureAwait(false))
            .ToDictionary(u => u.Id, u => u.State, StringComparer.Ordinal);
        var devices = (deviceIds.Count == 0 ? [] : await _session.LoadManyAsync<DeviceDoc>(cancellationToken, deviceIds).ConfigureAwait(false))
            .ToDictionary(d => d.Id, d => d.State, StringComparer.Ordinal);

        // A device license for a user group goes to each of the user's devices.
        var devicesOfUsers = new Dictionary<string, List<DeviceState>>(StringComparer.Ordinal);
        if (assignment.LicenseType == LicenseType.Device && users.Count > 0)
        {
            var owners = users.Values.Where(u => u.Id is not null).Select(u => u.Id!.Value.Value).ToList();
            var owned = await _session.Query<DeviceDoc>().Where(d => d.UserKey != null && owners.Contains(d.UserKey)).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var d in owned.OrderBy(d => d.Id, StringComparer.Ordinal))
            {
                if (!devicesOfUsers.TryGetValue(d.UserKey!, out var list))
                {
                    devicesOfUsers[d.UserKey!] = list = [];
                }

                list.Add(d.State);
            }
        }

        var holders = new List<Holder>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            foreach (var target in TargetsOf(member, users, devices, devicesOfUsers))
            {
                var result = target.Member is null
                    ? MemberHolders.Refused(target.Missing!)
                    : LicenseHolders.For(assignment.Pool, product, assignment.LicenseType, target.Member);
                if (result.IsRefused)
                {
                    if (warn)
                    {
                        context.Warnings.Add(result.Refusal!);
                    }

                    continue;
                }

                holders.AddRange(result.Holders.Where(h => seen.Add(h.Key)));
            }
        }

        return holders;
    }

    private static IEnumerable<(TargetedMember? Member, Rejection? Missing)> TargetsOf(
        GroupMember member,
        Dictionary<string, UserState> users,
        Dictionary<string, DeviceState> devices,
        Dictionary<string, List<DeviceState>> devicesOfUsers)
    {
        if (member.Kind == GroupKind.User)
        {
            if (!users.TryGetValue(Streams.User(new UserId(member.Id)), out var user) || !user.Recorded)
            {
                yield return (null, NotRecorded("User", member.Id));
                yield break;
            }

            if (user.LeftOrganization)
            {
                yield break; // rule R4: nobody who left gets a license
            }

            var kinds = user.Holders().Select(h => h.AppleIdKind!.Value).ToList();
            if (devicesOfUsers.TryGetValue(member.Id, out var owned))
            {
                foreach (var device in owned.Where(d => !d.RemovedFromManagement && d.Profile is not null))
                {
                    yield return (TargetedMember.ForDevice(device.Id!.Value, device.Profile!, user.Id, kinds), null);
                }

                yield break;
            }

            yield return (TargetedMember.ForUser(user.Id!.Value, kinds), null);
            yield break;
        }

        if (!devices.TryGetValue(Streams.Device(new DeviceId(member.Id)), out var state) || !state.Recorded || state.Profile is null)
        {
            yield return (null, NotRecorded("Device", member.Id));
            yield break;
        }

        if (state.RemovedFromManagement)
        {
            yield break; // rule R5 keeps what it holds; a device out of management gets nothing new
        }

        yield return (TargetedMember.ForDevice(state.Id!.Value, state.Profile, state.User, []), null);
    }

    private static Rejection NotRecorded(string what, string id) => new(
        "MemberNotRecorded",
        "A1",
        $"{what} '{id}' is a group member but was never recorded in the directory, so it got no license. Record it (RecordUser or RecordDevice), then add it to the group again.");

    // ---- Pools and revocation --------------------------------------------------------------------------------

    private async Task<Handled> GatedPoolAsync(IPoolCommand c)
    {
        var token = await TokenStreamAsync(c.Pool.Token).ConfigureAwait(false);
        if (TokenRules.CheckCanSyncOrGrant(token.State, context.Now) is { } blocked)
        {
            var pool = await context.PoolAsync(c.Pool, cancellationToken).ConfigureAwait(false);
            if (!pool.State.Orphaned)
            {
                return blocked; // rules T2, T3: an expired or external token neither syncs nor grants
            }
        }

        return await PoolAsync(c).ConfigureAwait(false);
    }

    private async Task<Handled> PoolAsync(IPoolCommand c)
    {
        var workspace = await context.PoolAsync(c.Pool, cancellationToken).ConfigureAwait(false);
        var decision = await workspace.DecideAsync(c, cancellationToken).ConfigureAwait(false);
        return decision.Rejection;
    }

    private async Task<Handled> RevokeAsync(RevokeLicenses c)
    {
        IReadOnlyList<SeatDoc> seats;
        switch (c.Scope)
        {
            case RevocationScope.App:
                var poolKey = "pool:" + c.Target;
                var pool = PoolOf(poolKey);
                var workspace = await context.PoolAsync(pool, cancellationToken).ConfigureAwait(false);
                return await RevokePoolAsync(workspace, _ => true, c).ConfigureAwait(false);
            case RevocationScope.Token:
                var tokenKey = new TokenId(c.Target).Value;
                var pools = await _session.Query<PoolDoc>().Where(p => p.TokenKey == tokenKey).ToListAsync(cancellationToken).ConfigureAwait(false);
                foreach (var p in pools.OrderBy(p => p.Id, StringComparer.Ordinal))
                {
                    var revoked = await RevokePoolAsync(await context.PoolAsync(p.State.Pool, cancellationToken).ConfigureAwait(false), _ => true, c).ConfigureAwait(false);
                    if (revoked is not null)
                    {
                        return revoked;
                    }
                }

                return Handled.Done;
            case RevocationScope.User:
                var user = new UserId(c.Target).Value;
                seats = await _session.Query<SeatDoc>().Where(s => s.OwnerId == user && s.Type == LicenseType.User).ToListAsync(cancellationToken).ConfigureAwait(false);
                break;
            default:
                var device = new DeviceId(c.Target).Value;
                seats = await _session.Query<SeatDoc>().Where(s => s.OwnerId == device && s.Type == LicenseType.Device).ToListAsync(cancellationToken).ConfigureAwait(false);
                break;
        }

        foreach (var group in seats.GroupBy(s => s.PoolKey).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var workspace = await context.PoolAsync(PoolOf(group.Key), cancellationToken).ConfigureAwait(false);
            if (workspace.State.Orphaned)
            {
                context.Warnings.Add(PoolRejections.LicensesOrphanedTokenDeleted(workspace.Pool)); // rule R7: these stay out
                continue;
            }

            // One user's or device's licenses: the seats they free go to the head of the queue (A6).
            var decision = await workspace.DecideAsync(
                new ReclaimLicenses(workspace.Pool, [.. group.Select(s => Holder.FromKey(s.HolderKey))], ReclaimReason.Revoked, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
            if (decision.IsRejected)
            {
                return decision.Rejection;
            }
        }

        return Handled.Done;
    }

    /// <summary>Revokes every granted and queued holder of a pool, a page at a time (R1).</summary>
    private async Task<Rejection?> RevokePoolAsync(PoolWorkspace workspace, Func<SeatDoc, bool> include, ILedgerCommand c)
    {
        var poolKey = Streams.Pool(workspace.Pool);
        var seats = await _session.Query<SeatDoc>().Where(s => s.PoolKey == poolKey).OrderBy(s => s.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var holders = seats.Where(include).Select(s => Holder.FromKey(s.HolderKey)).ToList();
        if (holders.Count == 0 && !workspace.State.Orphaned)
        {
            return null;
        }

        var decision = await workspace.DecideAsync(new RevokeAllLicenses(workspace.Pool, holders, c.Id, c.Actor), cancellationToken).ConfigureAwait(false);
        return decision.Rejection;
    }

    internal static PoolId PoolOf(string poolKey)
    {
        var parts = poolKey.Split(':');
        if (parts.Length != 3 || parts[0] != "pool")
        {
            throw new ArgumentException($"'{poolKey}' is not a pool; write it as {{tokenId}}:{{adamId}}.", nameof(poolKey));
        }

        return new PoolId(new TokenId(parts[1]), new AdamId(parts[2]));
    }
}

using System.Text.RegularExpressions;
using Mlops.Domain.Common;
using Mlops.Domain.Models;

namespace Mlops.Domain.Deployments;

/// <summary>
/// The rules of endpoints and their revisions. Every operation is a pure function from an endpoint to a new one:
/// it appends a revision and/or a history entry and never removes either.
/// Deploy, canary, shadow and rollback create a <see cref="RevisionState.Pending"/> revision that takes no traffic until
/// <see cref="MarkLive"/>; <see cref="MarkFailed"/> leaves the live configuration as it was. While a revision is pending,
/// only scaling and undeploying are allowed, so a health check always answers for the configuration it was started for.
/// </summary>
public static partial class EndpointRules
{
    public const int MaxNameLength = 63;
    public const int MinReplicas = 1;
    public const int MaxReplicas = 64;
    public const int MinCanaryPercent = 1;
    public const int MaxCanaryPercent = 99;
    public const int MaxByLength = 256;
    public const int MaxReasonLength = 1000;
    public const int MaxErrorLength = 4000;

    // Endpoint names appear in URLs, so they keep to what a DNS label allows.
    [GeneratedRegex(@"^[a-z][a-z0-9\-]{0,62}\z")]
    private static partial Regex NameGrammar();

    public static string CheckName(string? name)
    {
        if (string.IsNullOrEmpty(name) || !NameGrammar().IsMatch(name))
        {
            throw MlopsException.Invalid(
                $"Invalid endpoint name '{name}': use 1 to {MaxNameLength} lowercase letters, digits or '-', starting with a letter.");
        }

        return name;
    }

    /// <summary>The canonical form of a model URI (models:/name/version, models:/name@alias, models:/name/stage, runs:/id/path).</summary>
    public static string CheckModelUri(string? uri) => ModelUri.Parse(uri).ToString();

    public static Endpoint Create(string name, long createdAt) =>
        new(CheckName(name), EndpointState.Active, [], createdAt, []);

    /// <summary>A new primary that, once live, is the only live revision at 100 %.</summary>
    public static Endpoint Deploy(Endpoint endpoint, string modelUri, ChangeNote note, ResolvedModel? resolved = null, int replicas = MinReplicas)
    {
        RequireChangeable(endpoint, "deploy");
        var uri = CheckModel(modelUri, resolved);
        CheckReplicas(replicas);
        var revision = NewRevision(endpoint, uri, resolved, RevisionRole.Primary, 100, replicas, CheckNote(note));
        return Append(endpoint, revision, ChangeKind.Deployed, note, $"revision {revision.Number} deploys {uri} as the primary");
    }

    /// <summary>A canary that, once live, answers <paramref name="percent"/> % of the requests; the primary keeps the rest.</summary>
    public static Endpoint Canary(Endpoint endpoint, string modelUri, int percent, ChangeNote note, ResolvedModel? resolved = null, int replicas = MinReplicas)
    {
        if (percent is < MinCanaryPercent or > MaxCanaryPercent)
        {
            throw MlopsException.Invalid($"A canary takes {MinCanaryPercent} to {MaxCanaryPercent} % of the traffic; got {percent}.");
        }

        RequireChangeable(endpoint, "start a canary");
        RequirePrimary(endpoint, "start a canary");
        var uri = CheckModel(modelUri, resolved);
        CheckReplicas(replicas);
        var revision = NewRevision(endpoint, uri, resolved, RevisionRole.Canary, percent, replicas, CheckNote(note));
        return Append(endpoint, revision, ChangeKind.CanaryStarted, note, $"revision {revision.Number} deploys {uri} as a canary at {percent} %");
    }

    /// <summary>A shadow that, once live, receives a copy of the primary's traffic and carries no weight.</summary>
    public static Endpoint Shadow(Endpoint endpoint, string modelUri, ChangeNote note, ResolvedModel? resolved = null, int replicas = MinReplicas)
    {
        RequireChangeable(endpoint, "start a shadow");
        RequirePrimary(endpoint, "start a shadow");
        var uri = CheckModel(modelUri, resolved);
        CheckReplicas(replicas);
        var revision = NewRevision(endpoint, uri, resolved, RevisionRole.Shadow, 0, replicas, CheckNote(note));
        return Append(endpoint, revision, ChangeKind.ShadowStarted, note, $"revision {revision.Number} deploys {uri} as a shadow");
    }

    /// <summary>
    /// The live canary or shadow (the canary when <paramref name="revision"/> is null and both exist) becomes the primary at 100 %.
    /// The old primary and any other canary are retired; a shadow that is not promoted keeps receiving its copy.
    /// It is already live and healthy, so no health check is needed.
    /// </summary>
    public static Endpoint Promote(Endpoint endpoint, ChangeNote note, int? revision = null)
    {
        RequireChangeable(endpoint, "promote");
        var primary = RequirePrimary(endpoint, "promote");
        var target = revision is { } number
            ? Find(endpoint, number)
            : endpoint.Canary ?? endpoint.Revisions.FirstOrDefault(r => r.IsLive && r.Role == RevisionRole.Shadow)
              ?? throw Conflict($"Endpoint '{endpoint.Name}' has no live canary or shadow to promote.");
        if (!target.IsLive || target.Role == RevisionRole.Primary)
        {
            throw Conflict($"Revision {target.Number} of endpoint '{endpoint.Name}' is a {Describe(target)}; only a live canary or shadow can be promoted.");
        }

        CheckNote(note);
        var promoted = Update(endpoint, r =>
            r.Number == target.Number ? r with { Role = RevisionRole.Primary, Weight = 100, RequestedWeight = 100 }
            : r.IsLive && r.Role != RevisionRole.Shadow ? Retire(r)
            : r);
        return Record(promoted, ChangeKind.Promoted, target.Number, note,
            $"revision {target.Number} ({target.ModelUri}) is the primary at 100 %; revision {primary.Number} is retired");
    }

    /// <summary>
    /// The configuration of the primary before the current one (model, resolved version, replicas) is deployed again as a
    /// new pending primary; once live it is the only live revision. Rolling back twice returns to where one started.
    /// </summary>
    public static Endpoint Rollback(Endpoint endpoint, ChangeNote note)
    {
        RequireChangeable(endpoint, "roll back");
        var lineage = PrimaryLineage(endpoint);
        if (lineage.Count < 2 || endpoint.Primary is null)
        {
            throw Conflict($"Endpoint '{endpoint.Name}' has no previous primary to roll back to.");
        }

        var previous = Find(endpoint, lineage[^2]);
        var revision = NewRevision(endpoint, previous.ModelUri, previous.ResolvedModel, RevisionRole.Primary, 100, previous.Replicas, CheckNote(note))
            with { RestoredFrom = previous.Number };
        return Append(endpoint, revision, ChangeKind.RolledBack, note,
            $"revision {revision.Number} restores revision {previous.Number} ({previous.ModelUri}) as the primary");
    }

    public static Endpoint Scale(Endpoint endpoint, int revision, int replicas, ChangeNote note)
    {
        RequireActive(endpoint, "scale");
        CheckReplicas(replicas);
        var target = Find(endpoint, revision);
        if (target.State is not (RevisionState.Live or RevisionState.Pending))
        {
            throw Conflict($"Revision {revision} of endpoint '{endpoint.Name}' is {target.State.ToWire()}; only a pending or live revision can be scaled.");
        }

        CheckNote(note);
        var scaled = Update(endpoint, r => r.Number == revision ? r with { Replicas = replicas } : r);
        return Record(scaled, ChangeKind.Scaled, revision, note, $"revision {revision} scales from {target.Replicas} to {replicas} replicas");
    }

    /// <summary>Changes the endpoint's settings (prediction logging, alias following); its revisions are untouched.</summary>
    public static Endpoint Configure(Endpoint endpoint, EndpointSettings settings, ChangeNote note)
    {
        RequireActive(endpoint, "be configured");
        settings.Check();
        CheckNote(note);
        return Record(endpoint with { Settings = settings }, ChangeKind.Configured, null, note, settings.Describe());
    }

    /// <summary>
    /// Alias following: when the endpoint follows its primary's moving reference (alias, stage or latest) and that
    /// reference now resolves to <paramref name="current"/>, a new primary for it is deployed (pending its health check).
    /// Otherwise the endpoint is returned unchanged (the same instance): following is off, the primary is pinned to a
    /// version, it already serves that version, a change is pending, a canary or shadow is live (a rollout in progress
    /// is left to whoever started it), or that very version already failed its health check here (no retry loop).
    /// </summary>
    public static Endpoint FollowAlias(Endpoint endpoint, ResolvedModel current, ChangeNote note)
    {
        if (!endpoint.Settings.FollowAlias || endpoint.State == EndpointState.Deleted || endpoint.Pending is not null
            || endpoint.Primary is not { } primary || !IsMoving(primary.ModelUri) || primary.ResolvedModel == current
            || endpoint.Revisions.Any(r => r.IsLive && r.Role != RevisionRole.Primary)
            || endpoint.Revisions.Any(r => r.State == RevisionState.Failed && r.ModelUri == primary.ModelUri && r.ResolvedModel == current))
        {
            return endpoint;
        }

        return Deploy(endpoint, primary.ModelUri, note, current, primary.Replicas);
    }

    /// <summary>Whether a model URI can resolve to another version later (an alias, a stage, latest).</summary>
    public static bool IsMoving(string modelUri) => ModelUri.Parse(modelUri).Kind is ModelUriKind.Alias or ModelUriKind.Stage or ModelUriKind.Latest;

    /// <summary>Retires every pending and live revision and marks the endpoint deleted; its history stays.</summary>
    public static Endpoint Undeploy(Endpoint endpoint, ChangeNote note)
    {
        RequireActive(endpoint, "undeploy");
        CheckNote(note);
        var retired = Update(endpoint, r => r.State is RevisionState.Live or RevisionState.Pending ? Retire(r) : r) with { State = EndpointState.Deleted };
        return Record(retired, ChangeKind.Undeployed, null, note, "every revision is retired; the endpoint takes no traffic");
    }

    /// <summary>
    /// The pending revision passed its health check and takes its requested weight: a primary replaces every live
    /// revision, a canary replaces the live canary and takes its share from the primary, a shadow replaces the live shadow.
    /// </summary>
    public static Endpoint MarkLive(Endpoint endpoint, int revision, ChangeNote note)
    {
        RequireActive(endpoint, "mark a revision live");
        var target = RequirePending(endpoint, revision);
        CheckNote(note);
        switch (target.Role)
        {
            case RevisionRole.Primary:
                var replaced = endpoint.Revisions.Where(r => r.IsLive).Select(r => r.Number).ToList();
                var live = Update(endpoint, r => r.Number == revision ? GoLive(r) : r.IsLive ? Retire(r) : r);
                return Record(live, ChangeKind.HealthCheckPassed, revision, note,
                    $"revision {revision} is the primary at 100 %" + (replaced.Count == 0 ? "" : $"; revision(s) {string.Join(", ", replaced)} retired"));

            case RevisionRole.Canary:
                var primary = RequirePrimary(endpoint, "start a canary");
                var canary = Update(endpoint, r =>
                    r.Number == revision ? GoLive(r)
                    : r.Number == primary.Number ? r with { Weight = 100 - target.RequestedWeight }
                    : r.IsLive && r.Role == RevisionRole.Canary ? Retire(r)
                    : r);
                return Record(canary, ChangeKind.HealthCheckPassed, revision, note,
                    $"revision {revision} is a canary at {target.RequestedWeight} %; revision {primary.Number} keeps {100 - target.RequestedWeight} %");

            default:
                var shadow = Update(endpoint, r =>
                    r.Number == revision ? GoLive(r)
                    : r.IsLive && r.Role == RevisionRole.Shadow ? Retire(r)
                    : r);
                return Record(shadow, ChangeKind.HealthCheckPassed, revision, note, $"revision {revision} shadows the primary");
        }
    }

    /// <summary>The pending revision failed its health check: it never takes traffic, and the live configuration is untouched.</summary>
    public static Endpoint MarkFailed(Endpoint endpoint, int revision, string error, ChangeNote note)
    {
        RequireActive(endpoint, "mark a revision failed");
        RequirePending(endpoint, revision);
        if (string.IsNullOrWhiteSpace(error))
        {
            throw MlopsException.Invalid("Say why the health check failed.");
        }

        CheckNote(note);
        var why = error.Length > MaxErrorLength ? error[..MaxErrorLength] : error;
        var failed = Update(endpoint, r => r.Number == revision ? r with { State = RevisionState.Failed, Weight = 0, Error = why } : r);
        return Record(failed, ChangeKind.HealthCheckFailed, revision, note, $"revision {revision} failed its health check: {why}");
    }

    /// <summary>
    /// The revisions that answer requests, primary first, with weights summing to exactly 100; empty when the endpoint is
    /// undeployed or nothing is live yet. Shadows are not part of the split (see <see cref="ShadowTargets"/>).
    /// </summary>
    public static IReadOnlyList<Revision> TrafficSplit(Endpoint endpoint)
    {
        if (endpoint.State == EndpointState.Deleted)
        {
            return [];
        }

        List<Revision> split = [.. endpoint.Revisions.Where(r => r.IsLive && r.Weight > 0).OrderBy(r => r.Role).ThenBy(r => r.Number)];
        var total = split.Sum(r => r.Weight);
        return split.Count == 0 || total == 100
            ? split
            : throw new InvalidOperationException($"The live weights of endpoint '{endpoint.Name}' sum to {total}, not 100.");
    }

    /// <summary>The live shadows: each receives a copy of every request, and its answers are logged, never returned.</summary>
    public static IReadOnlyList<Revision> ShadowTargets(Endpoint endpoint) =>
        endpoint.State == EndpointState.Deleted ? [] : [.. endpoint.Revisions.Where(r => r.IsLive && r.Role == RevisionRole.Shadow)];

    /// <summary>The revisions that became the live primary, in order; the last is the current primary.</summary>
    public static IReadOnlyList<int> PrimaryLineage(Endpoint endpoint)
    {
        var createdAsPrimary = endpoint.History
            .Where(c => c.Kind is ChangeKind.Deployed or ChangeKind.RolledBack)
            .Select(c => c.Revision)
            .ToHashSet();
        return [.. endpoint.History
            .Where(c => c.Kind == ChangeKind.Promoted || (c.Kind == ChangeKind.HealthCheckPassed && createdAsPrimary.Contains(c.Revision)))
            .Select(c => c.Revision!.Value)];
    }

    public static string ToWire(this RevisionRole role) => role.ToString().ToLowerInvariant();

    public static string ToWire(this RevisionState state) => state.ToString().ToLowerInvariant();

    public static string ToWire(this EndpointState state) => state.ToString().ToLowerInvariant();

    public static string ToWire(this ChangeKind kind) => kind switch
    {
        ChangeKind.Deployed => "deployed",
        ChangeKind.CanaryStarted => "canary_started",
        ChangeKind.ShadowStarted => "shadow_started",
        ChangeKind.Promoted => "promoted",
        ChangeKind.RolledBack => "rolled_back",
        ChangeKind.Scaled => "scaled",
        ChangeKind.Undeployed => "undeployed",
        ChangeKind.HealthCheckPassed => "health_check_passed",
        ChangeKind.Configured => "configured",
        _ => "health_check_failed",
    };

    private static string CheckModel(string modelUri, ResolvedModel? resolved)
    {
        var parsed = ModelUri.Parse(modelUri);
        if (resolved is null)
        {
            return parsed.ToString();
        }

        if (resolved.Version < 1 || string.IsNullOrEmpty(resolved.Name))
        {
            throw MlopsException.Invalid($"A resolved model needs a name and a version of 1 or more; got '{resolved.Name}' version {resolved.Version}.");
        }

        if (parsed.Kind != ModelUriKind.Run
            && (!string.Equals(parsed.Name, resolved.Name, StringComparison.Ordinal) || (parsed.Version is { } v && v != resolved.Version)))
        {
            throw MlopsException.Invalid($"{parsed} cannot resolve to model '{resolved.Name}' version {resolved.Version}.");
        }

        return parsed.ToString();
    }

    private static void CheckReplicas(int replicas)
    {
        if (replicas is < MinReplicas or > MaxReplicas)
        {
            throw MlopsException.Invalid($"A revision runs {MinReplicas} to {MaxReplicas} replicas; got {replicas}.");
        }
    }

    private static ChangeNote CheckNote(ChangeNote note)
    {
        if (string.IsNullOrWhiteSpace(note.By) || note.By.Length > MaxByLength)
        {
            throw MlopsException.Invalid($"Every change names who made it (1 to {MaxByLength} characters).");
        }

        return (note.Reason ?? "").Length > MaxReasonLength
            ? throw MlopsException.Invalid($"A reason is at most {MaxReasonLength} characters; got {note.Reason!.Length}.")
            : note;
    }

    private static void RequireActive(Endpoint endpoint, string what)
    {
        if (endpoint.State == EndpointState.Deleted)
        {
            throw Conflict($"Endpoint '{endpoint.Name}' is undeployed; it cannot {what}.");
        }
    }

    private static void RequireChangeable(Endpoint endpoint, string what)
    {
        RequireActive(endpoint, what);
        if (endpoint.Pending is { } pending)
        {
            throw Conflict(
                $"Revision {pending.Number} of endpoint '{endpoint.Name}' is still pending its health check; mark it live or failed before you {what}.");
        }
    }

    private static Revision RequirePrimary(Endpoint endpoint, string what) =>
        endpoint.Primary ?? throw Conflict($"Endpoint '{endpoint.Name}' has no live primary revision; deploy a model before you {what}.");

    private static Revision RequirePending(Endpoint endpoint, int revision)
    {
        var target = Find(endpoint, revision);
        return target.State == RevisionState.Pending
            ? target
            : throw Conflict($"Revision {revision} of endpoint '{endpoint.Name}' is {target.State.ToWire()}; only a pending revision has a health check to pass or fail.");
    }

    private static Revision Find(Endpoint endpoint, int revision) =>
        revision >= 1 && revision <= endpoint.Revisions.Count && endpoint.Revisions[revision - 1].Number == revision
            ? endpoint.Revisions[revision - 1]
            : endpoint.Revisions.FirstOrDefault(r => r.Number == revision)
              ?? throw MlopsException.NotFound($"Endpoint '{endpoint.Name}' has no revision {revision}.");

    private static string Describe(Revision revision) => $"{revision.State.ToWire()} {revision.Role.ToWire()}";

    private static Revision NewRevision(
        Endpoint endpoint, string uri, ResolvedModel? resolved, RevisionRole role, int requestedWeight, int replicas, ChangeNote note) =>
        new(endpoint.Revisions.Count + 1, uri, resolved, role, 0, requestedWeight, replicas, RevisionState.Pending,
            note.At, note.By, note.Reason ?? "");

    private static Revision GoLive(Revision revision) => revision with { State = RevisionState.Live, Weight = revision.RequestedWeight };

    private static Revision Retire(Revision revision) => revision with { State = RevisionState.Retired, Weight = 0 };

    private static Endpoint Update(Endpoint endpoint, Func<Revision, Revision> change) =>
        endpoint with { Revisions = [.. endpoint.Revisions.Select(change)] };

    private static Endpoint Append(Endpoint endpoint, Revision revision, ChangeKind kind, ChangeNote note, string detail) =>
        Record(endpoint with { Revisions = [.. endpoint.Revisions, revision] }, kind, revision.Number, note, detail);

    private static Endpoint Record(Endpoint endpoint, ChangeKind kind, int? revision, ChangeNote note, string detail) =>
        endpoint with
        {
            History = [.. endpoint.History, new EndpointChange(endpoint.History.Count + 1, kind, revision, note.At, note.By, note.Reason ?? "", detail)],
        };

    private static MlopsException Conflict(string message) => new(ErrorKind.Conflict, message);
}

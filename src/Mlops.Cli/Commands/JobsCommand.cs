using System.CommandLine;
using Mlops.Cli.Output;
using Mlops.Client.Contracts;

namespace Mlops.Cli.Commands;

/// <summary><c>mlops jobs ...</c>: the job queue.</summary>
internal sealed class JobsCommand : Command
{
    public JobsCommand()
        : base("jobs", "List, inspect, cancel and follow background jobs")
    {
        Subcommands.Add(new ListCommand());
        Subcommands.Add(new GetCommand());
        Subcommands.Add(new CancelCommand());
        Subcommands.Add(new LogsCommand());
        Subcommands.Add(new SubmitCommand());
    }

    private static Argument<long> IdArgument() => new("job-id") { Description = "Job id" };

    private static string Progress(JobDto job) =>
        job.Status == "running" ? $"{job.Progress * 100:0}%{(string.IsNullOrEmpty(job.ProgressMessage) ? "" : " " + job.ProgressMessage)}" : "";

    private sealed class ListCommand : BaseCommand
    {
        private static readonly Option<string?> s_status = new("--status") { Description = "queued, running, succeeded, failed or cancelled" };
        private static readonly Option<string?> s_kind = new("--kind") { Description = "Only jobs of this kind" };
        private static readonly Option<int> s_max = new("--max-results", "-n") { Description = "At most this many jobs", DefaultValueFactory = _ => 50 };

        public ListCommand()
            : base("list", "List jobs, newest first")
        {
            Options.Add(s_status);
            Options.Add(s_kind);
            Options.Add(s_max);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var page = await client.ListJobsAsync(parseResult.GetValue(s_status), parseResult.GetValue(s_kind), Math.Clamp(parseResult.GetValue(s_max), 1, 10_000), cancellationToken: cancellationToken);
            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(page, MlflowJsonContext.Default.JobsResponse);
                return ExitCodes.Success;
            }

            var jobs = page.Jobs ?? [];
            if (jobs.Count == 0)
            {
                output.Line("No jobs found.");
                return ExitCodes.Success;
            }

            output.Table(["Id", "Kind", "Queue", "Status", "Attempts", "Progress", "Created (UTC)", "Error"], jobs.Select(j => (IReadOnlyList<string>)[
                j.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), j.Kind ?? "", j.Queue ?? "", j.Status ?? "",
                $"{j.Attempts}/{j.MaxAttempts}", Progress(j), Format.Time(j.CreatedAt), j.Error ?? ""]));
            return ExitCodes.Success;
        }
    }

    private sealed class GetCommand : BaseCommand
    {
        private static readonly Argument<long> s_id = IdArgument();

        public GetCommand()
            : base("get", "Show a job")
        {
            Arguments.Add(s_id);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var job = await client.GetJobAsync(parseResult.GetValue(s_id), cancellationToken);
            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new JobResponse { Job = job }, MlflowJsonContext.Default.JobResponse);
                return ExitCodes.Success;
            }

            output.Details([
                ("Id", job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("Kind", job.Kind ?? ""),
                ("Queue", job.Queue ?? ""),
                ("Status", job.Status + (job.CancelRequested && job.Status == "running" ? " (cancel requested)" : "")),
                ("Attempts", $"{job.Attempts} of {job.MaxAttempts}"),
                ("Progress", Progress(job)),
                ("Worker", job.LeaseOwner ?? ""),
                ("Created (UTC)", Format.Time(job.CreatedAt)),
                ("Started (UTC)", Format.Time(job.StartedAt)),
                ("Finished (UTC)", Format.Time(job.FinishedAt)),
                ("Payload", job.Payload ?? ""),
                ("Result", job.Result ?? ""),
                ("Error", job.Error ?? "")]);
            return ExitCodes.Success;
        }
    }

    private sealed class CancelCommand : BaseCommand
    {
        private static readonly Argument<long> s_id = IdArgument();

        public CancelCommand()
            : base("cancel", "Cancel a queued job, or ask a running one to stop")
        {
            Arguments.Add(s_id);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var job = await client.CancelJobAsync(parseResult.GetValue(s_id), cancellationToken);
            output.Line(job.Status switch
            {
                "cancelled" => $"Job {job.Id} cancelled.",
                "running" => $"Job {job.Id} is running; its worker will stop it at the next heartbeat.",
                _ => $"Job {job.Id} had already ended ({job.Status}).",
            });
            return ExitCodes.Success;
        }
    }

    private sealed class LogsCommand : BaseCommand
    {
        private static readonly Argument<long> s_id = IdArgument();
        private static readonly Option<bool> s_follow = new("--follow", "-f") { Description = "Keep printing new lines until the job ends" };

        public LogsCommand()
            : base("logs", "Print a job's log")
        {
            Arguments.Add(s_id);
            Options.Add(s_follow);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var id = parseResult.GetValue(s_id);
            if (parseResult.GetValue(s_follow))
            {
                await foreach (var line in client.FollowJobLogAsync(id, cancellationToken))
                {
                    output.Line(line.Text ?? "");
                }

                var job = await client.GetJobAsync(id, cancellationToken);
                output.Line($"-- job {id} {job.Status}{(job.Error is { Length: > 0 } error && job.Status != "succeeded" ? ": " + error : "")}");
                return job.Status == "succeeded" ? ExitCodes.Success : ExitCodes.Failure;
            }

            var log = await client.GetJobLogAsync(id, cancellationToken: cancellationToken);
            foreach (var line in log.Lines ?? [])
            {
                output.Line(line.Text ?? "");
            }

            return ExitCodes.Success;
        }
    }

    private sealed class SubmitCommand : BaseCommand
    {
        private static readonly Argument<string> s_kind = new("kind") { Description = "Job kind (noop is a diagnostic job)" };
        private static readonly Option<string> s_payload = new("--payload") { Description = "The job's input as JSON, e.g. '{\"sleep_ms\": 2000}'", DefaultValueFactory = _ => "{}" };
        private static readonly Option<string?> s_queue = new("--queue") { Description = "Queue (default: default)" };
        private static readonly Option<bool> s_wait = new("--wait") { Description = "Follow the job's log until it ends" };

        public SubmitCommand()
            : base("submit", "Submit a job")
        {
            Arguments.Add(s_kind);
            Options.Add(s_payload);
            Options.Add(s_queue);
            Options.Add(s_wait);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            JobDto job;
            try
            {
                job = await client.SubmitJobAsync(parseResult.GetValue(s_kind)!, parseResult.GetValue(s_payload)!, parseResult.GetValue(s_queue), cancellationToken: cancellationToken);
            }
            catch (System.Text.Json.JsonException e)
            {
                output.Error($"--payload is not valid JSON: {e.Message}");
                return ExitCodes.InvalidArgument;
            }

            output.Line($"Submitted job {job.Id} ({job.Kind}) to queue {job.Queue}");
            if (!parseResult.GetValue(s_wait))
            {
                return ExitCodes.Success;
            }

            await foreach (var line in client.FollowJobLogAsync(job.Id, cancellationToken))
            {
                output.Line(line.Text ?? "");
            }

            job = await client.GetJobAsync(job.Id, cancellationToken);
            output.Line($"-- job {job.Id} {job.Status}{(job.Error is { Length: > 0 } error && job.Status != "succeeded" ? ": " + error : "")}");
            return job.Status == "succeeded" ? ExitCodes.Success : ExitCodes.Failure;
        }
    }
}

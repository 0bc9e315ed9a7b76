using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mlops.Application.UseCases.Tracking;
using Mlops.Domain.Common;
using Mlops.Domain.Tracking;

namespace Mlops.Web.Export;

/// <summary>The runs table of an experiment as CSV, with the same filter and order as the page.</summary>
public static class RunsCsvExport
{
    /// <summary>A cap so one click cannot hold the server for minutes; the API pages through more.</summary>
    public const int MaxRows = 50_000;

    internal static IEndpointRouteBuilder MapRunsCsvExport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/experiments/{experimentId}/runs.csv", Export).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> Export(string experimentId, string? filter, string? order, HttpContext context, GetRunUseCase runs)
    {
        var all = new List<Run>();
        string? token = null;
        try
        {
            do
            {
                var page = await runs.SearchAsync(new SearchRunsInput([experimentId], filter, string.IsNullOrEmpty(order) ? null : [order], ViewType.ActiveOnly, 1000, token), context.RequestAborted);
                all.AddRange(page.Items);
                token = page.NextPageToken;
            }
            while (token is not null && all.Count < MaxRows);
        }
        catch (MlopsException e) when (e.Kind == ErrorKind.InvalidArgument)
        {
            return TypedResults.BadRequest(e.Message);
        }

        var csv = Write(all);
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"runs-{experimentId}.csv\"";
        return TypedResults.Bytes(Encoding.UTF8.GetBytes(csv), "text/csv; charset=utf-8");
    }

    private static readonly string[] s_fixedColumns = ["run_id", "run_name", "status", "user", "start_time", "end_time"];

    public static string Write(IReadOnlyList<Run> runs)
    {
        var paramKeys = runs.SelectMany(r => r.Params.Select(p => p.Key)).Distinct().Order(StringComparer.Ordinal).ToList();
        var metricKeys = runs.SelectMany(r => r.LatestMetrics.Select(m => m.Key)).Distinct().Order(StringComparer.Ordinal).ToList();
        var tagKeys = runs.SelectMany(r => r.Tags.Select(t => t.Key)).Distinct().Order(StringComparer.Ordinal).ToList();
        var csv = new StringBuilder();
        csv.AppendLine(CsvCell.Row(
            s_fixedColumns
                .Concat(paramKeys.Select(k => CsvCell.Text("params." + k)))
                .Concat(metricKeys.Select(k => CsvCell.Text("metrics." + k)))
                .Concat(tagKeys.Select(k => CsvCell.Text("tags." + k)))));
        foreach (var run in runs)
        {
            var info = run.Info;
            var cells = new List<string>
            {
                CsvCell.Text(info.RunId), CsvCell.Text(info.RunName), CsvCell.Text(info.Status.ToWire()), CsvCell.Text(info.UserId),
                CsvCell.Number(info.StartTime), info.EndTime is { } end ? CsvCell.Number(end) : "",
            };
            var parameters = run.Params.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            var metrics = run.LatestMetrics.ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
            var tags = run.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
            cells.AddRange(paramKeys.Select(k => CsvCell.Text(parameters.GetValueOrDefault(k))));
            cells.AddRange(metricKeys.Select(k => metrics.TryGetValue(k, out var value) ? CsvCell.Number(value) : ""));
            cells.AddRange(tagKeys.Select(k => CsvCell.Text(tags.GetValueOrDefault(k))));
            csv.AppendLine(CsvCell.Row(cells));
        }

        return csv.ToString();
    }
}

using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Mlops.Domain.Common;

namespace Mlops.Web.Components;

/// <summary>
/// Base of every page: turns the use cases' expected failures (unknown id, bad filter) into a message on the
/// page and the matching HTTP status, as the API does with its error bodies.
/// </summary>
public abstract class MlopsPage : ComponentBase
{
    [CascadingParameter]
    public HttpContext? HttpContext { get; set; }

    protected string? Error { get; private set; }

    protected CancellationToken Aborted => HttpContext?.RequestAborted ?? CancellationToken.None;

    /// <summary>Runs a read or an action; an expected failure becomes <see cref="Error"/> and a 4xx status.</summary>
    protected async Task<bool> TryAsync(Func<Task> work)
    {
        try
        {
            await work();
            return true;
        }
        catch (MlopsException e)
        {
            Error = e.Message;
            if (HttpContext is { Response.HasStarted: false } context)
            {
                context.Response.StatusCode = e.Kind switch
                {
                    ErrorKind.NotFound => StatusCodes.Status404NotFound,
                    ErrorKind.AlreadyExists or ErrorKind.Conflict => StatusCodes.Status409Conflict,
                    _ => StatusCodes.Status400BadRequest,
                };
            }

            return false;
        }
    }
}

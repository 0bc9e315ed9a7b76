using System.Globalization;
using Mlops.Domain.Common;

namespace Mlops.Domain.Deployments;

/// <summary>
/// How an endpoint behaves beyond its revisions; changed with <see cref="EndpointRules.Configure"/>, which records it.
/// </summary>
/// <param name="LogSampleRate">
/// The share of requests, 0 to 1, whose inputs, outputs, revision and latency are written to the prediction log.
/// Requests copied to a shadow are always logged, with the live answer beside the shadow's, so the two can be compared.
/// </param>
/// <param name="FollowAlias">
/// When the primary was deployed from a moving reference (<c>models:/name@alias</c>, a stage or <c>latest</c>) and it
/// now resolves to another version, the endpoint deploys that version as a new, health-checked primary.
/// </param>
public sealed record EndpointSettings(double LogSampleRate, bool FollowAlias)
{
    public static readonly EndpointSettings Default = new(0, false);

    public EndpointSettings Check() =>
        double.IsFinite(LogSampleRate) && LogSampleRate is >= 0 and <= 1
            ? this
            : throw MlopsException.Invalid($"A prediction log sample rate is a number from 0 to 1; got {LogSampleRate.ToString(CultureInfo.InvariantCulture)}.");

    public string Describe() =>
        (LogSampleRate == 0 ? "prediction logging off" : $"prediction logging at {(LogSampleRate * 100).ToString("0.###", CultureInfo.InvariantCulture)} %")
        + (FollowAlias ? "; follows the primary's alias" : "; alias following off");
}

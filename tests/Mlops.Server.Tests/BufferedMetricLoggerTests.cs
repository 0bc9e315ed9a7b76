using Mlops.Client;
using Mlops.Server.Tests.Support;

namespace Mlops.Server.Tests;

public sealed class BufferedMetricLoggerTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly RecordingHandler _recorder = new();
    private MlopsClient? _client;

    private MlopsClient Client => _client ??= new MlopsClient(new HttpClient(_recorder) { BaseAddress = server.BaseAddress }, ownsHttpClient: true);

    public void Dispose()
    {
        _client?.Dispose();
        _recorder.Dispose();
    }

    private async Task<string> NewRunAsync() =>
        (await Client.CreateRunAsync(await Client.GetOrCreateExperimentAsync(MlflowHttp.UniqueName("logger")))).Info.RunId;

    [Fact]
    public async Task Five_thousand_logs_are_all_in_the_history_after_dispose()
    {
        var runId = await NewRunAsync();
        var logger = Client.CreateMetricLogger(runId);

        for (var step = 0; step < 5000; step++)
        {
            logger.Log("loss", 1.0 / (step + 1), step);
        }

        await logger.DisposeAsync();

        var history = await Client.GetMetricHistoryAsync(runId, "loss");
        Assert.Equal(5000, history.Count);
        Assert.Equal(Enumerable.Range(0, 5000).Select(i => (long?)i), history.Select(p => p.Step));
        Assert.Equal(5000, logger.SentCount);
        Assert.All(_recorder.BodiesOf("runs/log-batch"), b => Assert.InRange(b!["metrics"]!.AsArray().Count, 1, 1000));
    }

    [Fact]
    public async Task Flush_makes_the_points_logged_so_far_visible()
    {
        var runId = await NewRunAsync();
        await using var logger = Client.CreateMetricLogger(runId, new BufferedMetricLoggerOptions { FlushInterval = TimeSpan.FromHours(1) });

        for (var step = 0; step < 10; step++)
        {
            await logger.LogAsync("acc", step / 10.0, step);
        }

        await logger.FlushAsync();
        var afterFirstFlush = await Client.GetMetricHistoryAsync(runId, "acc");
        logger.Log("acc", 1.0, 10);
        await logger.FlushAsync();
        var afterSecondFlush = await Client.GetMetricHistoryAsync(runId, "acc");

        Assert.Equal(10, afterFirstFlush.Count);
        Assert.Equal(11, afterSecondFlush.Count);
        Assert.Equal(11, logger.SentCount);
    }

    [Fact]
    public async Task Points_are_sent_after_the_flush_interval_without_an_explicit_flush()
    {
        var runId = await NewRunAsync();
        await using var logger = Client.CreateMetricLogger(runId, new BufferedMetricLoggerOptions { FlushInterval = TimeSpan.FromMilliseconds(20) });

        logger.Log("tick", 1.0, 0);
        logger.Log("tick", 2.0, 1);

        // Eventually visible; the deadline only keeps a broken logger from hanging the run.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        IReadOnlyList<Mlops.Client.Contracts.MetricDto> history;
        do
        {
            await Task.Delay(10, deadline.Token);
            history = await Client.GetMetricHistoryAsync(runId, "tick", deadline.Token);
        }
        while (history.Count < 2);

        Assert.Equal(2, history.Count);
    }

    [Fact]
    public async Task Small_batches_still_deliver_every_point()
    {
        var runId = await NewRunAsync();
        var logger = Client.CreateMetricLogger(runId, new BufferedMetricLoggerOptions { MaxBatchSize = 7, FlushInterval = TimeSpan.FromHours(1) });

        for (var step = 0; step < 100; step++)
        {
            logger.Log("m", step, step);
            logger.Log("other", -step, step);
        }

        await logger.DisposeAsync();

        Assert.Equal(100, (await Client.GetMetricHistoryAsync(runId, "m")).Count);
        Assert.Equal(100, (await Client.GetMetricHistoryAsync(runId, "other")).Count);
        var batches = _recorder.BodiesOf("runs/log-batch");
        Assert.True(batches.Count >= 200 / 7, $"{batches.Count} batches");
        Assert.All(batches, b => Assert.InRange(b!["metrics"]!.AsArray().Count, 1, 7));
    }

    [Fact]
    public async Task A_logger_for_an_unknown_run_reports_the_failure_on_flush_and_on_dispose()
    {
        var logger = Client.CreateMetricLogger(Guid.NewGuid().ToString("N"));
        logger.Log("loss", 1.0);

        var onFlush = await Assert.ThrowsAsync<InvalidOperationException>(() => logger.FlushAsync());
        var onDispose = await Assert.ThrowsAsync<InvalidOperationException>(async () => await logger.DisposeAsync());

        var cause = Assert.IsType<MlopsApiException>(onFlush.InnerException);
        Assert.Equal("RESOURCE_DOES_NOT_EXIST", cause.ErrorCode);
        Assert.IsType<MlopsApiException>(onDispose.InnerException);
        Assert.Equal(0, logger.SentCount);
    }

    [Fact]
    public async Task A_logger_for_a_deleted_run_reports_invalid_parameter_value()
    {
        var runId = await NewRunAsync();
        await Client.DeleteRunAsync(runId);
        var logger = Client.CreateMetricLogger(runId);
        logger.Log("loss", 1.0);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () => await logger.DisposeAsync());

        Assert.Equal("INVALID_PARAMETER_VALUE", Assert.IsType<MlopsApiException>(failure.InnerException).ErrorCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public void A_batch_size_outside_1_to_1000_is_refused(int size)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Client.CreateMetricLogger("abc", new BufferedMetricLoggerOptions { MaxBatchSize = size }));
    }
}

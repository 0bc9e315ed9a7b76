using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Mlops.Client;
using Mlops.Infrastructure;
using Mlops.Infrastructure.Learning.Training;
using Mlops.Server;
using Mlops.Worker;

// The platform's overhead on a training job: the same training (LightGBM, breast cancer, hold-out) called directly
// through the trainer, then submitted as a job to a server with its embedded worker, timed from submit to
// succeeded (queue, run tracking, artifact upload, dataset logging). Run: dotnet run -c Release --project bench/Mlops.TrainingOverhead
var root = AppContext.BaseDirectory;
while (!File.Exists(Path.Combine(root, "Mlops.slnx")))
{
    root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Run from inside the repository.");
}

var data = Path.Combine(root, "samples", "data", "breast_cancer.csv");
const int Iterations = 600;
const int Rounds = 7;
var spec = string.Join('\n',
    "experiment: overhead",
    "dataset: {path: " + data + ", label: label}",
    "task: binary",
    "trainer: {name: lightgbm, hyperparameters: {number_of_iterations: " + Iterations + ", learning_rate: 0.05}}",
    "validation: {method: holdout, holdout_fraction: 0.2, seed: 1}");

var home = Directory.CreateTempSubdirectory("mlops-overhead-").FullName;
await using var app = MlopsServer.Build(new MlopsServerOptions
{
    Port = 0,
    LogLevel = LogLevel.Warning,
    Storage = new MlopsStorageOptions { Home = home },
    Worker = new WorkerOptions { PollInterval = TimeSpan.FromMilliseconds(20), HeartbeatInterval = TimeSpan.FromSeconds(1) },
});
await app.StartAsync();
using var client = new MlopsClient(MlopsServer.Addresses(app)[0]);

// Direct and job rounds alternate, so noise from a shared machine falls on both alike; round 0 warms up.
var direct = new List<double>();
var viaJob = new List<double>();
for (var round = 0; round <= Rounds; round++)
{
    var folder = Path.Combine(Path.GetTempPath(), "overhead-" + Guid.NewGuid().ToString("N"));
    var clock = Stopwatch.StartNew();
    new MlNetTrainer(TimeProvider.System).Train(
        new MlNetTrainingRequest(data, "label", null, [], [], [], ',', true, null, MlTask.Binary, MlTrainer.LightGbm,
            new Dictionary<string, object> { ["number_of_iterations"] = Iterations, ["learning_rate"] = 0.05 }, false, 5, 0.2, 1),
        folder, "direct", _ => { }, (_, _) => { }, CancellationToken.None);
    var directSeconds = clock.Elapsed.TotalSeconds;
    Directory.Delete(folder, recursive: true);

    clock.Restart();
    var job = await client.SubmitTrainingAsync(spec);
    job = await client.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(10));
    if (job.Status != "succeeded")
    {
        throw new InvalidOperationException($"job {job.Id} {job.Status}: {job.Error}");
    }

    if (round > 0)
    {
        direct.Add(directSeconds);
        viaJob.Add(clock.Elapsed.TotalSeconds);
    }
}

await app.StopAsync();
double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
var d = Median(direct);
var j = Median(viaJob);
Console.WriteLine($"direct trainer: median {d:0.000} s; as a job: median {j:0.000} s; overhead {(j - d) / d * 100:0.0} % ({(j - d) * 1000:0} ms) over {Rounds} rounds");
Directory.Delete(home, recursive: true);

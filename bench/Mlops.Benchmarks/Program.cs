using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Mlops.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Mlops.Benchmarks.TrackingStoreBenchmarks).Assembly).Run(args);

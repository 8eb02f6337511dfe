using BenchmarkDotNet.Running;

// Arguments go to BenchmarkDotNet: e.g. --filter '*Decoder*' --job short.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

using BenchmarkDotNet.Running;
using MtaSts.Benchmarks;

if (args is ["memory-bound"])
{
    return MemoryBound.Run();
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

using MtaSts.Fuzz;
using SharpFuzz;

// One harness per target, chosen by the first argument. Under afl-fuzz (fuzz/run.sh) the input arrives through
// SharpFuzz's persistent loop; with `--replay <file|dir>` every file is run once in-process (regression checks and
// triage without afl). An exception escaping a target is a bug: the harness lets it crash the run.
if (args.Length == 0 || !Targets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: MtaSts.Fuzz <{string.Join('|', Targets.All.Keys)}> [--replay <file|dir>]");
    return 2;
}

if (args is [_, "--replay", var path])
{
    var files = Directory.Exists(path) ? Directory.GetFiles(path) : [path];
    var slowest = (File: string.Empty, Time: TimeSpan.Zero);
    var total = System.Diagnostics.Stopwatch.StartNew();
    foreach (var file in files)
    {
        var started = total.Elapsed;
        target(File.ReadAllBytes(file));
        var took = total.Elapsed - started;
        if (took > slowest.Time)
        {
            slowest = (file, took);
        }

        if (took > TimeSpan.FromMilliseconds(200) && files.Length > 1)
        {
            Console.WriteLine($"  slow: {took.TotalMilliseconds:F0} ms {Path.GetFileName(file)}");
        }
    }

    Console.WriteLine($"{args[0]}: {files.Length} input(s) replayed in {total.Elapsed.TotalSeconds:F1} s, no failure; slowest {slowest.Time.TotalMilliseconds:F0} ms ({Path.GetFileName(slowest.File)})");
    return 0;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target(buffer.ToArray());
});
return 0;

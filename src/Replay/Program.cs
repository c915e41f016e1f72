using Streaming.Replay.Cli;

// Ctrl+C stops the run between records: what was written stays written, and a second run sends the rest.
using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupted.Cancel();
};

return await ReplayCli.RunAsync(args, Console.Out, Console.Error, terminal: !Console.IsErrorRedirected, interrupted.Token);

using System.Reflection;
using Confluent.SchemaRegistry;

namespace Streaming.TestSupport;

/// <summary>
/// The in-memory registry behind a connection that fails: the first reads of schemas by id throw as an
/// unreachable registry would, then it recovers.
/// </summary>
public class FlakyRegistry : DispatchProxy
{
    private InMemorySchemaRegistry _inner = null!;
    private int _failuresLeft;

    public int Failures { get; private set; }

    public static ISchemaRegistryClient Create(int failures)
    {
        var proxy = Create<ISchemaRegistryClient, FlakyRegistry>();
        var flaky = (FlakyRegistry)(object)proxy;
        flaky._inner = new InMemorySchemaRegistry();
        flaky._failuresLeft = failures;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name.StartsWith("GetSchema", StringComparison.Ordinal) && Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            Failures++;
            var resultType = targetMethod.ReturnType.GenericTypeArguments[0];
            var fail = typeof(Task).GetMethods().Single(m => m.Name == nameof(Task.FromException) && m.IsGenericMethod).MakeGenericMethod(resultType);
            return fail.Invoke(null, [new HttpRequestException("Connection refused (schema-registry:8081)")]);
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}

using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Streaming.Kafka;

/// <summary>Checks the <c>Kafka</c> section, topics included, when the host starts.</summary>
public sealed class KafkaOptionsValidator : IValidateOptions<KafkaOptions>
{
    private const int MaxGroupInstanceId = 200;

    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        var failures = new List<string>();
        Check(options, "Kafka", failures);
        CheckGroupInstanceId(options.GroupInstanceId, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Kafka accepts an instance id of up to 249 letters, digits, '.', '_' and '-'; a service name is added to it.
    private static void CheckGroupInstanceId(string? id, List<string> failures)
    {
        if (id is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(id))
        {
            failures.Add("Kafka:GroupInstanceId is set but empty: leave it out for dynamic membership, or give each process its own name (the pod's).");
        }
        else if (id.Length > MaxGroupInstanceId || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            failures.Add($"Kafka:GroupInstanceId '{id}' must be at most {MaxGroupInstanceId} letters, digits, '.', '_' or '-'.");
        }
    }

    private static void Check(object target, string path, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(target, new ValidationContext(target), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => $"{path}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }
    }
}

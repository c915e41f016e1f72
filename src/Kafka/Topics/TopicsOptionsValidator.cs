using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Streaming.Kafka.Topics;

/// <summary>Checks the registered topics when the host starts, with errors that name the setting.</summary>
public sealed class TopicsOptionsValidator : IValidateOptions<TopicsOptions>
{
    public ValidateOptionsResult Validate(string? name, TopicsOptions options)
    {
        var failures = new List<string>();
        foreach (var (declaration, topic) in options.Registered)
        {
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(topic, new ValidationContext(topic), results, validateAllProperties: true))
            {
                failures.AddRange(results.Select(r => $"Kafka:Topics:{declaration.Key}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
            }
        }

        failures.AddRange(options.All
            .GroupBy(t => t.Name, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => $"Kafka:Topics: '{g.Key}' is used for more than one topic."));

        foreach (var group in options.Registered.Where(r => r.Declaration.CoPartitionGroup is not null).GroupBy(r => r.Declaration.CoPartitionGroup))
        {
            if (group.Select(r => r.Options.Partitions).Distinct().Count() > 1)
            {
                failures.Add(
                    $"Kafka:Topics: {string.Join(", ", group.Select(r => $"{r.Declaration.Key}:Partitions is {r.Options.Partitions}"))}. " +
                    "They are joined by key, so they need the same partition count.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

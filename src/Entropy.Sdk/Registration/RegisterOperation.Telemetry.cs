using System.Diagnostics;
using Entropy.Diagnostics;

namespace Entropy;

/// <content>Traces and metrics of a registration: an event per stage on the span of the call that observes it, and the
/// <c>entropy.registration.*</c> measurements (completed, failed once per operation, seconds and blocks from submission).</content>
public partial class RegisterOperation
{
    private Activity? _span;
    private long _submittedAt;
    private uint? _submittedHead;
    private int _failureCounted;
    private int _completionCounted;

    /// <summary>Starts the span of <c>EntropyClient.RegisterAsync</c> and counts the start; <see langword="null"/> while no one listens.</summary>
    internal static Activity? StartRegisterSpan(AccountId account, AccessMode accessMode, WaitUntil waitUntil, Uri? endpoint)
    {
        if (EntropyTelemetry.RegistrationsStarted.Enabled)
        {
            var tags = Tags(endpoint);
            tags.Add("entropy.registration.access_mode", AccessModeName(accessMode));
            EntropyTelemetry.RegistrationsStarted.Add(1, tags);
        }

        var activity = EntropyTelemetry.Source.StartActivity("EntropyClient.Register");
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("entropy.account", account.ToSs58());
            activity.SetTag("entropy.registration.access_mode", AccessModeName(accessMode));
            activity.SetTag("entropy.registration.wait_until", waitUntil == WaitUntil.Completed ? "completed" : "started");
            if (endpoint is not null)
            {
                EntropyTelemetry.SetServer(activity, endpoint);
            }
        }

        return activity;
    }

    /// <summary>Counts a registration that failed before an operation existed (preflight, signing) and marks its span.</summary>
    internal static void RecordFailureBeforeSubmission(Activity? activity, Uri? endpoint, Exception failure)
    {
        var errorType = EntropyTelemetry.ErrorType(failure);
        CountFailed(errorType, endpoint);
        if (activity is not null)
        {
            EntropyTelemetry.SetFailed(activity, errorType, failure);
        }
    }

    /// <summary>Routes the stage events of this operation to <paramref name="activity"/> (the span of the call now waiting).</summary>
    internal void AttachSpan(Activity? activity)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("entropy.operation.id", Id);
        Volatile.Write(ref _span, activity);
    }

    /// <summary>Stops routing stage events to <paramref name="activity"/>.</summary>
    internal void DetachSpan(Activity? activity)
    {
        if (activity is not null)
        {
            Interlocked.CompareExchange(ref _span, null, activity);
        }
    }

    /// <summary>Records how a call on this operation ended: its span's status and, once per operation, <c>entropy.registration.failed</c>.</summary>
    internal void RecordCallEnd(Activity? activity, Exception? failure)
    {
        if (failure is null)
        {
            activity?.SetStatus(ActivityStatusCode.Ok);
            return;
        }

        var errorType = EntropyTelemetry.ErrorType(failure);
        if (Interlocked.Exchange(ref _failureCounted, 1) == 0)
        {
            CountFailed(errorType, _client?.Endpoint);
        }

        if (activity is not null)
        {
            EntropyTelemetry.SetFailed(activity, errorType, failure);
            activity.AddEvent(new ActivityEvent("failed", tags: new ActivityTagsCollection { ["error.type"] = errorType }));
        }
    }

    private protected override Activity? StartWaitSpan()
    {
        var activity = EntropyTelemetry.Source.StartActivity("RegisterOperation.WaitForCompletion");
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("entropy.account", Account.ToSs58());
        }

        AttachSpan(activity);
        return activity;
    }

    private protected override void EndWaitSpan(Activity? activity, Exception? failure)
    {
        DetachSpan(activity);
        RecordCallEnd(activity, failure);
    }

    /// <summary>Notes the best head when <c>register</c> is about to be submitted (the start of <c>entropy.registration.blocks</c>).</summary>
    private void NoteSubmissionHead(uint head) => _submittedHead ??= head;

    /// <summary>Receives each stage from the tracker (under the state lock): records it, then reports it to the progress receivers.</summary>
    private void OnStage(RegistrationProgress progress)
    {
        RecordStage(progress);
        Report(progress);
    }

    private void RecordStage(RegistrationProgress progress)
    {
        if (progress.Stage == RegistrationStage.Submitted && _submittedAt == 0)
        {
            _submittedAt = Time.GetTimestamp();
        }

        if (Volatile.Read(ref _span) is { IsAllDataRequested: true } activity)
        {
            var tags = new ActivityTagsCollection();
            if (progress.BlockNumber is { } block)
            {
                tags["entropy.block.number"] = (long)block;
            }

            switch (progress.Stage)
            {
                case RegistrationStage.CommitteeSelected or RegistrationStage.KeyGenerated:
                    tags["entropy.registration.committee_size"] = progress.Committee.Count;
                    break;
                case RegistrationStage.Confirmed:
                    tags["entropy.registration.confirmations"] = progress.Confirmations;
                    tags["entropy.registration.required_confirmations"] = progress.RequiredConfirmations;
                    break;
            }

            if (progress.Stage == RegistrationStage.InBlock && progress.BlockNumber is { } included)
            {
                activity.SetTag("entropy.registration.block", (long)included);
            }

            activity.AddEvent(new ActivityEvent(StageEventName(progress.Stage), tags: tags));
        }

        if (progress.Stage == RegistrationStage.Registered && Interlocked.Exchange(ref _completionCounted, 1) == 0)
        {
            RecordCompleted(progress.BlockNumber);
        }
    }

    private void RecordCompleted(uint? registeredBlock)
    {
        var tags = Tags(_client?.Endpoint);
        EntropyTelemetry.RegistrationsCompleted.Add(1, tags);
        if (_submittedAt != 0 && EntropyTelemetry.RegistrationDuration.Enabled)
        {
            EntropyTelemetry.RegistrationDuration.Record(Time.GetElapsedTime(_submittedAt).TotalSeconds, tags);
        }

        if (_submittedHead is { } from && registeredBlock is { } to && to >= from && EntropyTelemetry.RegistrationBlocks.Enabled)
        {
            EntropyTelemetry.RegistrationBlocks.Record(to - from, tags);
        }
    }

    private static void CountFailed(string errorType, Uri? endpoint)
    {
        if (EntropyTelemetry.RegistrationsFailed.Enabled)
        {
            var tags = Tags(endpoint);
            tags.Add("error.type", errorType);
            EntropyTelemetry.RegistrationsFailed.Add(1, tags);
        }
    }

    private static TagList Tags(Uri? endpoint)
    {
        var tags = default(TagList);
        if (endpoint is not null)
        {
            EntropyTelemetry.AddServer(ref tags, endpoint);
        }

        return tags;
    }

    private static string StageEventName(RegistrationStage stage) => stage switch
    {
        RegistrationStage.Submitted => "submitted",
        RegistrationStage.InBlock => "in_block",
        RegistrationStage.CommitteeSelected => "committee_selected",
        RegistrationStage.KeyGenerated => "key_generated",
        RegistrationStage.Confirmed => "confirmed",
        RegistrationStage.Registered => "registered",
        _ => "stage",
    };

    private static string AccessModeName(AccessMode mode) => mode switch
    {
        AccessMode.Public => "public",
        AccessMode.Permissioned => "permissioned",
        AccessMode.Private => "private",
        _ => "other",
    };
}

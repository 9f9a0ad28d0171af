using Microsoft.Extensions.Logging;

namespace Entropy;

/// <summary>
/// A long-running operation on the chain, in the shape of Azure's <c>Operation&lt;T&gt;</c>: an <see cref="Id"/> to resume it with,
/// <see cref="HasCompleted"/> and <see cref="Value"/>, one read of the chain with <see cref="UpdateStatusAsync"/>, and
/// <see cref="WaitForCompletionAsync(CancellationToken)"/> with an optional polling interval and progress receiver.
/// </summary>
/// <remarks>
/// <para>
/// An operation is thread-safe: reads of its state never block, and concurrent <see cref="UpdateStatusAsync"/> or wait calls are
/// serialised so that the chain is read once per round. The wait's timeout is the client's setting (for a registration
/// <see cref="EntropyClientOptions.RegistrationTimeout"/>) or the token; the polling interval only says how often to look when no
/// new block is announced.
/// </para>
/// <para>
/// Progress is passed where the caller waits. A progress receiver first gets every stage the operation has already observed, in
/// order, then each new one as it is observed; an operation re-created from its <see cref="Id"/> reports the stages it observes
/// from then on.
/// </para>
/// </remarks>
/// <typeparam name="TValue">The result of the operation.</typeparam>
/// <typeparam name="TProgress">The progress report type.</typeparam>
public abstract class EntropyOperation<TValue, TProgress>
    where TValue : class
    where TProgress : class
{
    private readonly SemaphoreSlim _updateGate = new(1, 1);
    private readonly List<TProgress> _observed = [];
    private readonly List<IProgress<TProgress>> _receivers = [];
    private readonly Lock _progressLock = new();

    /// <summary>Initializes the base class. Only this assembly can derive from it (its hooks are internal); mock the derived operation types.</summary>
    protected EntropyOperation()
    {
    }

    /// <summary>Gets the operation's id: enough to re-create the operation later, for example after a restart.</summary>
    public abstract string Id { get; }

    /// <summary>Gets a value indicating whether the operation has completed successfully.</summary>
    public abstract bool HasCompleted { get; }

    /// <summary>Gets a value indicating whether <see cref="Value"/> is available.</summary>
    public virtual bool HasValue => HasCompleted;

    /// <summary>Gets the result.</summary>
    /// <exception cref="InvalidOperationException">The operation has not completed; call <see cref="WaitForCompletionAsync(CancellationToken)"/>.</exception>
    public abstract TValue Value { get; }

    /// <summary>Gets the stages observed so far, in order.</summary>
    internal IReadOnlyList<TProgress> ObservedProgress
    {
        get
        {
            lock (_progressLock)
            {
                return [.. _observed];
            }
        }
    }

    /// <summary>Gets the clock of the waits.</summary>
    private protected abstract TimeProvider Time { get; }

    /// <summary>Gets how long a wait may take in all.</summary>
    private protected abstract TimeSpan Timeout { get; }

    /// <summary>Gets the polling interval used when the caller gives none.</summary>
    private protected abstract TimeSpan DefaultPollingInterval { get; }

    /// <summary>Gets the logger for progress and retries.</summary>
    private protected abstract ILogger Logger { get; }

    /// <summary>Reads the chain once and updates the operation's state.</summary>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns><see langword="true"/> when the operation has completed.</returns>
    /// <exception cref="EntropyException">The operation ended without its result (the derived type documents which), or the node could not be read.</exception>
    public virtual async Task<bool> UpdateStatusAsync(CancellationToken cancellationToken = default)
    {
        if (HasCompleted)
        {
            return true;
        }

        await _updateGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return HasCompleted || await UpdateStatusCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _updateGate.Release();
        }
    }

    /// <summary>Waits until the operation completes, looking at every new block (or at the client's polling interval).</summary>
    /// <param name="cancellationToken">Cancels the wait; the operation goes on on chain.</param>
    /// <returns>The result.</returns>
    /// <exception cref="EntropyException">The operation ended without its result, or the wait timed out (the derived type documents which).</exception>
    /// <exception cref="EntropyOperationCanceledException"><paramref name="cancellationToken"/> was cancelled; carries <see cref="Id"/>.</exception>
    public virtual Task<TValue> WaitForCompletionAsync(CancellationToken cancellationToken = default) =>
        WaitForCompletionAsync(DefaultPollingInterval, null, cancellationToken);

    /// <summary>Waits until the operation completes and reports its progress.</summary>
    /// <param name="progress">Receives every stage observed (first those already reached); may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the wait; the operation goes on on chain.</param>
    /// <returns>The result.</returns>
    /// <exception cref="EntropyException">The operation ended without its result, or the wait timed out (the derived type documents which).</exception>
    /// <exception cref="EntropyOperationCanceledException"><paramref name="cancellationToken"/> was cancelled; carries <see cref="Id"/>.</exception>
    public virtual Task<TValue> WaitForCompletionAsync(IProgress<TProgress>? progress, CancellationToken cancellationToken = default) =>
        WaitForCompletionAsync(DefaultPollingInterval, progress, cancellationToken);

    /// <summary>Waits until the operation completes, looking at least every <paramref name="pollingInterval"/>, and reports its progress.</summary>
    /// <param name="pollingInterval">How often to read the chain when no new block is announced.</param>
    /// <param name="progress">Receives every stage observed (first those already reached); may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the wait; the operation goes on on chain.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pollingInterval"/> is not positive.</exception>
    /// <exception cref="EntropyException">The operation ended without its result, or the wait timed out (the derived type documents which).</exception>
    /// <exception cref="EntropyOperationCanceledException"><paramref name="cancellationToken"/> was cancelled; carries <see cref="Id"/>.</exception>
    public virtual async Task<TValue> WaitForCompletionAsync(TimeSpan pollingInterval, IProgress<TProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollingInterval, TimeSpan.Zero);
        using var span = StartWaitSpan();
        using var scope = BeginWait(cancellationToken);
        using var attachment = Attach(progress);
        try
        {
            var value = await RunWithinDeadlineAsync(scope, () => PollUntilCompletedAsync(pollingInterval, scope)).ConfigureAwait(false);
            EndWaitSpan(span, null);
            return value;
        }
        catch (Exception e)
        {
            EndWaitSpan(span, e);
            throw;
        }
    }

    /// <summary>Starts the span of a <see cref="WaitForCompletionAsync(TimeSpan, IProgress{TProgress}?, CancellationToken)"/> call; <see langword="null"/> by default and while no one listens.</summary>
    private protected virtual System.Diagnostics.Activity? StartWaitSpan() => null;

    /// <summary>Records how a wait ended (<paramref name="failure"/> is <see langword="null"/> when it completed); the caller disposes the span.</summary>
    private protected virtual void EndWaitSpan(System.Diagnostics.Activity? span, Exception? failure)
    {
    }

    /// <summary>Reads the chain once; called under the update gate, never concurrently.</summary>
    private protected abstract Task<bool> UpdateStatusCoreAsync(CancellationToken cancellationToken);

    /// <summary>Waits for something that may have changed the state: by default the polling interval.</summary>
    private protected virtual Task WaitForChangeAsync(TimeSpan pollingInterval, CancellationToken cancellationToken) =>
        Task.Delay(pollingInterval, Time, cancellationToken);

    /// <summary>Creates the exception thrown when <see cref="Timeout"/> expired.</summary>
    private protected abstract EntropyException CreateTimeoutException(TimeSpan timeout, TimeSpan elapsed, Exception? lastFailure);

    /// <summary>Gives the exception that ended a wait for a reason other than the deadline (for example the client being disposed), or <see langword="null"/> to let it through.</summary>
    private protected virtual Exception? TranslateFailure(Exception failure, CancellationToken callerToken) => null;

    /// <summary>Records an observed stage and passes it to every attached receiver.</summary>
    private protected void Report(TProgress progress)
    {
        Logger.LogInformation("{Progress}", progress);
        lock (_progressLock)
        {
            _observed.Add(progress);
            foreach (var receiver in _receivers)
            {
                receiver.Report(progress);
            }
        }
    }

    /// <summary>Attaches a progress receiver: replays what was observed, then passes each new stage until disposed.</summary>
    private protected IDisposable Attach(IProgress<TProgress>? progress)
    {
        if (progress is null)
        {
            return NoAttachment.Instance;
        }

        lock (_progressLock)
        {
            foreach (var observed in _observed)
            {
                progress.Report(observed);
            }

            _receivers.Add(progress);
        }

        return new Attachment(this, progress);
    }

    /// <summary>Starts a wait bounded by <see cref="Timeout"/> and the caller's token.</summary>
    private protected WaitScope BeginWait(CancellationToken cancellationToken, CancellationToken extra = default) =>
        new(Time, Timeout, cancellationToken, extra);

    /// <summary>Runs a step of a wait, turning the deadline into <see cref="CreateTimeoutException"/> and the caller's cancellation into <see cref="EntropyOperationCanceledException"/>.</summary>
    private protected async Task<T> RunWithinDeadlineAsync<T>(WaitScope scope, Func<Task<T>> step)
    {
        try
        {
            return await step().ConfigureAwait(false);
        }
        catch (Exception e) when (TranslateFailure(e, scope.CallerToken) is { } translated)
        {
            throw translated;
        }
        catch (OperationCanceledException e) when (scope.CallerToken.IsCancellationRequested)
        {
            throw new EntropyOperationCanceledException(Id, e, scope.CallerToken);
        }
        catch (Exception e) when (scope.DeadlinePassed && e is OperationCanceledException or EntropyException { IsTransient: true })
        {
            throw CreateTimeoutException(scope.Timeout, scope.Elapsed, e is OperationCanceledException ? scope.LastFailure : e);
        }
    }

    /// <summary>Reads the chain until the operation completes; transient read failures are retried until the deadline.</summary>
    private protected async Task<TValue> PollUntilCompletedAsync(TimeSpan pollingInterval, WaitScope scope)
    {
        var cancellationToken = scope.Token;
        while (true)
        {
            try
            {
                if (await UpdateStatusAsync(cancellationToken).ConfigureAwait(false))
                {
                    return Value;
                }
            }
            catch (EntropyException e) when (e.IsTransient && !cancellationToken.IsCancellationRequested)
            {
                scope.RecordFailure(e);
                Logger.LogWarning("Reading the state of operation {Id} failed ({Reason}); retrying", Id, e.Message);
            }

            await WaitForChangeAsync(pollingInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A wait bounded by a deadline and the caller's token; <see cref="Token"/> fires on either.</summary>
    private protected sealed class WaitScope : IDisposable
    {
        private readonly CancellationTokenSource _deadline;
        private readonly CancellationTokenSource _linked;
        private readonly TimeProvider _time;
        private readonly long _started;

        public WaitScope(TimeProvider time, TimeSpan timeout, CancellationToken callerToken, CancellationToken extra)
        {
            _time = time;
            Timeout = timeout;
            CallerToken = callerToken;
            _started = time.GetTimestamp();
            _deadline = new CancellationTokenSource(timeout, time);
            _linked = CancellationTokenSource.CreateLinkedTokenSource(callerToken, _deadline.Token, extra);
        }

        public CancellationToken Token => _linked.Token;

        public CancellationToken CallerToken { get; }

        public TimeSpan Timeout { get; }

        public TimeSpan Elapsed => _time.GetElapsedTime(_started);

        public bool DeadlinePassed => _deadline.IsCancellationRequested;

        public Exception? LastFailure { get; private set; }

        public void RecordFailure(Exception failure) => LastFailure = failure;

        public void Dispose()
        {
            _linked.Dispose();
            _deadline.Dispose();
        }
    }

    private sealed class Attachment(EntropyOperation<TValue, TProgress> owner, IProgress<TProgress> progress) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._progressLock)
            {
                owner._receivers.Remove(progress);
            }
        }
    }

    private sealed class NoAttachment : IDisposable
    {
        public static readonly NoAttachment Instance = new();

        public void Dispose()
        {
        }
    }
}

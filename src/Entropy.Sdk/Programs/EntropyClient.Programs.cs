using System.Diagnostics;
using Entropy.Crypto;
using Entropy.Diagnostics;
using Entropy.Extrinsics;
using Entropy.Metadata;
using Microsoft.Extensions.Logging;

namespace Entropy;

/// <summary>Programs: deploy, read and remove them, and change which programs a registration uses.</summary>
public partial class EntropyClient
{
    private ProgramsRuntime? _programs;
    private Task<TokenUnit?>? _tokenUnit;

    /// <summary>Deploys a program (<c>Programs.set_program</c>): the signer becomes its deployer and reserves a deposit per byte.</summary>
    /// <remarks>
    /// The pointer is computed locally (<see cref="ProgramPointer.Compute"/>) before anything is sent, and checked against the chain's
    /// <c>ProgramCreated</c> event once the transaction is in a block. The chain does not run or validate the bytecode.
    /// Preflight, in the order entropy-core v0.0.10 <c>set_program</c> checks: length (bytecode + configuration interface ≤
    /// <c>MaxBytecodeLength</c>), not already stored, fee + deposit + existential deposit affordable, fewer than <c>MaxOwnedPrograms</c>.
    /// </remarks>
    /// <param name="waitUntil">Return once the node accepted the transaction (<see cref="WaitUntil.Started"/>) or once it is in a block with the program stored (<see cref="WaitUntil.Completed"/>).</param>
    /// <param name="deployer">The account that signs, pays the fee and the deposit, and may later remove the program.</param>
    /// <param name="bytecode">The program's bytecode (for example a WebAssembly module).</param>
    /// <param name="configurationInterface">The description of the configuration the program takes; may be empty. It is part of the pointer.</param>
    /// <param name="cancellationToken">Cancels the call (a transaction already submitted stays submitted).</param>
    /// <returns>The operation; <see cref="ProgramOperation.Pointer"/> is the program's pointer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="deployer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ProgramPreflightException">The chain would refuse the program (too long, already stored, too many owned, not enough funds).</exception>
    /// <exception cref="InvalidTransactionException">The node's pool refused the transaction.</exception>
    /// <exception cref="EntropyException">(<see cref="WaitUntil.Completed"/>) The transaction left the pool without being included.</exception>
    /// <exception cref="DispatchException">(<see cref="WaitUntil.Completed"/>) The call failed in its block.</exception>
    /// <exception cref="EntropyTimeoutException">(<see cref="WaitUntil.Completed"/>) Not in a block within <see cref="EntropyClientOptions.RegistrationTimeout"/>.</exception>
    /// <exception cref="EntropyConnectionException">The connection failed before the transaction was submitted.</exception>
    public virtual async Task<ProgramOperation> DeployProgramAsync(
        WaitUntil waitUntil, Sr25519Signer deployer, ReadOnlyMemory<byte> bytecode, ReadOnlyMemory<byte> configurationInterface = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deployer);
        var pointer = ProgramPointer.Compute(bytecode.Span, configurationInterface.Span);
        return await TraceProgramCallAsync(ProgramOperationKind.Deploy, deployer.AccountId, pointer, activity => DeployProgramCoreAsync(activity, waitUntil, deployer, bytecode, configurationInterface, cancellationToken)).ConfigureAwait(false);
    }

    private async Task<ProgramOperation> DeployProgramCoreAsync(
        Activity? activity, WaitUntil waitUntil, Sr25519Signer deployer, ReadOnlyMemory<byte> bytecode, ReadOnlyMemory<byte> configurationInterface, CancellationToken cancellationToken)
    {
        var session = Session;
        var programs = Programs;
        var account = deployer.AccountId;
        var pointer = ProgramPointer.Compute(bytecode.Span, configurationInterface.Span);
        var length = bytecode.Length + configurationInterface.Length;

        // pallets/programs set_program @ a9463b08, in its order: length, already set, deposit (reserve), owned count.
        if (length > programs.MaxBytecodeLength)
        {
            throw new ProgramPreflightException(ProgramPreflightFailure.LengthExceeded, $"The program is {length} bytes (bytecode {bytecode.Length} + configuration interface {configurationInterface.Length}); the runtime allows at most {programs.MaxBytecodeLength} (MaxBytecodeLength, ProgramLengthExceeded).", pointer);
        }

        if (await session.GetStorageAsync(programs.ProgramKey(pointer), null, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new ProgramPreflightException(ProgramPreflightFailure.AlreadySet, $"Program {pointer} is already stored (ProgramAlreadySet): the same bytecode and configuration interface were deployed before. Use the pointer as it is, or change the configuration interface.", pointer);
        }

        var call = programs.EncodeSetProgram(bytecode.Span, configurationInterface.Span);
        await CheckAffordableAsync(account, call, programs.Deposit(length), "set_program", cancellationToken).ConfigureAwait(false);
        var owned = programs.DecodeOwned(await session.GetStorageAsync(programs.OwnedProgramsKey(account), null, cancellationToken).ConfigureAwait(false));
        if (owned.Count >= programs.MaxOwnedPrograms)
        {
            throw new ProgramPreflightException(ProgramPreflightFailure.TooManyProgramsOwned, $"{account} owns {owned.Count} programs, the most the runtime allows (MaxOwnedPrograms {programs.MaxOwnedPrograms}, TooManyProgramsOwned); remove one it no longer needs, or deploy from another account.", pointer);
        }

        return await SubmitProgramCallAsync(activity, waitUntil, ProgramOperationKind.Deploy, deployer, pointer, call,
            result =>
            {
                var created = result.FindEvents(ProgramsRuntime.Pallet, "ProgramCreated").ToList();
                var shape = new ValueShape(ProgramsRuntime.Pallet, "ProgramCreated");
                if (created.Count == 0)
                {
                    throw new EntropyException($"set_program was included in block #{result.BlockNumber} but emitted no ProgramCreated event; the runtime does not behave as entropy-core's Programs pallet.");
                }

                var reported = new ProgramPointer(shape.Bytes(shape.Field(created[0].Fields, "program_hash"), "program_hash", ProgramPointer.Length));
                if (reported != pointer)
                {
                    throw new EntropyException($"The chain stored the program under {reported}, but BlakeTwo256(bytecode ‖ configuration interface) is {pointer}: the runtime hashes programs differently from entropy-core v0.0.10. Use {reported}.");
                }
            },
            async ct => (await GetProgramAsync(pointer, ct).ConfigureAwait(false))?.Deployer == account,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a program (<c>Programs.Programs</c>): bytecode, configuration interface, deployer and reference count.</summary>
    /// <param name="pointer">The program's pointer.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The program, or <see langword="null"/> when none is stored at the pointer.</returns>
    /// <exception cref="EntropyConnectionException">The node could not be reached.</exception>
    /// <exception cref="MetadataException">The stored value does not have the layout this SDK supports.</exception>
    public virtual async Task<ProgramInfo?> GetProgramAsync(ProgramPointer pointer, CancellationToken cancellationToken = default)
    {
        var programs = Programs;
        var bytes = await Session.GetStorageAsync(programs.ProgramKey(pointer), null, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : programs.DecodeProgram(pointer, bytes);
    }

    /// <summary>Lists the programs an account deployed and has not removed (<c>Programs.OwnedPrograms</c>), oldest first.</summary>
    /// <param name="account">The deployer.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The pointers; empty when the account owns none.</returns>
    /// <exception cref="EntropyConnectionException">The node could not be reached.</exception>
    public virtual async Task<IReadOnlyList<ProgramPointer>> GetOwnedProgramsAsync(AccountId account, CancellationToken cancellationToken = default)
    {
        var programs = Programs;
        return programs.DecodeOwned(await Session.GetStorageAsync(programs.OwnedProgramsKey(account), null, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Removes a program (<c>Programs.remove_program</c>) and returns its deposit to the deployer.</summary>
    /// <remarks>Preflight, in the order entropy-core v0.0.10 <c>remove_program</c> checks: the program exists, the signer deployed it, no
    /// registration uses it (reference count 0), and the signer can pay the fee.</remarks>
    /// <param name="waitUntil">Return once the node accepted the transaction (<see cref="WaitUntil.Started"/>) or once the program is gone (<see cref="WaitUntil.Completed"/>).</param>
    /// <param name="deployer">The program's deployer; it signs and pays.</param>
    /// <param name="pointer">The program to remove.</param>
    /// <param name="cancellationToken">Cancels the call (a transaction already submitted stays submitted).</param>
    /// <returns>The operation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="deployer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ProgramPreflightException">No such program, the signer is not its deployer, registrations still use it (<see cref="ProgramPreflightFailure.ProgramInUse"/>, the message gives the count), or not enough funds.</exception>
    /// <inheritdoc cref="DeployProgramAsync" path="/exception[@cref='InvalidTransactionException']"/>
    /// <inheritdoc cref="DeployProgramAsync" path="/exception[@cref='EntropyException']"/>
    /// <inheritdoc cref="DeployProgramAsync" path="/exception[@cref='DispatchException']"/>
    /// <inheritdoc cref="DeployProgramAsync" path="/exception[@cref='EntropyTimeoutException']"/>
    /// <inheritdoc cref="DeployProgramAsync" path="/exception[@cref='EntropyConnectionException']"/>
    public virtual async Task<ProgramOperation> RemoveProgramAsync(WaitUntil waitUntil, Sr25519Signer deployer, ProgramPointer pointer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deployer);
        return await TraceProgramCallAsync(ProgramOperationKind.Remove, deployer.AccountId, pointer, activity => RemoveProgramCoreAsync(activity, waitUntil, deployer, pointer, cancellationToken)).ConfigureAwait(false);
    }

    private async Task<ProgramOperation> RemoveProgramCoreAsync(Activity? activity, WaitUntil waitUntil, Sr25519Signer deployer, ProgramPointer pointer, CancellationToken cancellationToken)
    {
        var account = deployer.AccountId;

        // pallets/programs remove_program @ a9463b08: NoProgramDefined, NotAuthorized, ProgramInUse.
        var program = await GetProgramAsync(pointer, cancellationToken).ConfigureAwait(false)
            ?? throw new ProgramPreflightException(ProgramPreflightFailure.ProgramNotFound, $"No program is stored at {pointer} (NoProgramDefined).", pointer);
        if (program.Deployer != account)
        {
            throw new ProgramPreflightException(ProgramPreflightFailure.NotDeployer, $"Program {pointer} was deployed by {program.Deployer}; only its deployer may remove it, not {account} (NotAuthorized).", pointer);
        }

        if (program.ReferenceCount > 0)
        {
            throw new ProgramPreflightException(ProgramPreflightFailure.ProgramInUse, $"Program {pointer} is used by {program.ReferenceCount} registration(s) or registration(s) in progress (ref_counter {program.ReferenceCount}, ProgramInUse); it can be removed once none uses it (change their programs with ChangeProgramsAsync, or prune registrations in progress).", pointer);
        }

        var call = Programs.EncodeRemoveProgram(pointer);
        await CheckAffordableAsync(account, call, 0, "remove_program", cancellationToken).ConfigureAwait(false);
        return await SubmitProgramCallAsync(activity, waitUntil, ProgramOperationKind.Remove, deployer, pointer, call,
            result =>
            {
                if (!result.FindEvents(ProgramsRuntime.Pallet, "ProgramRemoved").Any())
                {
                    throw new EntropyException($"remove_program was included in block #{result.BlockNumber} but emitted no ProgramRemoved event.");
                }
            },
            async ct => await GetProgramAsync(pointer, ct).ConfigureAwait(false) is null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the programs of a registration (<c>change_program_instance</c> of the registration pallet), signed by its program-modification account (Account Key).</summary>
    /// <remarks>Preflight: at least one and at most <c>MaxProgramHashes</c> instances, every program exists, the account is registered, and the
    /// signer is its program-modification account — the conditions of entropy-core v0.0.10 <c>change_program_instance</c>, which checks
    /// them in the order empty list, missing program (both <c>NoProgramSet</c>), <c>NotRegistered</c>, <c>NotAuthorized</c> — then the fee.</remarks>
    /// <param name="waitUntil">Return once the node accepted the transaction (<see cref="WaitUntil.Started"/>) or once the registration uses the new programs (<see cref="WaitUntil.Completed"/>).</param>
    /// <param name="programModificationAccount">The registration's Account Key; it signs and pays.</param>
    /// <param name="signatureRequestAccount">The registered account whose programs change.</param>
    /// <param name="programs">The new programs (ProgramsData), replacing the old ones.</param>
    /// <param name="cancellationToken">Cancels the call (a transaction already submitted stays submitted).</param>
    /// <returns>The operation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="programModificationAccount"/> or <paramref name="programs"/> is <see langword="null"/>.</exception>
    /// <exception cref="ProgramPreflightException">No programs, too many, a program is missing, the account is not registered, or the signer is not its Account Key; or not enough funds.</exception>
    /// <inheritdoc cref="DeployProgramAsync" path="/exception[@cref='InvalidTransactionException']"/>
    /// <inheritdoc cref="DeployProgramAsync" path="/exception[@cref='EntropyException']"/>
    /// <inheritdoc cref="DeployProgramAsync" path="/exception[@cref='DispatchException']"/>
    /// <inheritdoc cref="DeployProgramAsync" path="/exception[@cref='EntropyTimeoutException']"/>
    /// <inheritdoc cref="DeployProgramAsync" path="/exception[@cref='EntropyConnectionException']"/>
    public virtual async Task<ProgramOperation> ChangeProgramsAsync(
        WaitUntil waitUntil, Sr25519Signer programModificationAccount, AccountId signatureRequestAccount, IEnumerable<ProgramInstance> programs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(programModificationAccount);
        return await TraceProgramCallAsync(ProgramOperationKind.ChangePrograms, programModificationAccount.AccountId, null, activity => ChangeProgramsCoreAsync(activity, waitUntil, programModificationAccount, signatureRequestAccount, programs, cancellationToken)).ConfigureAwait(false);
    }

    private async Task<ProgramOperation> ChangeProgramsCoreAsync(
        Activity? activity, WaitUntil waitUntil, Sr25519Signer programModificationAccount, AccountId signatureRequestAccount, IEnumerable<ProgramInstance> programs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(programs);
        IReadOnlyList<ProgramInstance> list = [.. programs];
        var session = Session;
        var runtime = session.Runtime;
        if (list.Count == 0)
        {
            throw new ProgramPreflightException(ProgramPreflightFailure.NoPrograms, "No program was given; a registration needs at least one (NoProgramSet).");
        }

        if (list.Count > runtime.MaxProgramHashes)
        {
            throw new ProgramPreflightException(ProgramPreflightFailure.TooManyPrograms, $"{list.Count} programs were given; the runtime allows at most {runtime.MaxProgramHashes} (MaxProgramHashes: the call would not decode).");
        }

        foreach (var instance in list)
        {
            if (await session.GetStorageAsync(Programs.ProgramKey(instance.Pointer), null, cancellationToken).ConfigureAwait(false) is null)
            {
                throw new ProgramPreflightException(ProgramPreflightFailure.ProgramNotFound, $"Program {instance.Pointer} does not exist on chain (NoProgramSet); deploy it with DeployProgramAsync first.", instance.Pointer);
            }
        }

        var registration = await GetRegistrationAsync(signatureRequestAccount, cancellationToken).ConfigureAwait(false)
            ?? throw new ProgramPreflightException(ProgramPreflightFailure.NotRegistered, $"{signatureRequestAccount} is not registered (NotRegistered); only a registered account's programs can change.");
        var signer = programModificationAccount.AccountId;
        if (registration.ProgramModificationAccount != signer)
        {
            throw new ProgramPreflightException(ProgramPreflightFailure.NotProgramModificationAccount, $"{signer} is not the program-modification account (Account Key) of {signatureRequestAccount}; {registration.ProgramModificationAccount} is, and only it may change the programs (NotAuthorized).");
        }

        var call = runtime.EncodeChangeProgramInstance(signatureRequestAccount, list);
        await CheckAffordableAsync(signer, call, 0, "change_program_instance", cancellationToken).ConfigureAwait(false);
        return await SubmitProgramCallAsync(activity, waitUntil, ProgramOperationKind.ChangePrograms, programModificationAccount, null, call,
            result =>
            {
                // ProgramInfoChanged(who, new_program_instance): `who` is the signer, the program-modification account
                // (pallets/relayer change_program_instance @ a9463b08, pallets/registry @ d7a7f3c2), not the signature-request account.
                var shape = new ValueShape(runtime.RegistrationPallet, "ProgramInfoChanged");
                var changed = result.FindEvents(runtime.RegistrationPallet, "ProgramInfoChanged").ToList();
                if (changed.Count == 0)
                {
                    throw new EntropyException($"change_program_instance was included in block #{result.BlockNumber} but emitted no ProgramInfoChanged event.");
                }

                if (!changed.Any(e => e.Fields.Count == 2 && shape.Bytes(e.Fields[0], "who", AccountId.Length).AsSpan().SequenceEqual(signer.AsSpan())))
                {
                    throw new EntropyException($"change_program_instance was included in block #{result.BlockNumber}, but its ProgramInfoChanged event does not name the signer {signer} as `who`.");
                }
            },
            async ct => UsesPrograms(await GetRegistrationAsync(signatureRequestAccount, ct).ConfigureAwait(false), list),
            cancellationToken).ConfigureAwait(false);
    }

    private static bool UsesPrograms(Registration? registration, IReadOnlyList<ProgramInstance> programs) =>
        registration is not null && registration.Programs.SequenceEqual(programs);

    private ProgramsRuntime Programs
    {
        get
        {
            var metadata = Session.Metadata;
            var current = Volatile.Read(ref _programs);
            if (current is null || !ReferenceEquals(current.Metadata, metadata))
            {
                current = new ProgramsRuntime(metadata);
                Volatile.Write(ref _programs, current);
            }

            return current;
        }
    }

    /// <summary>Fee + deposit + existential deposit must fit the free balance (<c>ChargeTransactionPayment</c> withdraws with KeepAlive, then the deposit is reserved).</summary>
    private async Task CheckAffordableAsync(AccountId account, byte[] call, UInt128 deposit, string callName, CancellationToken cancellationToken)
    {
        var session = Session;
        var info = await session.Chain.GetAccountInfoAsync(account, null, cancellationToken).ConfigureAwait(false);
        var fee = await session.EstimateFeeAsync(call, account, info.Nonce, 0, _options.MortalityPeriod, cancellationToken).ConfigureAwait(false);
        if (fee is null)
        {
            Logger.LogDebug("The node has no payment_queryInfo; checking {Call} against the deposit only", callName);
        }

        var ed = Programs.ExistentialDeposit;
        var needed = (fee ?? 0) + deposit + ed;
        var free = (UInt128)info.Free;
        if (free < needed)
        {
            var unit = await GetTokenUnitAsync(cancellationToken).ConfigureAwait(false);
            var parts = $"fee {(fee is { } f ? ProgramsRuntime.FormatAmount(f, unit) : "unknown")}"
                + (deposit > 0 ? $" + deposit {ProgramsRuntime.FormatAmount(deposit, unit)}" : string.Empty)
                + $" + existential deposit {ProgramsRuntime.FormatAmount(ed, unit)}";
            throw new ProgramPreflightException(ProgramPreflightFailure.InsufficientBalance, $"{account} has {ProgramsRuntime.FormatAmount(free, unit)} free, but {callName} needs {ProgramsRuntime.FormatAmount(needed, unit)} ({parts}); fund the account first.");
        }
    }

    internal Task<TokenUnit?> GetTokenUnitAsync(CancellationToken cancellationToken)
    {
        var task = Volatile.Read(ref _tokenUnit);
        if (task is null || task.IsFaulted || task.IsCanceled)
        {
            task = ReadTokenUnitAsync(cancellationToken);
            Volatile.Write(ref _tokenUnit, task);
        }

        return task;
    }

    private async Task<TokenUnit?> ReadTokenUnitAsync(CancellationToken cancellationToken)
    {
        try
        {
            return ProgramsRuntime.ParseTokenUnit(await Session.Chain.Rpc.InvokeIdempotentAsync("system_properties", null, cancellationToken).ConfigureAwait(false));
        }
        catch (EntropyRpcException)
        {
            return null;
        }
    }

    private async Task<ProgramOperation> SubmitProgramCallAsync(
        Activity? activity, WaitUntil waitUntil, ProgramOperationKind kind, Sr25519Signer signer, ProgramPointer? pointer, byte[] call,
        Action<ExtrinsicResult> check, Func<CancellationToken, Task<bool>> effectVisible, CancellationToken cancellationToken)
    {
        var session = Session;
        var extrinsic = await session.SignAsync(call, signer, 0, _options.MortalityPeriod, cancellationToken).ConfigureAwait(false);
        var id = "0x" + Convert.ToHexStringLower(extrinsic.Hash.Span);
        var submitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var timeout = _options.RegistrationTimeout;
        var operation = new ProgramOperation(kind, signer.AccountId, pointer, id, op => FollowAsync(op));
        var completion = operation.WaitForCompletionAsync(CancellationToken.None);
        if (waitUntil == WaitUntil.Completed)
        {
            await completion.WaitAsync(cancellationToken).ConfigureAwait(false);
            return operation;
        }

        // Started: the node accepted it, or it failed before that (pool refusal, connection failure before acceptance).
        var first = await Task.WhenAny(submitted.Task, completion).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (first == completion)
        {
            await completion.ConfigureAwait(false);
        }

        return operation;

        async Task FollowAsync(ProgramOperation op)
        {
            await Task.Yield();
            using var limit = new CancellationTokenSource(timeout, _options.TimeProvider);
            var accepted = false;
            var started = _options.TimeProvider.GetTimestamp();
            try
            {
                ExtrinsicResult result;
                try
                {
                    result = await session.SubmitAndWatchAsync(
                        extrinsic,
                        signer.AccountId,
                        () =>
                        {
                            accepted = true;
                            activity?.AddEvent(new ActivityEvent("submitted"));
                            submitted.TrySetResult();
                            Logger.LogInformation("Submitted {Kind} by {Account}: transaction {Hash}", kind, signer.AccountId, id);
                        },
                        limit.Token).ConfigureAwait(false);
                }
                catch (EntropyConnectionException e) when (accepted)
                {
                    // Never resubmit: wait for the effect to show in chain state.
                    Logger.LogWarning(e, "Lost the watch of {Kind} transaction {Hash}; following chain state", kind, id);
                    while (!await effectVisible(limit.Token).ConfigureAwait(false))
                    {
                        await Task.Delay(_options.PollingInterval, _options.TimeProvider, limit.Token).ConfigureAwait(false);
                    }

                    return;
                }

                check(result);
                op.SetIncluded(result);
                if (activity is not null)
                {
                    activity.SetTag("entropy.block.number", (long)result.BlockNumber);
                    activity.AddEvent(new ActivityEvent("in_block"));
                }
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested)
            {
                throw new EntropyTimeoutException($"{kind} transaction {id}", Endpoint, timeout, _options.TimeProvider.GetElapsedTime(started));
            }
        }
    }

    /// <summary>Runs a program call in its span (the span is the current activity, so its RPC calls are children); the span ends
    /// when the operation does — after a <see cref="WaitUntil.Started"/> return, when the transaction is in a block or fails.</summary>
    private async Task<ProgramOperation> TraceProgramCallAsync(ProgramOperationKind kind, AccountId signer, ProgramPointer? pointer, Func<Activity?, Task<ProgramOperation>> run)
    {
        var activity = StartProgramSpan(kind, signer, pointer);
        if (activity is null)
        {
            return await run(null).ConfigureAwait(false);
        }

        ProgramOperation operation;
        try
        {
            operation = await run(activity).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            EndProgramSpan(activity, ex);
            throw;
        }

        activity.SetTag("entropy.operation.id", operation.Id);
        _ = EndWhenDoneAsync(activity, operation);
        return operation;

        static async Task EndWhenDoneAsync(Activity activity, ProgramOperation operation)
        {
            try
            {
                await operation.WaitForCompletionAsync(CancellationToken.None).ConfigureAwait(false);
                EndProgramSpan(activity, null);
            }
            catch (Exception ex)
            {
                EndProgramSpan(activity, ex);
            }
        }
    }

    private Activity? StartProgramSpan(ProgramOperationKind kind, AccountId signer, ProgramPointer? pointer)
    {
        var activity = EntropyTelemetry.Source.StartActivity(kind switch
        {
            ProgramOperationKind.Deploy => "EntropyClient.DeployProgram",
            ProgramOperationKind.Remove => "EntropyClient.RemoveProgram",
            _ => "EntropyClient.ChangePrograms",
        });
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("entropy.account", signer.ToSs58());
            if (pointer is { } p)
            {
                activity.SetTag("entropy.program.pointer", p.ToString());
            }

            if (Endpoint is { } endpoint)
            {
                EntropyTelemetry.SetServer(activity, endpoint);
            }
        }

        return activity;
    }

    private static void EndProgramSpan(Activity? activity, Exception? failure)
    {
        if (activity is null)
        {
            return;
        }

        if (failure is not null)
        {
            var errorType = EntropyTelemetry.ErrorType(failure);
            activity.AddEvent(new ActivityEvent("failed", tags: new ActivityTagsCollection { ["error.type"] = errorType }));
            EntropyTelemetry.SetFailed(activity, errorType, failure);
        }
        else
        {
            activity.SetStatus(ActivityStatusCode.Ok);
        }

        activity.Dispose();
    }
}

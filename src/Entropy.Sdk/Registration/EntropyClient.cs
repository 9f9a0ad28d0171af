using System.Text.Json;
using Entropy.Crypto;
using Entropy.Diagnostics;
using Entropy.Extrinsics;
using Entropy.Metadata;
using Entropy.Rpc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Entropy;

/// <summary>The entry point of the SDK: registers accounts on an Entropy chain and reads their registration state.</summary>
/// <remarks>
/// One instance is thread-safe and meant to be shared; dispose it to close the connection. All names (pallets, calls, storage
/// items, types) are resolved through the runtime metadata the node serves, so the same client works against the v0.0.10
/// (<c>Relayer</c>) and 2024-03-21 (<c>Registry</c>) runtimes. Methods are virtual and a protected constructor exists for mocking.
/// </remarks>
public partial class EntropyClient : IAsyncDisposable
{
    private readonly ChainSession? _session;
    private readonly EntropyClientOptions _options = new();
    private readonly ILogger _logger = NullLogger.Instance;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Dictionary<AccountId, InFlight> _inFlight = [];
    private int _disposed;

    /// <summary>Creates a client for mocking in tests; every virtual method must be set up.</summary>
    protected EntropyClient()
    {
    }

    private EntropyClient(ChainSession session, EntropyClientOptions options, Uri endpoint)
    {
        _session = session;
        _options = options;
        Endpoint = endpoint;
        _logger = options.LoggerFactory?.CreateLogger<EntropyClient>() ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Gets the node endpoint this client is connected to.</summary>
    public virtual Uri? Endpoint { get; }

    internal EntropyClientOptions Options => _options;

    internal ILogger Logger => _logger;

    /// <summary>Gets a token cancelled when the client is disposed: it ends every registration wait.</summary>
    internal CancellationToken Lifetime => _lifetime.Token;

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    internal ChainSession Session
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _session ?? throw new InvalidOperationException("This EntropyClient was created for mocking and is not connected.");
        }
    }

    /// <summary>Connects to a node over JSON-RPC (WebSocket), reads its genesis hash, runtime version and metadata.</summary>
    /// <param name="endpoint">The node's <c>ws://</c> or <c>wss://</c> endpoint.</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The connected client.</returns>
    /// <exception cref="ArgumentException"><paramref name="endpoint"/> is not a <c>ws://</c> or <c>wss://</c> URI, or an option is invalid (the message names it).</exception>
    /// <exception cref="EntropyConnectionException">The node could not be reached.</exception>
    /// <exception cref="EntropyTimeoutException">Connecting and the initial reads took longer than <see cref="RpcClientOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="EntropyRpcException">The node refused a request.</exception>
    /// <exception cref="MetadataException">The node's metadata could not be decoded, or its runtime has no registration pallet with access modes.</exception>
    public static async Task<EntropyClient> ConnectAsync(Uri endpoint, EntropyClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        options ??= new EntropyClientOptions();
        options.Validate();
        var snapshot = options.Snapshot();
        using var activity = EntropyTelemetry.Source.StartActivity("EntropyClient.Connect");
        if (activity is not null)
        {
            EntropyTelemetry.SetServer(activity, endpoint);
        }

        // RpcClientOptions.ConnectTimeout bounds the whole connect: opening the socket and the initial reads.
        ChainSession session;
        try
        {
            session = await RpcClient.ConnectAndInitializeAsync(
                endpoint,
                snapshot.Rpc,
                (rpc, ct) => ChainSession.OpenAsync(rpc, followHeads: true, snapshot.TimeProvider, snapshot.LoggerFactory, ct),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (activity is not null)
        {
            EntropyTelemetry.SetFailed(activity, EntropyTelemetry.ErrorType(ex), ex);
            throw;
        }

        activity?.SetTag("entropy.registration.pallet", session.Runtime.RegistrationPallet);
        var client = new EntropyClient(session, snapshot, endpoint);
        client._logger.LogInformation("Connected to {Endpoint}: registration pallet {Pallet}, metadata V{Version}", endpoint, session.Runtime.RegistrationPallet, session.Metadata.Version);
        return client;
    }

    /// <summary>Registers the signer's account with one program (empty configuration), Public access mode, the signer as Account Key.</summary>
    /// <param name="waitUntil">Return once <c>register</c> is in a block (<see cref="WaitUntil.Started"/>) or once the account is registered (<see cref="WaitUntil.Completed"/>).</param>
    /// <param name="signer">The signature request account; it signs and pays.</param>
    /// <param name="program">A program already on chain (a chain of this design has none at genesis: deploy one first).</param>
    /// <param name="cancellationToken">Cancels the call (a transaction already submitted stays submitted).</param>
    /// <returns>The registration operation.</returns>
    /// <inheritdoc cref="RegisterAsync(WaitUntil, RegisterRequest, IProgress{RegistrationProgress}?, CancellationToken)" path="/exception"/>
    public virtual Task<RegisterOperation> RegisterAsync(WaitUntil waitUntil, Sr25519Signer signer, ProgramPointer program, CancellationToken cancellationToken = default)
    {
        var request = new RegisterRequest(signer);
        request.Programs.Add(new ProgramInstance(program, []));
        return RegisterAsync(waitUntil, request, null, cancellationToken);
    }

    /// <summary>Registers an account: checks the request against chain state, signs and submits <c>register</c>, and follows it.</summary>
    /// <remarks>
    /// <para>In the Private access mode the call also takes part in the key generation as the extra party (even with
    /// <see cref="WaitUntil.Started"/>) and hands the user's share over in <see cref="RegisterOperation.KeyShare"/>.</para>
    /// <para>Once signed, the whole call ends within <see cref="EntropyClientOptions.RegistrationTimeout"/> whatever the node does. Every
    /// failure after the node may have received the transaction carries the operation id (<see cref="EntropyException.OperationId"/>,
    /// <see cref="EntropyOperationCanceledException.OperationId"/>): the registration may go on on chain; follow it with
    /// <see cref="RegisterOperation(string, EntropyClient)"/>, never by registering again. Two calls for the same account through one
    /// client never both pay for <c>register</c>: the second fails before signing.</para>
    /// </remarks>
    /// <param name="waitUntil">Return once <c>register</c> is in a block (<see cref="WaitUntil.Started"/>) or once the account is registered (<see cref="WaitUntil.Completed"/>).</param>
    /// <param name="request">What to register.</param>
    /// <param name="progress">Receives each stage as it is observed (Submitted, InBlock, CommitteeSelected, KeyGenerated, Confirmed, Registered); may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call (a transaction already submitted stays submitted; resume with the operation id).</param>
    /// <returns>The registration operation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="RegistrationPreflightException">The chain would reject the request (already registered, unknown program, too many programs, not enough funds, unsupported access mode, Private mode without an x25519 key pair), or a registration of the account is already in flight through this client.</exception>
    /// <exception cref="PrivateKeyGenerationException">(Private mode) A committee server could not be reached, refused the user, or timed out; the server is named.</exception>
    /// <exception cref="Protocol.Dkg.DkgException">(Private mode) The key generation failed; the cheating or silent parties are named.</exception>
    /// <exception cref="InvalidTransactionException">The node's pool refused the transaction.</exception>
    /// <exception cref="TransactionException">The transaction left the pool without being included (<see cref="TransactionFailureKind.Dropped"/>), or its call failed in its block (<see cref="DispatchException"/>).</exception>
    /// <exception cref="RegistrationEndedException">(<see cref="WaitUntil.Completed"/>) The registration ended without the account being registered.</exception>
    /// <exception cref="RegistrationTimeoutException">Not done within <see cref="EntropyClientOptions.RegistrationTimeout"/>; carries the operation id.</exception>
    /// <exception cref="EntropyOperationCanceledException"><paramref name="cancellationToken"/> was cancelled after signing; carries the operation id.</exception>
    /// <exception cref="EntropyConnectionException">The connection failed, or the client was disposed during the call (then with the operation id).</exception>
    public virtual async Task<RegisterOperation> RegisterAsync(WaitUntil waitUntil, RegisterRequest request, IProgress<RegistrationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var session = Session;
        using var activity = RegisterOperation.StartRegisterSpan(request.Signer.AccountId, request.AccessMode, waitUntil, Endpoint);
        RegisterOperation? operation = null;
        try
        {
            var result = await RegisterCoreAsync(session, waitUntil, request, progress, activity, o => operation = o, cancellationToken).ConfigureAwait(false);
            operation?.RecordCallEnd(activity, null);
            return result;
        }
        catch (Exception ex)
        {
            if (operation is null)
            {
                RegisterOperation.RecordFailureBeforeSubmission(activity, Endpoint, ex);
            }
            else
            {
                operation.RecordCallEnd(activity, ex);
            }

            throw;
        }
        finally
        {
            operation?.DetachSpan(activity);
        }
    }

    private async Task<RegisterOperation> RegisterCoreAsync(
        ChainSession session,
        WaitUntil waitUntil,
        RegisterRequest request,
        IProgress<RegistrationProgress>? progress,
        System.Diagnostics.Activity? activity,
        Action<RegisterOperation> created,
        CancellationToken cancellationToken)
    {
        var runtime = session.Runtime;
        var account = request.Signer.AccountId;
        IReadOnlyList<ProgramInstance> programs = [.. request.Programs];

        // Client-side checks first: nothing is read or signed for a request that cannot be valid.
        if (programs.Count == 0)
        {
            // pallets/relayer register @ a9463b08: ensure!(!programs_data.is_empty(), NoProgramSet).
            throw new RegistrationPreflightException(RegistrationPreflightFailure.NoPrograms, "No program was given: add at least one to RegisterRequest.Programs (the chain refuses an empty list with NoProgramSet). Deploy one with Programs.set_program if the chain has none.");
        }

        if (programs.Count > runtime.MaxProgramHashes)
        {
            throw new RegistrationPreflightException(RegistrationPreflightFailure.TooManyPrograms, $"{programs.Count} programs were given; the runtime allows at most {runtime.MaxProgramHashes} (MaxProgramHashes).");
        }

        if (request.AccessMode == AccessMode.Private && request.UserX25519KeyPair is null)
        {
            throw new RegistrationPreflightException(RegistrationPreflightFailure.MissingX25519Key, "The Private access mode needs the user's x25519 key pair, to join the key generation: set RegisterRequest.UserX25519KeyPair (for example X25519KeyPair.Generate()).");
        }

        var privateKey = request.AccessMode == AccessMode.Private ? request.UserX25519KeyPair : null;
        var call = runtime.EncodeRegister(
            request.ProgramModificationAccount ?? account,
            request.AccessMode,
            privateKey is { } keyPair ? keyPair.PublicKey.AsSpan() : default,
            programs);

        using var claim = ClaimAccount(account);
        await PreflightAsync(session, account, programs, call, cancellationToken).ConfigureAwait(false);

        var (extrinsic, eraDeath) = await session.SignWithEraDeathAsync(call, request.Signer, _options.Tip, _options.MortalityPeriod, cancellationToken).ConfigureAwait(false);
        var operation = new RegisterOperation(this, account, extrinsic.Hash.ToArray(), eraDeath);
        claim.Operation = operation;
        created(operation);
        operation.AttachSpan(activity);
        return await operation.RunAsync(waitUntil, extrinsic, request.Signer, privateKey, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads an account's registration (<c>Registered</c>), or <see langword="null"/> when it is not registered.</summary>
    /// <param name="account">The signature request account.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The registration, or <see langword="null"/>.</returns>
    /// <exception cref="EntropyConnectionException">The node could not be reached.</exception>
    public virtual async Task<Registration?> GetRegistrationAsync(AccountId account, CancellationToken cancellationToken = default)
    {
        var session = Session;
        var bytes = await session.GetStorageAsync(session.Runtime.RegisteredKey(account), null, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : session.Runtime.DecodeRegistered(account, bytes, null, null);
    }

    /// <summary>Reads an account's registration in progress (<c>Registering</c>, with the confirmations so far), or <see langword="null"/> when there is none.</summary>
    /// <param name="account">The signature request account.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The registration in progress, or <see langword="null"/>.</returns>
    /// <exception cref="EntropyConnectionException">The node could not be reached.</exception>
    public virtual async Task<RegisteringStatus?> GetRegisteringAsync(AccountId account, CancellationToken cancellationToken = default)
    {
        var session = Session;
        var bytes = await session.GetStorageAsync(session.Runtime.RegisteringKey(account), null, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : session.Runtime.DecodeRegistering(account, bytes);
    }

    /// <summary>Tells whether an account is registered.</summary>
    /// <param name="account">The signature request account.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns><see langword="true"/> when <c>Registered</c> holds an entry for the account.</returns>
    /// <exception cref="EntropyConnectionException">The node could not be reached.</exception>
    public virtual async Task<bool> IsRegisteredAsync(AccountId account, CancellationToken cancellationToken = default)
    {
        var session = Session;
        return await session.GetStorageAsync(session.Runtime.RegisteredKey(account), null, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>Computes the DKG committee that handles registrations included in the block before <paramref name="blockNumber"/> (one synced validator per signing subgroup).</summary>
    /// <param name="blockNumber">The block the off-chain worker runs at (the <c>register</c> block + 1).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The committee, ordered by subgroup.</returns>
    /// <exception cref="EntropyException">The chain has no synced validator in a subgroup.</exception>
    public virtual Task<IReadOnlyList<ThresholdServer>> GetDkgCommitteeAsync(uint blockNumber, CancellationToken cancellationToken = default) =>
        Session.GetCommitteeAsync(blockNumber, null, cancellationToken);

    /// <summary>Leaves a registration that is stuck (<c>prune_registration</c>), waiting until the call is in a block.</summary>
    /// <param name="signer">The signature request account whose registration to prune.</param>
    /// <param name="cancellationToken">Cancels the wait (the transaction stays submitted).</param>
    /// <returns>A task that completes when <c>RegistrationCancelled</c> was emitted.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="signer"/> is <see langword="null"/>.</exception>
    /// <exception cref="DispatchException">The call failed, for example with <c>NotRegistering</c>.</exception>
    /// <exception cref="InvalidTransactionException">The node's pool refused the transaction.</exception>
    public virtual async Task PruneRegistrationAsync(Sr25519Signer signer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var session = Session;
        using var activity = EntropyTelemetry.Source.StartActivity("EntropyClient.PruneRegistration");
        activity?.SetTag("entropy.account", signer.AccountId.ToSs58());
        try
        {
            var extrinsic = await session.SignAsync(session.Runtime.EncodePruneRegistration(), signer, _options.Tip, _options.MortalityPeriod, cancellationToken).ConfigureAwait(false);
            await session.SubmitAndWatchAsync(extrinsic, signer.AccountId, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (activity is not null)
        {
            EntropyTelemetry.SetFailed(activity, EntropyTelemetry.ErrorType(ex), ex);
            throw;
        }
    }

    /// <summary>Closes the connection to the node.</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        if (_session is not null)
        {
            await _session.DisposeAsync().ConfigureAwait(false);
            await _session.Chain.Rpc.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }
}

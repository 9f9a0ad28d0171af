using System.Text.Json;
using Entropy.Crypto;
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
public class EntropyClient : IAsyncDisposable
{
    private readonly ChainSession? _session;
    private readonly EntropyClientOptions _options = new();
    private readonly ILogger _logger = NullLogger.Instance;
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
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    /// <exception cref="EntropyConnectionException">The node could not be reached.</exception>
    /// <exception cref="EntropyRpcException">The node refused a request.</exception>
    /// <exception cref="MetadataException">The node's metadata could not be decoded, or its runtime has no registration pallet with access modes.</exception>
    public static async Task<EntropyClient> ConnectAsync(Uri endpoint, EntropyClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        options ??= new EntropyClientOptions();
        options.Validate();
        if (options.LoggerFactory is not null && options.Rpc.Logger is null)
        {
            options.Rpc.Logger = options.LoggerFactory.CreateLogger<RpcClient>();
        }

        var rpc = await RpcClient.ConnectAsync(endpoint, options.Rpc, cancellationToken).ConfigureAwait(false);
        try
        {
            var session = await ChainSession.OpenAsync(rpc, cancellationToken).ConfigureAwait(false);
            var client = new EntropyClient(session, options, endpoint);
            client._logger.LogInformation("Connected to {Endpoint}: registration pallet {Pallet}, metadata V{Version}", endpoint, session.Runtime.RegistrationPallet, session.Metadata.Version);
            return client;
        }
        catch
        {
            await rpc.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Registers the signer's account with the defaults: the device-key-proxy program, Public access mode, the signer as Account Key.</summary>
    /// <param name="waitUntil">Return once <c>register</c> is in a block (<see cref="WaitUntil.Started"/>) or once the account is registered (<see cref="WaitUntil.Completed"/>).</param>
    /// <param name="signer">The signature request account; it signs and pays.</param>
    /// <param name="cancellationToken">Cancels the call (a transaction already submitted stays submitted).</param>
    /// <returns>The registration operation.</returns>
    /// <inheritdoc cref="RegisterAsync(WaitUntil, RegisterRequest, CancellationToken)" path="/exception"/>
    public virtual Task<RegisterOperation> RegisterAsync(WaitUntil waitUntil, Sr25519Signer signer, CancellationToken cancellationToken = default) =>
        RegisterAsync(waitUntil, new RegisterRequest(signer), cancellationToken);

    /// <summary>Registers an account: checks the request against chain state, signs and submits <c>register</c>, and follows it.</summary>
    /// <remarks>In the Private access mode the call also takes part in the key generation as the extra party (even with
    /// <see cref="WaitUntil.Started"/>) and hands the user's share over in <see cref="RegisterOperation.KeyShare"/>.</remarks>
    /// <param name="waitUntil">Return once <c>register</c> is in a block (<see cref="WaitUntil.Started"/>) or once the account is registered (<see cref="WaitUntil.Completed"/>).</param>
    /// <param name="request">What to register.</param>
    /// <param name="cancellationToken">Cancels the call (a transaction already submitted stays submitted; resume with <see cref="RegisterOperation.Id"/>).</param>
    /// <returns>The registration operation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="RegistrationPreflightException">The chain would reject the request (already registered, unknown program, too many programs, not enough funds, unsupported access mode, Private mode without an x25519 key pair).</exception>
    /// <exception cref="PrivateKeyGenerationException">(Private mode) A committee server could not be reached, refused the user, or timed out; the server is named.</exception>
    /// <exception cref="Protocol.Dkg.DkgException">(Private mode) The key generation failed; the cheating or silent parties are named.</exception>
    /// <exception cref="InvalidTransactionException">The node's pool refused the transaction.</exception>
    /// <exception cref="TransactionDroppedException">The transaction left the pool without being included.</exception>
    /// <exception cref="DispatchException">The call failed in its block.</exception>
    /// <exception cref="RegistrationFailedException">(<see cref="WaitUntil.Completed"/>) The servers confirmed different keys.</exception>
    /// <exception cref="RegistrationCancelledException">(<see cref="WaitUntil.Completed"/>) The registration was pruned.</exception>
    /// <exception cref="RegistrationTimeoutException">(<see cref="WaitUntil.Completed"/>) Not registered within <see cref="EntropyClientOptions.RegistrationTimeout"/>.</exception>
    /// <exception cref="EntropyConnectionException">The connection failed before the transaction was submitted.</exception>
    public virtual async Task<RegisterOperation> RegisterAsync(WaitUntil waitUntil, RegisterRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var session = Session;
        var runtime = session.Runtime;
        var account = request.Signer.AccountId;
        var programs = request.EffectivePrograms();

        // Client-side checks first: nothing is read or signed for a request that cannot be valid.
        if (programs.Count > runtime.MaxProgramHashes)
        {
            throw new RegistrationPreflightException(RegistrationPreflightFailure.TooManyPrograms, $"{programs.Count} programs were given; the runtime allows at most {runtime.MaxProgramHashes} (MaxProgramHashes).");
        }

        X25519PublicKey? userX25519 = request.UserX25519PublicKey;
        if (request.AccessMode == AccessMode.Private)
        {
            if (request.UserX25519KeyPair is not { } keyPair)
            {
                throw new RegistrationPreflightException(RegistrationPreflightFailure.MissingX25519Key, "The Private access mode needs the user's x25519 key pair, to join the key generation: set RegisterRequest.UserX25519KeyPair (for example X25519KeyPair.Generate()).");
            }

            if (userX25519 is { } given && given != keyPair.PublicKey)
            {
                throw new RegistrationPreflightException(RegistrationPreflightFailure.MissingX25519Key, "RegisterRequest.UserX25519PublicKey differs from the public key of RegisterRequest.UserX25519KeyPair; set only the key pair.");
            }

            userX25519 = keyPair.PublicKey;
        }

        var call = runtime.EncodeRegister(
            request.ProgramModificationAccount ?? account,
            request.AccessMode,
            userX25519 is { } x ? x.AsSpan() : default,
            programs);

        await PreflightAsync(session, account, programs, call, cancellationToken).ConfigureAwait(false);

        var extrinsic = await session.SignAsync(call, request.Signer, request.Tip, request.MortalityPeriod ?? _options.MortalityPeriod, cancellationToken).ConfigureAwait(false);
        var operation = new RegisterOperation(this, account, extrinsic.Hash.ToArray(), request.Progress, extrinsic.Parameters.Era);
        await operation.SubmitAsync(extrinsic, cancellationToken).ConfigureAwait(false);
        if (request.AccessMode == AccessMode.Private)
        {
            // The user is a DKG party: without it the servers cannot finish, so this runs even for WaitUntil.Started.
            await operation.GenerateKeyShareAsync(request.Signer, request.UserX25519KeyPair!, cancellationToken).ConfigureAwait(false);
        }

        if (waitUntil == WaitUntil.Completed)
        {
            await operation.WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);
        }

        return operation;
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
        var extrinsic = await session.SignAsync(session.Runtime.EncodePruneRegistration(), signer, 0, _options.MortalityPeriod, cancellationToken).ConfigureAwait(false);
        await session.SubmitAndWatchAsync(extrinsic, signer.AccountId, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the connection to the node.</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_session is not null)
        {
            await _session.DisposeAsync().ConfigureAwait(false);
            await _session.Rpc.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    private async Task PreflightAsync(ChainSession session, AccountId account, IReadOnlyList<ProgramInstance> programs, byte[] call, CancellationToken cancellationToken)
    {
        var runtime = session.Runtime;
        if (await session.GetStorageAsync(runtime.RegisteredKey(account), null, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new RegistrationPreflightException(RegistrationPreflightFailure.AlreadyRegistered, $"{account} is already registered; read it with GetRegistrationAsync.");
        }

        if (await session.GetStorageAsync(runtime.RegisteringKey(account), null, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new RegistrationPreflightException(RegistrationPreflightFailure.AlreadyRegistering, $"{account} already has a registration in progress; wait for it, or leave it with PruneRegistrationAsync.");
        }

        foreach (var program in programs)
        {
            if (await session.GetStorageAsync(runtime.ProgramKey(program.Pointer), null, cancellationToken).ConfigureAwait(false) is null)
            {
                throw new RegistrationPreflightException(RegistrationPreflightFailure.ProgramNotFound, $"Program {program.Pointer} does not exist on chain (Programs.Programs); store it with Programs.set_program first, or use another pointer.");
            }
        }

        var fee = await session.EstimateFeeAsync(call, account, cancellationToken).ConfigureAwait(false);
        if (fee is { } f)
        {
            var free = await session.GetFreeBalanceAsync(account, cancellationToken).ConfigureAwait(false);
            if (free < f)
            {
                throw new RegistrationPreflightException(RegistrationPreflightFailure.InsufficientBalance, $"{account} has {free} free but the register transaction costs about {f}; fund the account first.");
            }
        }
        else
        {
            _logger.LogDebug("The node has no payment_queryInfo; skipping the fee check");
        }
    }
}

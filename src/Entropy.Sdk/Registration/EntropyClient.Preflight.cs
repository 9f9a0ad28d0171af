using Microsoft.Extensions.Logging;

namespace Entropy;

/// <content>The checks before signing: one batched state read and a fee query, and the one-registration-per-account rule of a client.</content>
public partial class EntropyClient
{
    /// <summary>Reads, in one request, the account's <c>Registered</c> and <c>Registering</c> entries, the programs and the signer's balance; then asks the fee (fee + existential deposit must fit the free balance).</summary>
    private async Task PreflightAsync(ChainSession session, AccountId account, IReadOnlyList<ProgramInstance> programs, byte[] call, CancellationToken cancellationToken)
    {
        var runtime = session.Runtime;
        byte[][] keys = [runtime.RegisteredKey(account), runtime.RegisteringKey(account), session.AccountInfoKey(account), .. programs.Select(p => runtime.ProgramKey(p.Pointer))];
        // Estimated alongside the state read with nonce 0 (a fresh account's); asked again below when the account's nonce is longer.
        var feeTask = session.EstimateFeeAsync(call, account, 0, _options.Tip, _options.MortalityPeriod, cancellationToken);
        IReadOnlyList<byte[]?> values;
        try
        {
            values = await session.GetStoragesAsync(keys, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The fee query runs alongside; observe it even when the state read failed.
            _ = await Task.WhenAny(feeTask).ConfigureAwait(false);
        }

        if (values[0] is not null)
        {
            throw new RegistrationPreflightException(RegistrationPreflightFailure.AlreadyRegistered, $"{account} is already registered; read it with GetRegistrationAsync.");
        }

        if (values[1] is not null)
        {
            throw new RegistrationPreflightException(RegistrationPreflightFailure.AlreadyRegistering, $"{account} already has a registration in progress; wait for it, or leave it with PruneRegistrationAsync.");
        }

        for (var i = 0; i < programs.Count; i++)
        {
            if (values[3 + i] is null)
            {
                throw new RegistrationPreflightException(RegistrationPreflightFailure.ProgramNotFound, $"Program {programs[i].Pointer} does not exist on chain (Programs.Programs); store it with Programs.set_program first, or use another pointer.");
            }
        }

        var info = session.DecodeAccountInfo(values[2]);
        var estimate = await feeTask.ConfigureAwait(false);
        if (estimate is not null && !ChainSession.SameCompactLength(0, info.Nonce))
        {
            estimate = await session.EstimateFeeAsync(call, account, info.Nonce, _options.Tip, _options.MortalityPeriod, cancellationToken).ConfigureAwait(false);
        }

        if (estimate is { } fee)
        {
            // ChargeTransactionPayment withdraws fee + tip with KeepAlive: what is left must still cover the existential deposit,
            // otherwise the pool refuses the transaction for Payment after it was signed.
            var free = (UInt128)info.Free;
            var tip = _options.Tip;
            var ed = runtime.ExistentialDeposit;
            if (free < fee + tip + ed)
            {
                var unit = await GetTokenUnitAsync(cancellationToken).ConfigureAwait(false);
                var parts = $"fee {ProgramsRuntime.FormatAmount(fee, unit)}"
                    + (tip > 0 ? $" + tip {ProgramsRuntime.FormatAmount(tip, unit)}" : string.Empty)
                    + $" + existential deposit {ProgramsRuntime.FormatAmount(ed, unit)}, which must stay in the account";
                throw new RegistrationPreflightException(
                    RegistrationPreflightFailure.InsufficientBalance,
                    $"{account} has {ProgramsRuntime.FormatAmount(free, unit)} free, but register needs {ProgramsRuntime.FormatAmount(fee + tip + ed, unit)} ({parts}); fund the account first.");
            }
        }
        else
        {
            _logger.LogDebug("The node has no payment_queryInfo; skipping the fee check");
        }
    }

    /// <summary>Claims the account for one registration through this client; a second call fails before signing.</summary>
    private InFlight ClaimAccount(AccountId account)
    {
        lock (_inFlight)
        {
            if (_inFlight.TryGetValue(account, out var running) && running.IsStale(_session?.Heads.Best?.Number))
            {
                _inFlight.Remove(account);
            }
            else if (running is not null)
            {
                var id = running.Operation?.Id;
                throw new RegistrationPreflightException(
                    RegistrationPreflightFailure.AlreadyRegistering,
                    id is null
                        ? $"A registration of {account} is already being prepared through this client; wait for it instead of registering twice."
                        : $"A registration of {account} is already in flight through this client (operation {id}); follow that operation instead of registering twice.");
            }

            var claim = new InFlight(this, account);
            _inFlight[account] = claim;
            return claim;
        }
    }

    /// <summary>One account's registration in flight through this client. Released when the call returns, unless its <c>register</c>
    /// may still be in the pool unseen: a new registration then could pay twice (the chain's <c>Registering</c> entry protects only once
    /// it is included), so the claim stays until the operation sees the transaction in a block or ended, or its era has passed.</summary>
    private sealed class InFlight(EntropyClient owner, AccountId account) : IDisposable
    {
        public RegisterOperation? Operation { get; set; }

        /// <summary>Gets a value indicating whether a kept claim no longer protects anything.</summary>
        public bool IsStale(uint? head) => Operation is { } operation && !operation.MayStillBeInPool(head);

        public void Dispose()
        {
            if (Operation is { } operation && operation.MayStillBeInPool(null))
            {
                return;
            }

            Release();
        }

        private void Release()
        {
            lock (owner._inFlight)
            {
                if (owner._inFlight.TryGetValue(account, out var current) && ReferenceEquals(current, this))
                {
                    owner._inFlight.Remove(account);
                }
            }
        }
    }
}

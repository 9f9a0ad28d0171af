using System.Security.Cryptography;
using Entropy.Crypto;
using Entropy.Protocol;
using Entropy.Protocol.Dkg;
using Microsoft.Extensions.Logging;

namespace Entropy;

/// <content>The Private-mode step of a registration: the client joins the DKG as the user.</content>
public partial class RegisterOperation
{
    /// <summary>Private mode: joins the DKG for the committee of block N+1 as the user (PROTOCOL.md §1, §6.3) and keeps the share.</summary>
    private async Task GenerateKeyShareAsync(Sr25519Signer signer, X25519KeyPair userX25519, CancellationToken cancellationToken)
    {
        var client = Client;
        var session = client.Session;
        if (Read(t => t.RegisterBlock) is not { } block)
        {
            // The watch was lost and the registration already moved past the block, or ended.
            throw new EntropyException($"The block that included register for {Account} is unknown, so the client cannot join the key generation; prune the registration and register again.");
        }

        var committee = Read(t => t.Committee);
        if (committee.Count == 0)
        {
            var at = await session.GetBlockHashAsync(block + 1, cancellationToken).ConfigureAwait(false);
            committee = await session.GetCommitteeAsync(block + 1, at, cancellationToken).ConfigureAwait(false);
            Mutate(t => t.CommitteeSelected(block + 1, committee));
        }

        var envelope = client.Options.ProtocolEnvelope ?? session.Runtime.ProtocolEnvelope;
        var sessionId = ProtocolEnvelopes.DkgSessionId(envelope, Account.AsSpan(), block);
        var signature = await signer.SignAsync(sessionId.ToBincode(), cancellationToken).ConfigureAwait(false);
        var subscribe = new SubscribeMessage(sessionId, Account.AsSpan(), signature.ToArray());
        var secret = GC.AllocateUninitializedArray<byte>(X25519KeyPair.SecretKeyLength, pinned: true);
        try
        {
            userX25519.CopySecretTo(secret);
            var options = new UserDkgOptions
            {
                ConnectTimeout = client.Options.KeyGenerationConnectTimeout,
                SubscribeTimeout = client.Options.KeyGenerationConnectTimeout,
                DkgTimeout = client.Options.KeyGenerationTimeout,
                TimeProvider = client.Options.TimeProvider,
                Logger = client.Logger,
                Envelope = envelope,
                SafePrimeSource = client.Options.SafePrimeSource,
            };
            var userSigner = Sr25519SessionSignatures.FromSigner(signer, cancellationToken);
            using var share = await UserDkgParticipant.RunAsync(committee, block, subscribe, secret, userSigner, options, cancellationToken).ConfigureAwait(false);
            var parties = committee.Select(s => s.TssAccount).Append(Account).ToList();
            var keyShare = new PrivateKeyShare(Account, block, parties, share);
            Volatile.Write(ref _keyShare, keyShare);
            client.Logger.LogInformation("Key generation for {Account} done; verifying key {Key}", Account, keyShare.VerifyingKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }

        Mutate(t => t.KeyGenerated(block + 1));
    }
}

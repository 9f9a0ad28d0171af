using Entropy.Tests.Protocol;
using System.Security.Cryptography;
using Entropy.Crypto;
using Entropy.Protocol;
using Entropy.Protocol.Dkg;
using Entropy.Protocol.Noise;
using Entropy.Simulator;
using Entropy.Simulator.ThresholdServers;
using NBitcoin.Secp256k1;
using Scalar = NBitcoin.Secp256k1.Scalar;

namespace Entropy.Tests.Simulator;

/// <summary>The server side of the Private access mode over real loopback: the user, driven from test code, joins the committee's DKG.</summary>
public class EntropyDevnetPrivateTests : DevnetFixture
{
    /// <inheritdoc/>
    protected override void ConfigureDevnet(EntropyDevnetOptions options) => options.DkgTimeout = PrivateModeBudget.KeyGeneration;

    [Test]
    public async Task PrivateRegister_UserJoinsTheDkg_SharesOfServersAndUserCombineToTheConfirmedKey()
    {
        using var user = Sr25519KeyPair.FromSecretUri("//Alice");
        var account = new AccountId(user.PublicKey.ToArray());
        var x25519Secret = RandomNumberGenerator.GetBytes(32);
        var x25519Public = NoiseCrypto.PublicKeyOf(x25519Secret);
        var wrongSecret = RandomNumberGenerator.GetBytes(32);

        var block = await SubmitPrivateRegisterAsync(user, x25519Public);
        var committee = await Client.GetDkgCommitteeAsync(block + 1);
        var subscribe = SubscribeMessage.Create(SessionId.Dkg(account.AsSpan()), user);

        // A connection whose Noise static key is not the x25519 key of KeyVisibility::Private is refused, naming the server.
        var userSigner = Sr25519SessionSignatures.FromKeyPair(user);
        var options = new UserDkgOptions { SafePrimeSource = TestSafePrimes.Source(), DkgTimeout = PrivateModeBudget.KeyGeneration };
        var refused = Assert.ThrowsAsync<PrivateKeyGenerationException>(() =>
            UserDkgParticipant.RunAsync(committee, block, subscribe, wrongSecret, userSigner, options, CancellationToken.None));
        Assert.Multiple(() =>
        {
            Assert.That(refused!.Failure, Is.EqualTo(PrivateKeyGenerationFailure.SubscriptionRefused));
            Assert.That(refused.Server.Endpoint, Is.EqualTo(committee[0].Endpoint));
            Assert.That(refused.Message, Does.Contain(committee[0].Endpoint));
        });

        using var share = await UserDkgParticipant.RunAsync(committee, block, subscribe, x25519Secret, userSigner, options, CancellationToken.None);
        var registration = await WaitForRegistrationAsync(account);

        var secrets = new List<byte[]>();
        foreach (var server in Devnet.Servers)
        {
            var stored = await server.Store.GetAsync(account.ToSs58());
            Assert.That(stored, Is.Not.Null, $"{server.Name} holds no share");
            secrets.Add(ThresholdServerHost.ParseShare(stored!).Secret);
        }

        var userSecret = new byte[32];
        share.SecretShare.WriteToSpan(userSecret);
        Assert.Multiple(() =>
        {
            Assert.That(share.PublicShares, Has.Length.EqualTo(committee.Count + 1));
            Assert.That(share.Index, Is.EqualTo((uint)committee.Count), "the user is the last party");
            Assert.That(share.VerifyingKey.ToCompressed(), Is.EqualTo(registration.VerifyingKey.ToArray()));
            Assert.That(registration.AccessMode, Is.EqualTo(AccessMode.Private));

            // Without the user's share the servers' shares do not make the key; with it they do (Σ shares · G = key).
            Assert.That(KeyShareMath.CombineShares(secrets), Is.Not.EqualTo(registration.VerifyingKey.ToArray()));
            Assert.That(KeyShareMath.CombineShares([.. secrets, userSecret]), Is.EqualTo(registration.VerifyingKey.ToArray()));
            Assert.That(secrets, Has.None.EqualTo(userSecret), "a server holds the user's share");
        });
    }

    [Test]
    public async Task PrivateRegister_UserNeverConnects_ServersNameTheUserAsSilentAndNothingIsStored()
    {
        // A devnet of its own on manual blocks and a fake clock: how long the servers wait for the user is not the subject, only that
        // the silent party is named, so the wait ends when the test advances the clock past DkgTimeout.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var dkgTimeout = TimeSpan.FromMinutes(10);
        await using var running = await StartAsync(options =>
        {
            options.BlockProduction = BlockProductionMode.Manual;
            options.TimeProvider = time;
            options.DkgTimeout = dkgTimeout;
        });
        var (devnet, client) = (running.Devnet, running.Client);
        using var user = Sr25519KeyPair.FromSecretUri("//Bob");
        var account = new AccountId(user.PublicKey.ToArray());
        var server = devnet.Servers[0];

        await ChainCalls.IncludeAsync(devnet.Chain, SubmitPrivateRegisterAsync(client, user, NoiseCrypto.PublicKeyOf(RandomNumberGenerator.GetBytes(32))));
        await ManualDevnetBlocks.ProduceAsync(devnet); // N+1: the off-chain worker posts the registration to the committee

        // Only once both servers wait for nobody but the user may the clock pass DkgTimeout (earlier, a run would name a server that
        // had not connected yet). Then it passes it again until the server's wait, which starts after its own dials, has seen it.
        var userParty = new PartyId(account.AsSpan());
        await ManualDevnetBlocks.UntilAsync(
            () => devnet.Servers.All(s => s.DkgPartiesNotConnected() is [[var missing]] && missing == userParty),
            () => "both servers to wait for the user only");
        await ManualDevnetBlocks.UntilAsync(
            () =>
            {
                time.Advance(dkgTimeout);
                return server.LastDkgFailure is DkgException { Reason: DkgFailureReason.Timeout };
            },
            () => $"{server.Name} to report the DKG timeout (last failure: {server.LastDkgFailure?.Message})");

        var failure = (DkgException)server.LastDkgFailure!;
        Assert.That(failure.Culprits, Does.Contain(new PartyId(account.AsSpan())));
        Assert.That(await server.Store.GetAsync(account.ToSs58()), Is.Null);
        Assert.That(await client.IsRegisteredAsync(account), Is.False);
    }

    private Task<uint> SubmitPrivateRegisterAsync(Sr25519KeyPair user, byte[] x25519Public) => SubmitPrivateRegisterAsync(Client, user, x25519Public);

    private static async Task<uint> SubmitPrivateRegisterAsync(EntropyClient client, Sr25519KeyPair user, byte[] x25519Public)
    {
        var session = client.Session;
        using var signer = Sr25519Signer.FromKeyPair(user);
        var call = session.Runtime.EncodeRegister(signer.AccountId, AccessMode.Private, x25519Public, [new ProgramInstance(TestPrograms.AllowAllPointer, [])]);
        var extrinsic = await session.SignAsync(call, signer, 0, 64, CancellationToken.None);
        var result = await session.SubmitAndWatchAsync(extrinsic, signer.AccountId, null, CancellationToken.None);
        return checked((uint)result.BlockNumber);
    }

    private async Task<Entropy.Registration> WaitForRegistrationAsync(AccountId account)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (await Client.GetRegistrationAsync(account, timeout.Token) is { } registration)
            {
                return registration;
            }

            await Task.Delay(100, timeout.Token);
        }
    }

}

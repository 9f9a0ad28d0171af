using Entropy.Crypto;

namespace Entropy.Tests.Crypto;

public class Sr25519SignerTests
{
    [Test]
    public async Task FromSecretUri_Alice_HasAliceAccountAndVerifiableSignatures()
    {
        using Sr25519Signer signer = Sr25519Signer.FromSecretUri("//Alice");
        // SUBSTRATE.md §6.1 (a).
        Assert.That(signer.AccountId.ToString(), Is.EqualTo("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"));
        Sr25519Signature signature = await signer.SignAsync("hello entropy"u8.ToArray());
        Assert.That(Sr25519.Verify(signer.PublicKey, "hello entropy"u8, signature), Is.True);
        Assert.That(Sr25519.Verify(signer.PublicKey, "hello entropy!"u8, signature), Is.False);
    }

    [Test]
    public async Task FromMnemonic_DevPhraseWithPassword_DiffersFromWithout()
    {
        using Sr25519Signer plain = Sr25519Signer.FromMnemonic(Mnemonic.DevPhrase);
        using Sr25519Signer withPassword = Sr25519Signer.FromMnemonic(Mnemonic.DevPhrase, "password");
        Assert.That(plain.PublicKey, Is.Not.EqualTo(withPassword.PublicKey));
        Sr25519Signature signature = await withPassword.SignAsync(new byte[] { 1, 2, 3 });
        Assert.That(Sr25519.Verify(withPassword.PublicKey, [1, 2, 3], signature), Is.True);
    }

    [Test]
    public async Task FromKeyPair_DisposingSigner_LeavesKeyPairUsable()
    {
        using Sr25519KeyPair pair = Sr25519KeyPair.FromSecretUri("//Bob");
        Sr25519Signer signer = Sr25519Signer.FromKeyPair(pair);
        Assert.That(signer.PublicKey, Is.EqualTo(pair.PublicKey));
        Sr25519Signature signature = await signer.SignAsync(new byte[] { 9 });
        Assert.That(Sr25519.Verify(pair.PublicKey, [9], signature), Is.True);
        signer.Dispose();
        Assert.That(() => pair.Sign([9]), Throws.Nothing);
        Assert.That(() => signer.SignAsync(new byte[] { 9 }), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    public void SignAsync_CancelledToken_ReturnsCancelledTask()
    {
        using Sr25519Signer signer = Sr25519Signer.FromSecretUri("//Alice");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Task<Sr25519Signature> task = signer.SignAsync(new byte[] { 1 }, cts.Token);
        Assert.That(task.IsCanceled, Is.True);
    }

    [Test]
    public void ToString_DoesNotLeakSecret()
    {
        using Sr25519Signer signer = Sr25519Signer.FromSecretUri("//Alice");
        Assert.That(signer.ToString(), Does.Contain("d43593c7").And.Not.Contain("Alice"));
    }

    [Test]
    public async Task CustomSigner_Subclass_GetsAccountIdFromPublicKey()
    {
        using var pair = Sr25519KeyPair.FromSecretUri("//Bob");
        using Sr25519Signer custom = new DelegatingSigner(pair);
        Assert.That(custom.AccountId.ToString(), Is.EqualTo("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"));
        Sr25519Signature signature = await custom.SignAsync(new byte[] { 7 });
        Assert.That(Sr25519.Verify(custom.PublicKey, [7], signature), Is.True);
    }

    private sealed class DelegatingSigner(Sr25519KeyPair pair) : Sr25519Signer
    {
        public override Sr25519PublicKey PublicKey => pair.PublicKey;

        public override async Task<Sr25519Signature> SignAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return pair.Sign(message.Span);
        }
    }
}

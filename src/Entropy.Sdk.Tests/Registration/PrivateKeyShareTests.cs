using Entropy.Synedrion;
using Entropy.Tests.Protocol;

namespace Entropy.Tests.Registration;

/// <summary><see cref="PrivateKeyShare.ImportKeyShare"/> refuses bytes that are not a synedrion 0.1.0 <c>KeyShare&lt;ProductionParams&gt;</c>
/// with a typed error that says what it expected. (Loading real shares both ways with Entropy's wasm client: WasmSynedrionDevnetTests.)</summary>
public class PrivateKeyShareTests
{
    [Test]
    public void ImportKeyShare_NotAProductionKeyShare_ThrowsArgumentExceptionNamingTheFormat()
    {
        var account = new AccountId(new byte[32]);
        var shares = SynedrionTestKeys.Generate(SynedrionParams.Test, 2);
        var testParamsShare = shares[0].ToBytes();
        foreach (var share in shares)
        {
            share.Dispose();
        }

        Assert.Multiple(() =>
        {
            foreach (var (what, bytes) in new[]
            {
                ("empty", Array.Empty<byte>()),
                ("garbage", Enumerable.Range(0, 300).Select(i => (byte)i).ToArray()),
                ("a TestParams share (512-bit Paillier halves)", testParamsShare),
                ("a truncated share", testParamsShare[..^1]),
            })
            {
                var e = Assert.Throws<ArgumentException>(() => PrivateKeyShare.ImportKeyShare(account, 1, bytes), what);
                Assert.That(e!.ParamName, Is.EqualTo("keyShare"), what);
                Assert.That(e.Message, Does.Contain("KeyShare<ProductionParams>"), what);
            }
        });
    }
}

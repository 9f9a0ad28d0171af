using System.Diagnostics;
using Entropy.Crypto;
using Moq;

namespace Entropy.Tests.Programs;

/// <summary>The program pointer against an external hash, the test program against an external WebAssembly validator, and mocking.</summary>
public class ProgramsModelTests
{
    [Test]
    public void ProgramPointerCompute_MatchesPythonHashlibBlake2b256()
    {
        // python3: hashlib.blake2b(open('allow-all.wasm','rb').read() [+ b'{"type":"object"}'], digest_size=32).hexdigest()
        Assert.Multiple(() =>
        {
            Assert.That(ProgramPointer.Compute(TestPrograms.AllowAll, []).ToString(), Is.EqualTo("0xd1f3863504a55d766ab1740f3d208e9d4c67beea7c1687a4f3f06d8d6b3d73c6"));
            Assert.That(ProgramPointer.Compute(TestPrograms.AllowAll, "{\"type\":\"object\"}"u8).ToString(), Is.EqualTo("0xf97fdad3ad7f6cc5fdd98a157bf00a40618c362a9c18732242bb6ec6ad7c5442"));
        });
    }

    [Test]
    public async Task AllowAllWasm_IsAValidModuleExportingEvaluate_PerNodesWebAssemblyEngine()
    {
        // V8's WebAssembly.validate / Module.exports are the external judge of the committed bytes (wabt's wat2wasm produced them from
        // allow-all.wat; see testdata/README.md). The bytes are passed as hex on the command line: nothing outside the repository is read.
        var script = "const b=Buffer.from(process.argv[1],'hex');const ok=WebAssembly.validate(b);"
            + "console.log(JSON.stringify({ok,exports:ok?WebAssembly.Module.exports(new WebAssembly.Module(b)):[]}));";
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(Convert.ToHexStringLower(TestPrograms.AllowAll));
        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Ignore("node is not installed: the WebAssembly check needs Node.js (any version with WebAssembly).");
            return;
        }

        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var output = await process!.StandardOutput.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            Assert.That(output.Trim(), Is.EqualTo("{\"ok\":true,\"exports\":[{\"name\":\"memory\",\"kind\":\"memory\"},{\"name\":\"evaluate\",\"kind\":\"function\"}]}"));
        }
    }

    [Test]
    public async Task Consumer_DeploysThroughAMockedClient_AndReadsAFactoryProgram()
    {
        using var signer = Sr25519Signer.FromSecretUri("//Bob");
        var pointer = ProgramPointer.Compute([1, 2, 3], []);
        var operation = new Mock<ProgramOperation>();
        operation.SetupGet(o => o.Pointer).Returns(pointer);
        operation.Setup(o => o.WaitForCompletionAsync(It.IsAny<CancellationToken>())).ReturnsAsync(operation.Object);
        var client = new Mock<EntropyClient>();
        client.Setup(c => c.DeployProgramAsync(WaitUntil.Completed, signer, It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(operation.Object);
        client.Setup(c => c.GetProgramAsync(pointer, It.IsAny<CancellationToken>()))
            .ReturnsAsync(EntropyModelFactory.ProgramInfo([1, 2, 3], signer.AccountId, referenceCount: 2));

        var deployed = await client.Object.DeployProgramAsync(WaitUntil.Completed, signer, new byte[] { 1, 2, 3 });
        var info = await client.Object.GetProgramAsync(deployed.Pointer!.Value);

        Assert.Multiple(() =>
        {
            Assert.That(info!.Pointer, Is.EqualTo(pointer));
            Assert.That(info.ReferenceCount, Is.EqualTo((UInt128)2));
            Assert.That(info.Deployer, Is.EqualTo(signer.AccountId));
        });
    }
}

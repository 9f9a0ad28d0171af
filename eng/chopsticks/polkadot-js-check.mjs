// Connects polkadot-js (@polkadot/api) to a Substrate JSON-RPC endpoint and prints one JSON object on stdout:
// chain facts, metadata version, //Alice's System.Account, and a signed Balances transfer from //Alice to //Bob seen in a block.
// Usage: node polkadot-js-check.mjs ws://127.0.0.1:PORT   (used by Entropy.Tests.Simulator.Rpc.PolkadotJsCompatibilityTests)
import { runReport } from './polkadot-js-run.mjs';
import { Keyring } from '@polkadot/keyring';

runReport('polkadot-js-check', 60, async (api, step) => {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const alice = keyring.addFromUri('//Alice');
  const bob = keyring.addFromUri('//Bob');

  const [chain, nodeName, properties, genesis, rpcMethods] = await Promise.all([
    api.rpc.system.chain(),
    api.rpc.system.name(),
    api.rpc.system.properties(),
    api.rpc.chain.getBlockHash(0),
    api.rpc.rpc.methods(),
  ]);
  const aliceBefore = await api.query.system.account(alice.address);
  const bobBefore = await api.query.system.account(bob.address);

  step('read chain facts and System.Account');
  const amount = 10n ** 15n;
  const transfer = api.tx.balances.transferAllowDeath
    ? api.tx.balances.transferAllowDeath(bob.address, amount)
    : api.tx.balances.transfer(bob.address, amount);
  const inclusion = await new Promise((resolve, reject) => {
    let unsubscribe = () => {};
    transfer
      .signAndSend(alice, (result) => {
        step(`status ${result.status.type}`);
        if (result.isError) {
          unsubscribe();
          reject(new Error(`transaction failed: ${result.status.type}`));
        } else if (result.status.isInBlock || result.status.isFinalized) {
          // polkadot-js switches to the newest status while it fetches a block's events, so with instant finality only
          // `finalized` may reach this callback.
          unsubscribe();
          resolve({
            status: result.status.type,
            txHash: transfer.hash.toHex(),
            blockHash: (result.status.isInBlock ? result.status.asInBlock : result.status.asFinalized).toHex(),
            events: result.events.map(({ event }) => `${event.section}.${event.method}`),
            failed: result.dispatchError ? result.dispatchError.toString() : null,
          });
        }
      })
      .then((u) => { unsubscribe = u; }, reject);
  });

  const block = await api.rpc.chain.getBlock(inclusion.blockHash);
  const header = block.block.header;
  const extrinsicHashes = block.block.extrinsics.map((x) => x.hash.toHex());
  const apiAt = await api.at(inclusion.blockHash);
  const bobAfter = await apiAt.query.system.account(bob.address);

  return {
    chain: chain.toString(),
    nodeName: nodeName.toString(),
    ss58Format: properties.ss58Format.isSome ? properties.ss58Format.unwrap().toNumber() : null,
    tokenSymbol: properties.tokenSymbol.isSome ? properties.tokenSymbol.unwrap()[0].toString() : null,
    genesisHash: genesis.toHex(),
    apiGenesisHash: api.genesisHash.toHex(),
    specName: api.runtimeVersion.specName.toString(),
    specVersion: api.runtimeVersion.specVersion.toNumber(),
    transactionVersion: api.runtimeVersion.transactionVersion.toNumber(),
    metadataVersion: api.runtimeMetadata.version,
    pallets: api.runtimeMetadata.asLatest.pallets.length,
    rpcMethodCount: rpcMethods.methods.length,
    aliceAddress: alice.address,
    aliceNonceBefore: aliceBefore.nonce.toNumber(),
    aliceFreeBefore: aliceBefore.data.free.toString(),
    bobFreeBefore: bobBefore.data.free.toString(),
    bobFreeAfter: bobAfter.data.free.toString(),
    amount: amount.toString(),
    txHash: inclusion.txHash,
    blockHash: inclusion.blockHash,
    status: inclusion.status,
    blockNumber: header.number.toNumber(),
    blockContainsTx: extrinsicHashes.includes(inclusion.txHash),
    events: inclusion.events,
    dispatchError: inclusion.failed,
  };
});


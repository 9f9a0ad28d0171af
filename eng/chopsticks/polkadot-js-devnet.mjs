// Everyday polkadot-js code against an Entropy devnet started with its defaults (interval blocks, finality two blocks behind):
// funding with utility.batch([...transferKeepAlive]), the isInBlock and isFinalized callbacks, program deployment, register in the
// Public and Permissioned modes, Registering / Registered queries, events, sudo, remark_with_event, and the refusal of a call the
// devnet does not implement. Prints one JSON object on stdout.
// Usage: node polkadot-js-devnet.mjs ws://127.0.0.1:PORT   (used by Entropy.Tests.Devnet.PolkadotJsDevnetTests)
import { runReport, stepper } from './polkadot-js-run.mjs';
import { Keyring } from '@polkadot/keyring';
import { blake2AsHex } from '@polkadot/util-crypto';
import { u8aConcat, stringToU8a, u8aToHex } from '@polkadot/util';

const step = stepper('polkadot-js-devnet');

// The everyday pattern: resolve at isInBlock (recording the events), keep listening until isFinalized.
function send(api, tx, signer, label) {
  return new Promise((resolve, reject) => {
    const seen = [];
    let inBlock = null;
    tx.signAndSend(signer, (result) => {
      seen.push(result.status.type);
      if (result.status.isInBlock) {
        inBlock = {
          blockHash: result.status.asInBlock.toHex(),
          events: result.events.map(({ event }) => `${event.section}.${event.method}`),
          eventData: result.events.map(({ event }) => ({ name: `${event.section}.${event.method}`, data: event.data.toJSON() })),
          dispatchError: result.dispatchError ? result.dispatchError.toString() : null,
        };
        step(`${label}: inBlock ${inBlock.blockHash} ${inBlock.events.join(',')}`);
      } else if (result.status.isFinalized) {
        step(`${label}: finalized`);
        // With instant finality polkadot-js may skip inBlock (it switches to the newest status while it fetches events).
        const finalized = result.status.asFinalized.toHex();
        resolve({ blockHash: finalized, events: result.events.map(({ event }) => `${event.section}.${event.method}`), ...inBlock, finalizedHash: finalized, statuses: seen });
      } else if (result.isError) {
        reject(new Error(`${label}: ${result.status.type}`));
      }
    }).catch(reject);
  });
}

async function waitFor(api, label, read, test, blocks = 30) {
  for (let i = 0; i < blocks * 4; i++) {
    const value = await read();
    if (test(value)) {
      return value;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${label}: not reached`);
}

runReport('polkadot-js-devnet', 150, async (api, step) => {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const alice = keyring.addFromUri('//Alice');
  const users = ['//PjsPublic', '//PjsPermissioned', '//PjsDeployer'].map((uri) => keyring.addFromUri(uri));
  const amount = 10n ** 16n; // 100 BITS... at 10^14 per dollar in this runtime: plenty for fees and deposits
  const registry = api.tx.relayer ? 'relayer' : 'registry';

  // 1. Batch funding.
  const batch = await send(api, api.tx.utility.batch(users.map((u) => api.tx.balances.transferKeepAlive(u.address, amount))), alice, 'batch');
  const funded = await Promise.all(users.map((u) => api.query.system.account(u.address)));
  const finalizedHead = await api.rpc.chain.getFinalizedHead();
  const bestHeader = await api.rpc.chain.getHeader();

  // 2. Program deployment from a funded user.
  const bytecode = stringToU8a('polkadot-js devnet program');
  const configurationInterface = stringToU8a('{}');
  const deploy = await send(api, api.tx.programs.setProgram(u8aToHex(bytecode), u8aToHex(configurationInterface)), users[2], 'setProgram');
  const pointer = blake2AsHex(u8aConcat(bytecode, configurationInterface), 256);
  const program = await api.query.programs.programs(pointer);

  // 3. Register in the Public and Permissioned modes with the deployed program.
  const programs = [{ programPointer: pointer, programConfig: '0x' }];
  // Both are sent at once (the second with the next nonce) so that they land in the same or adjacent blocks.
  const [registerPublic, registerPermissioned] = await Promise.all([
    send(api, api.tx[registry].register(users[0].address, 'Public', programs), users[0], 'register Public'),
    send(api, api.tx[registry].register(users[1].address, 'Permissioned', programs), users[1], 'register Permissioned'),
  ]);
  const registeredPublic = await waitFor(api, 'Registered Public', () => api.query[registry].registered(users[0].address), (v) => v.isSome);
  const registeredPermissioned = await waitFor(api, 'Registered Permissioned', () => api.query[registry].registered(users[1].address), (v) => v.isSome);
  const registeringAfter = await api.query[registry].registering(users[0].address);
  // Registering at the including block N; Registered from block N+2 (the servers confirm in N+1's DKG), read on best blocks.
  const stateAt = async (user, blockHash) => {
    const at = await api.at(blockHash);
    return { registering: (await at.query[registry].registering(user.address)).isSome, registered: (await at.query[registry].registered(user.address)).isSome };
  };
  const registerBlock = (await api.rpc.chain.getHeader(registerPublic.blockHash)).number.toNumber();
  const timeline = [];
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  for (let n = registerBlock; n <= Math.min(registerBlock + 8, best); n++) {
    timeline.push({ number: n, ...(await stateAt(users[0], await api.rpc.chain.getBlockHash(n))) });
  }
  const registeringPublic = timeline[0].registering;
  const permissionedAt = await stateAt(users[1], registerPermissioned.blockHash);

  // 4. Events: System.Events of the block that included the public registration.
  const apiAt = await api.at(registerPublic.blockHash);
  const blockEvents = (await apiAt.query.system.events()).map(({ event }) => `${event.section}.${event.method}`);

  // 5. Sudo (//Alice is the dev key) and remark_with_event.
  const sudo = await send(api, api.tx.sudo.sudo(api.tx.balances.forceSetBalance(keyring.addFromUri('//PjsSudo').address, amount)), alice, 'sudo');
  const sudoTarget = await api.query.system.account(keyring.addFromUri('//PjsSudo').address);
  const remark = await send(api, api.tx.system.remarkWithEvent('hello from polkadot-js'), alice, 'remarkWithEvent');

  // 6. A call of the metadata the devnet does not implement: refused by the pool, not a decode failure.
  let refused = null;
  try {
    await api.tx.staking.chill().signAndSend(users[2]);
  } catch (error) {
    refused = String(error && error.message ? error.message : error);
  }

  return {
    batch,
    fundedFree: funded.map((a) => a.data.free.toString()),
    amount: amount.toString(),
    finalizedBehindBest: bestHeader.number.toNumber() - (await api.rpc.chain.getHeader(finalizedHead)).number.toNumber(),
    deploy,
    pointer,
    programStored: program.isSome,
    programDeployer: program.isSome ? program.unwrap().deployer.toString() : null,
    deployer: users[2].address,
    registerPublic,
    registerPermissioned,
    registeringPublic,
    registeringPermissioned: permissionedAt.registering,
    timeline,
    registeredPublic: registeredPublic.unwrap().toJSON(),
    registeredPermissioned: registeredPermissioned.unwrap().toJSON(),
    registeringAfter: registeringAfter.isSome,
    registerBlock,
    blockEvents,
    sudo,
    sudoTargetFree: sudoTarget.data.free.toString(),
    remark,
    remarkHash: blake2AsHex(stringToU8a('hello from polkadot-js'), 256),
    refused,
    users: users.map((u) => u.address),
    alice: alice.address,
    publicKeyHex: u8aToHex(users[0].publicKey),
  };
});


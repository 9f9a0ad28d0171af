// Drives Entropy's published protocol client (npm @entropyxyz/entropy-protocol-nodejs, the wasm build of entropy-core's
// crates/protocol with synedrion 0.1.0 inside) for the WasmClient tests. One JSON request on stdin, one JSON line on stdout.
//
//   node run-dkg.mjs dkg [--capture DIR]   runs runDkgProtocol as the user of a Private-mode registration
//     request: { "validators": [ { "x25519PublicKey": hex32, "endpoint": "host:port", "tssAccount": hex32 } ... ],
//                "userSecretKey": hex64 (polkadot-js sr25519 layout), "userX25519SecretKey": hex32,
//                "blockNumber": N (the block holding register), "timeoutMs": optional (default 120000) }
//     answer:  { "ok": true, "verifyingKey": hex33, "partyIndex": i, "numParties": n, "keyShare": base64, "elapsedMs": t, "cpuMs": c }
//     --capture DIR also writes DIR/wasm-run.json: the request without its secrets, the answer and the package versions.
//   node run-dkg.mjs keyshare              loads a KeyShare with KeyShare.fromBytes
//     request: { "keyShare": base64 }
//     answer:  { "ok": true, "verifyingKey": hex33, "partyIndex": i, "numParties": n, "keyShare": base64 (toBytes again) }
//
// Any failure answers { "ok": false, "error": text } and exits 1 (2 on timeout); the wasm's own error text is kept verbatim.
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
globalThis.WebSocket = require('ws'); // gloo-net inside the wasm dials with the browser WebSocket API.
const protocol = require('@entropyxyz/entropy-protocol-nodejs');

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const fromHex = (text, what, length) => {
  const clean = String(text ?? '').replace(/^0x/, '');
  if (!/^[0-9a-fA-F]*$/.test(clean) || clean.length !== length * 2) {
    throw new Error(`${what}: expected ${length} bytes of hex, got '${text}'`);
  }
  return new Uint8Array(Buffer.from(clean, 'hex'));
};

function answer(result, code) {
  process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(code));
}

function describe(share) {
  return {
    verifyingKey: hex(share.verifyingKey()),
    partyIndex: share.partyIndex(),
    numParties: share.numParties(),
    keyShare: Buffer.from(share.toBytes()).toString('base64'),
  };
}

async function runDkg(request, captureDir) {
  if (!Array.isArray(request.validators) || request.validators.length === 0) {
    throw new Error('validators: expected a non-empty array');
  }
  const validators = request.validators.map((v, i) =>
    new protocol.ValidatorInfo(fromHex(v.x25519PublicKey, `validators[${i}].x25519PublicKey`, 32), String(v.endpoint), fromHex(v.tssAccount, `validators[${i}].tssAccount`, 32)));
  const userSecret = fromHex(request.userSecretKey, 'userSecretKey', 64);
  const x25519Secret = fromHex(request.userX25519SecretKey, 'userX25519SecretKey', 32);
  if (!Number.isInteger(request.blockNumber) || request.blockNumber < 0) {
    throw new Error(`blockNumber: expected a u32, got ${request.blockNumber}`);
  }

  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const share = await protocol.runDkgProtocol(validators, userSecret, x25519Secret, request.blockNumber);
  const cpu = process.cpuUsage(cpuBefore); // the node process's CPU (user + system) during the run: the wasm's own work
  const result = { ok: true, ...describe(share), elapsedMs: Math.round(performance.now() - started), cpuMs: Math.round((cpu.user + cpu.system) / 1000) };
  if (captureDir) {
    mkdirSync(captureDir, { recursive: true });
    const packages = JSON.parse(readFileSync(new URL('./package.json', import.meta.url)));
    const { userSecretKey, userX25519SecretKey, ...publicPart } = request;
    writeFileSync(join(captureDir, 'wasm-run.json'), JSON.stringify({
      client: packages.dependencies,
      node: process.version,
      request: { ...publicPart, userX25519PublicKey: hex(protocol.X25519Keypair.fromSecretKey(x25519Secret).publicKey()) },
      result,
    }, null, 2) + '\n');
  }
  return result;
}

function loadShare(request) {
  const bytes = Buffer.from(String(request.keyShare ?? ''), 'base64');
  return { ok: true, ...describe(protocol.KeyShare.fromBytes(new Uint8Array(bytes))) };
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const captureAt = rest.indexOf('--capture');
  const captureDir = captureAt >= 0 ? rest[captureAt + 1] : undefined;
  const input = readFileSync(0, 'utf8');
  let request;
  try {
    request = JSON.parse(input);
  } catch (e) {
    return answer({ ok: false, error: `stdin is not JSON: ${e.message}` }, 1);
  }

  const timeoutMs = Number.isInteger(request.timeoutMs) ? request.timeoutMs : 120000;
  const timer = setTimeout(() => answer({ ok: false, error: `timeout after ${timeoutMs} ms`, timeout: true }, 2), timeoutMs);
  try {
    let result;
    if (command === 'dkg') {
      result = await runDkg(request, captureDir);
    } else if (command === 'keyshare') {
      result = loadShare(request);
    } else {
      throw new Error(`unknown command '${command}': use dkg or keyshare`);
    }
    clearTimeout(timer);
    answer(result, 0);
  } catch (e) {
    clearTimeout(timer);
    answer({ ok: false, error: String(e?.message ?? e) }, 1);
  }
}

main();

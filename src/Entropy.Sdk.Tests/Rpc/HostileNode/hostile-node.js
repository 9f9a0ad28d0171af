// A hostile JSON-RPC node for the out-of-process tests (HostileNodeProcessTests): no dependencies, Node.js 18+.
//   node hostile-node.js silent-tcp        accepts TCP connections and never says a word (not even the HTTP upgrade answer)
//   node hostile-node.js script <json>     a WebSocket server; <json> maps a method to the raw messages sent when it is called
//                                          ("$ID" is replaced by the request's id); methods not listed are never answered.
//                                          A reply may also be {"text": "...$PAD...", "pad": <n>, "repeat": <k>}: "$PAD" becomes n
//                                          'x' characters and the message is sent k times (floods of huge messages).
// Prints "port=<n>" once listening on 127.0.0.1 (ephemeral port). Stops when killed.
'use strict';
const net = require('net');
const crypto = require('crypto');

const mode = process.argv[2];
const script = mode === 'script' ? JSON.parse(process.argv[3] || '{}') : {};

function frame(text) {
  const payload = Buffer.from(text, 'utf8');
  let header;
  if (payload.length < 126) {
    header = Buffer.from([0x81, payload.length]);
  } else if (payload.length < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x81; header[1] = 126; header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x81; header[1] = 127; header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  return Buffer.concat([header, payload]);
}

function control(opcode, payload) {
  return Buffer.concat([Buffer.from([0x80 | opcode, payload.length]), payload]);
}

function onRequest(socket, text) {
  let request;
  try { request = JSON.parse(text); } catch { return; }
  const replies = script[request.method];
  if (!replies) return;
  const id = JSON.stringify(request.id);
  for (const reply of replies) {
    if (typeof reply === 'string') { socket.write(frame(reply.split('$ID').join(id))); continue; }
    const message = frame(reply.text.split('$ID').join(id).split('$PAD').join('x'.repeat(reply.pad || 0)));
    for (let i = 0; i < (reply.repeat || 1); i++) socket.write(message);
  }
}

function serveWebSocket(socket) {
  let buffer = Buffer.alloc(0);
  let upgraded = false;
  socket.on('data', chunk => {
    buffer = Buffer.concat([buffer, chunk]);
    if (!upgraded) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString('latin1');
      buffer = buffer.subarray(end + 4);
      const key = /^sec-websocket-key:\s*(.+)$/im.exec(head);
      if (!key) { socket.destroy(); return; }
      const accept = crypto.createHash('sha1').update(key[1].trim() + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ' + accept + '\r\n\r\n');
      upgraded = true;
    }
    while (buffer.length >= 2) {
      const opcode = buffer[0] & 0x0f;
      let length = buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) { if (buffer.length < 4) return; length = buffer.readUInt16BE(2); offset = 4; }
      else if (length === 127) { if (buffer.length < 10) return; length = Number(buffer.readBigUInt64BE(2)); offset = 10; }
      const masked = (buffer[1] & 0x80) !== 0;
      const mask = masked ? buffer.subarray(offset, offset + 4) : null;
      if (masked) offset += 4;
      if (buffer.length < offset + length) return;
      const payload = Buffer.from(buffer.subarray(offset, offset + length));
      buffer = buffer.subarray(offset + length);
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
      if (opcode === 0x8) { socket.end(control(0x8, payload.subarray(0, 2))); return; }
      if (opcode === 0x9) { socket.write(control(0xA, payload)); continue; }
      if (opcode === 0x1) onRequest(socket, payload.toString('utf8'));
    }
  });
  socket.on('error', () => {});
}

const server = net.createServer(socket => {
  if (mode === 'silent-tcp') { socket.on('error', () => {}); return; }
  serveWebSocket(socket);
});
server.listen(0, '127.0.0.1', () => console.log('port=' + server.address().port));

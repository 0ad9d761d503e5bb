// Logging in at a Debian root's serial console (its getty, root with the empty password that
// scripts/debian-root.sh sets) and the host's side of the network tests: an HTTP server on the
// host's loopback serving a file the guest fetches with its own wget.
import { createServer, type Server } from "node:http";
import { createHash, randomBytes } from "node:crypto";
import type { Engine } from "../../emulator/engine.ts";
import { runShellCommand } from "../../emulator/harness.ts";

/** Waits until the console text (from `since` on) matches; throws with its last lines after `ms`. */
export async function waitSerial(read: () => string, what: RegExp, ms: number, since = 0): Promise<RegExpExecArray> {
  const t0 = Date.now();
  for (;;) {
    const m = what.exec(read().slice(since));
    if (m) return m;
    if (Date.now() - t0 > ms)
      throw new Error(`${what} not seen on the console within ${ms / 1000} s; its last lines:\n${read().slice(-2500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Waits for the getty's login prompt ("debian-INIT login:"), logs in as root and waits for the
 * shell's prompt; returns the seconds from the call to the login prompt.
 */
export async function loginAsRoot(engine: Engine, read: () => string, host: string, ms: number): Promise<number> {
  const t0 = Date.now();
  // Not anchored at the end: the kernel or init may print after the prompt; getty still reads.
  await waitSerial(read, new RegExp(`${host} login: `), ms);
  const atPrompt = (Date.now() - t0) / 1000;
  const from = read().length;
  engine.sendSerial("root\n");
  await waitSerial(read, new RegExp(`root@${host}:[^\\n]*# `), 60_000, from);
  // The kernel's console messages would land in the middle of command output.
  await runShellCommand(engine, "dmesg -n 1", 30_000);
  return atPrompt;
}

/** An HTTP server on 127.0.0.1 (a free port) serving `bytes` random bytes at /blob. */
export async function blobServer(
  bytes = 200_000,
): Promise<{ server: Server; port: number; sha256: string; size: number; requests: string[] }> {
  const blob = randomBytes(bytes);
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.url !== "/blob") return void res.writeHead(404).end("not here\n");
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(blob.length) }).end(blob);
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  const port = (server.address() as { port: number }).port;
  return { server, port, sha256: createHash("sha256").update(blob).digest("hex"), size: blob.length, requests };
}

/**
 * In the logged-in guest: waits for eth0's DHCP address (its own ifupdown and dhclient), fetches
 * `url` with its own wget and prints the file's sha256 and size; returns the address and those.
 */
export async function guestFetch(
  engine: Engine,
  url: string,
  ms: number,
): Promise<{ addr: string; sha256: string; size: number; said: string }> {
  const said = await runShellCommand(
    engine,
    // The markers are split in the typed line ("ad""dr="), so its echo cannot match them.
    'for i in $(seq 120); do a=$(ip -4 -o addr show eth0 2>/dev/null | awk \'{print $4}\'); [ -n "$a" ] && break; sleep 1; done; echo "ad""dr=$a"; ' +
      `wget -q -O /tmp/blob '${url}' && echo "su""m=$(sha256sum < /tmp/blob | cut -d' ' -f1) si""ze=$(wc -c < /tmp/blob)"`,
    ms,
  );
  const addr = /addr=(\S*)/.exec(said)?.[1] ?? "";
  const got = /sum=([0-9a-f]{64}) size=(\d+)/.exec(said);
  return { addr, sha256: got?.[1] ?? "", size: Number(got?.[2] ?? -1), said };
}

// Network for the loop root (issue 24): each engine's own user-mode network, no host setup.
// The guest gets its address by DHCP from the engine and reaches the host's HTTP servers:
// - QEMU: `-netdev user` (slirp) with an e1000 card; the host's 127.0.0.1 is 10.0.2.2.
// - v86: its "fetch" backend with a virtio-net card (in Node and in the page): DHCP, a DNS that
//   answers every name, and TCP port 80 carried through the host's fetch(). The guest names the
//   host's localhost:PORT as http://PORT.external/ (v86's fetch backend maps that name); any
//   other name is fetched as http://NAME/ (in the page, within the browser's CORS rules).

/** QEMU's arguments for the network card, or none (with -nodefaults QEMU then has no card). */
export function qemuNetArgs(net: boolean | undefined): string[] {
  return net ? ["-netdev", "user,id=net0", "-device", "e1000,netdev=net0"] : [];
}

/** v86's net_device setting, or undefined (no card). */
export function v86NetDevice(net: boolean | undefined): { type: "virtio"; relay_url: "fetch" } | undefined {
  return net ? { type: "virtio", relay_url: "fetch" } : undefined;
}

/** How the guest names the host's HTTP server on 127.0.0.1:port, per engine. */
export function hostUrl(engine: "qemu" | "v86", port: number): string {
  return engine === "qemu" ? `http://10.0.2.2:${port}` : `http://${port}.external`;
}

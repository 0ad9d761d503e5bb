import { describe, it, expect } from "vitest";
import { parseDeviceTable, applyDeviceTable } from "../../src/fs/devtable.ts";
import { checkTree, type Tree } from "../../src/fs/tree.ts";

const T = 896_000_000;

// The HOWTO's /dev listing (section 3.3) as a genext2fs device table.
const HOWTO_DEV = `
# name      type mode uid gid major minor start inc count
/dev        d    755  0   0   -     -     -     -   -
/dev/hda    b    644  0   0   3     0     -     -   -
/dev/hda    b    644  0   0   3     1     1     1   3
/dev/loop   b    644  0   0   7     0     0     1   2
/dev/null   c    644  0   0   1     3     -     -   -
/dev/tty    c    644  0   0   5     0     -     -   -
/dev/tty1   c    644  0   0   4     1     -     -   -
/dev/zero   c    644  0   0   1     5     -     -   -
/dev/initctl p   600  0   0   -     -     -     -   -
`;

describe("device tables (genext2fs -D format)", () => {
  it("gives the HOWTO's /dev", () => {
    const tree = checkTree(applyDeviceTable([], HOWTO_DEV, T));
    const devs = tree
      .filter((e) => e.kind === "blockdev" || e.kind === "chardev")
      .map((e) => `${e.path} ${e.kind[0]} ${e.major},${e.minor} ${e.mode.toString(8)}`);
    expect(devs).toEqual([
      "/dev/hda b 3,0 644",
      "/dev/hda1 b 3,1 644",
      "/dev/hda2 b 3,2 644",
      "/dev/hda3 b 3,3 644",
      "/dev/loop0 b 7,0 644",
      "/dev/loop1 b 7,1 644",
      "/dev/null c 1,3 644",
      "/dev/tty c 5,0 644",
      "/dev/tty1 c 4,1 644",
      "/dev/zero c 1,5 644",
    ]);
    expect(tree.find((e) => e.path === "/dev/initctl")).toMatchObject({ kind: "fifo", mode: 0o600, mtime: T });
  });

  it("re-owns existing files and directories and keeps the rest", () => {
    const tree: Tree = [
      { path: "/bin", kind: "dir", mode: 0o700, uid: 1, gid: 1, mtime: 5 },
      { path: "/bin/mount", kind: "file", mode: 0o755, uid: 1, gid: 1, mtime: 5, data: new Uint8Array(3) },
    ];
    const out = applyDeviceTable(tree, "/bin d 755 0 0 - - - - -\n/bin/mount f 4755 0 0 - - - - -\n", T);
    expect(out.find((e) => e.path === "/bin")).toMatchObject({ mode: 0o755, uid: 0, gid: 0, mtime: 5 });
    expect(out.find((e) => e.path === "/bin/mount")).toMatchObject({ mode: 0o4755, uid: 0, mtime: 5 });
    expect(tree[1].mode).toBe(0o755); // the input is not changed
  });

  it("refuses bad lines, naming the line and field", () => {
    expect(() => parseDeviceTable("/dev d 755 0 0")).toThrow("device table line 1: 5 fields, expected 10");
    expect(() => parseDeviceTable("\n/dev/x q 644 0 0 1 1 - - -")).toThrow(
      'device table line 2: type "q" is not one of d, f, c, b, p, s',
    );
    expect(() => parseDeviceTable("/dev/x c 844 0 0 1 1 - - -")).toThrow(
      'device table line 1: mode "844" is not an octal number in 0..7777',
    );
    expect(() => parseDeviceTable("/dev/x c 644 0 0 5000 1 - - -")).toThrow(
      'device table line 1: major "5000" is not a number in 0..4095',
    );
    expect(() => parseDeviceTable("/../x c 644 0 0 1 1 - - -")).toThrow("device table line 1: name");
    expect(() => parseDeviceTable("dev/x c 644 0 0 1 1 - - -")).toThrow(
      'device table line 1: name "dev/x" is not an absolute path',
    );
    expect(() => parseDeviceTable("/dev/d d 755 0 0 - - 0 1 4")).toThrow(
      "device table line 1: a count is only allowed for c and b entries",
    );
    expect(() => applyDeviceTable([], "/dev/null c 666 0 0 1 3 - - -", T)).toThrow(
      "device table line 1: parent directory /dev of /dev/null is neither in the tree nor earlier in the table",
    );
    expect(() => applyDeviceTable([], "/etc/x f 644 0 0 - - - - -", T)).toThrow(
      "device table line 1: regular file /etc/x is not in the tree",
    );
  });
});

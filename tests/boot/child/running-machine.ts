// Child process of tests/boot/library-machine.test.ts: a library user's script that boots the
// HOWTO with `stopAtEnd: false`, runs commands at the guest's shell, stops the machine and ends.
// Node exits only if nothing is left running; the parent times that.
import { buildHowto, makeConfig } from "../../../src/index.ts";
import { editFatDisk } from "../../../src/fs/index.ts";
import { bootHowto, loadIngredients, runShellCommand } from "../../../emulator/node.ts";

// vfat, so that Linux reads the long name editFatDisk adds to the built disk (in place: the root
// and swap images the initrd attaches stay where they are).
const config = makeConfig({ dos: { fsType: "vfat" } });
const build = buildHowto({ config, ingredients: loadIngredients() });
editFatDisk(build.disk, {
  longNames: true,
  put: [{ path: "Long Name From The Host.txt", data: new TextEncoder().encode("written by editFatDisk\n") }],
});
const r = await bootHowto(build, config, { stopAtEnd: false, timeoutS: 240 });
const say = (o: object) => process.stdout.write(JSON.stringify(o) + "\n");
say({ ok: r.ok, summary: r.summary, machine: typeof r.machine?.stop });
if (r.ok) {
  const commands = [
    "echo hello",
    "printf 'no newline'",
    "printf '\\033[1;31mred\\033[0m\\n'",
    "(exit 3)",
    "ls /nonexistent 2>&1; true",
    "cat /proc/swaps | tail -n 1",
    "cat '/DOS/Long Name From The Host.txt'",
  ];
  for (const command of commands) say({ command, ...(await runShellCommand(r.machine, command, 30_000)) });
}
await r.machine.stop();
say({ stopped: Date.now() });

// Child process of tests/boot/library-machine.test.ts: a library user's script that boots the
// HOWTO with `stopAtEnd: false`, runs commands at the guest's shell, stops the machine and ends.
// Node exits only if nothing is left running; the parent times that.
import { buildHowto, defaultConfig } from "../../../src/index.ts";
import { bootHowto, loadIngredients, runShellCommand } from "../../../emulator/index.ts";

const config = defaultConfig();
const build = buildHowto({ config, ingredients: loadIngredients() });
const r = await bootHowto(build, config, { stopAtEnd: false, timeoutS: 240 });
const say = (o: object) => process.stdout.write(JSON.stringify(o) + "\n");
say({ ok: r.ok, summary: r.summary, machine: typeof r.machine?.stop });
if (r.ok) {
  const commands = ["echo hello", "printf 'no newline'", "printf '\\033[1;31mred\\033[0m\\n'", "(exit 3)", "ls /nonexistent 2>&1; true", "cat /proc/swaps | tail -n 1"];
  for (const command of commands) say({ command, ...(await runShellCommand(r.machine, command, 30_000)) });
}
await r.machine.stop();
say({ stopped: Date.now() });

// Words for the generated shell scripts (/linuxrc, rcS, the wrapper init), run by busybox ash.
// DOS names may legally hold ` $ ( ) & ' # ! { } ~ ^ %, so a word from the config is quoted
// whenever it holds anything but characters that mean nothing to a POSIX shell; plain words stay
// bare so the default scripts read like the HOWTO's listing.

/** Characters that are never special to a POSIX sh in an argument (no globbing, expansion, tilde or comment). */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument for a POSIX shell: as is when plain, else in single quotes ('\'' for a quote). */
export function shWord(s: string): string {
  if (PLAIN.test(s)) return s;
  return "'" + s.replace(/'/g, "'\\''") + "'";
}

/** Several arguments, each quoted as needed, separated by spaces. */
export function shWords(words: readonly string[]): string {
  return words.map(shWord).join(" ");
}

/**
 * A directory's files as a glob: the directory quoted, the `/*` left for the shell to expand
 * ("/DOS/linux/*", "'/DOS/a$b'/*").
 */
export function shGlobIn(dir: string): string {
  return shWord(dir) + "/*";
}

// `looproot/node`: what needs Node's file system: a folder on disk read into a tree for makeExt2
// or writeTar (looproot/fs), as `mke2fs -d` and `genext2fs -d` take one.

import { treeFromDirectory as coreTreeFromDirectory } from "./directory.ts";
import type { Tree } from "../fs/index.ts";

/**
 * A folder as a tree, "/" being the folder itself: owners, permission bits, time stamps (whole
 * seconds), files' contents, symlinks, hard links (a file's further names link to its first, in
 * sorted order), character and block devices with their numbers, FIFOs and sockets. makeExt2 of
 * it holds what `mke2fs -d` of the folder holds, but for the time stamp of "/": the folder's here,
 * the filesystem's creation time there. Throws E_INPUT_FILE (field "dir") when the folder cannot
 * be read.
 */
export function treeFromDirectory(dir: string): Tree {
  return coreTreeFromDirectory(dir) as Tree;
}

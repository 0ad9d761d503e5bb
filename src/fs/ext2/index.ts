// The ext2 format: its layout (as ext2_fs.h is to e2fsprogs), the writer's plan and the writer,
// and the reader. Importers outside this folder take ext2 from here.

export type { Ext2Options } from "./plan.ts";
export { ext2Needs } from "./plan.ts";
export { makeExt2 } from "./write.ts";
export * from "./read.ts";

// The FAT12/FAT16 format: its layout, the writer, the reader and the in-place editor, and DOS
// names. Importers outside this folder take FAT from here.

export * from "./layout.ts";
export * from "./write.ts";
export * from "./read.ts";
export * from "./edit.ts";
export * from "./dosname.ts";

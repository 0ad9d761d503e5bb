// `looproot/fs`: the image writers and readers as a small, stable API for other projects. Pure
// (no Node, no DOM): it runs in Node, in a browser tab and in a worker. Each function checks its
// options with a LooprootError naming the field and the limit (api/check.ts), then calls the
// core formats in this folder. This file only gathers the API, one file per format in api/.

export * from "./api/tree.ts";
export * from "./api/fat.ts";
export * from "./api/ext2.ts";
export * from "./api/swap.ts";
export * from "./api/inspect.ts";

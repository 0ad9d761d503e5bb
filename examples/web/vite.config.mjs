// Two pages: index.html (a FAT floppy from your files) and howto.html (the whole HOWTO built and
// booted in the tab). `npx vite build` in this folder builds both into dist/; `npx vite` serves them.
import { createReadStream, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Vite's dev server takes a URL without a file extension for a JavaScript module to transform,
 * and the kernel and busybox binaries have none: serve the package's guest binaries as they are.
 * (`vite build` copies them as files and needs nothing of this.)
 */
const looprootImages = {
  name: "looproot-images-raw",
  configureServer(server) {
    server.middlewares.use((req, res, next) => {
      // Only the plain file (what `?url` gave the page); `?url` and `?import` are Vite's module requests.
      const file = /^\/@fs(\/.*\/node_modules\/looproot\/images\/[^?]*)$/.exec(decodeURIComponent(req.url ?? ""))?.[1];
      if (!file || file.includes("/../") || !statSync(file, { throwIfNoEntry: false })?.isFile()) return next();
      res.setHeader("Content-Type", "application/octet-stream");
      createReadStream(file).pipe(res);
    });
  },
};

export default {
  plugins: [looprootImages],
  build: {
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL("./index.html", import.meta.url)),
        howto: fileURLToPath(new URL("./howto.html", import.meta.url)),
      },
    },
  },
};
